using DistillOperator.Training.Text;

namespace DistillOperator.Training.Tests;

public sealed class TokenizerTests
{
    private static readonly Vocabulary Bert = new(
        ["[PAD]", "[UNK]", "[CLS]", "[SEP]", "[MASK]", "the", "un", "##aff", "##able", "cafe", "is", "!", ",", "great", "a", "##b", "我", "们"],
        "test vocabulary");

    [Fact]
    public void Basic_tokenization_lower_cases_strips_accents_and_splits_punctuation_and_CJK()
    {
        Assert.Equal(["hello", "!", "cafe", "naive", "我", "们", "x", "$", "y"], BasicTokenizer.Split("Hello! CAFÉ  naïve我们 x$y", lowerCase: true));
        Assert.Equal(["Café"], BasicTokenizer.Split("Café\u0000\u200b", lowerCase: false));
    }

    [Fact]
    public void WordPiece_takes_the_longest_known_piece_first()
    {
        var tokenizer = new WordPieceTokenizer(Bert);

        Assert.Equal([6, 7, 8], tokenizer.Tokenize("unaffable"));
        Assert.Equal([9, 10, 13, 11], tokenizer.Tokenize("Café is great!"));
    }

    [Fact]
    public void A_word_that_cannot_be_pieced_or_is_too_long_becomes_UNK()
    {
        var tokenizer = new WordPieceTokenizer(Bert);

        Assert.Equal([1], tokenizer.Tokenize("unaffxyz"));
        Assert.Equal([1], tokenizer.Tokenize(new string('a', WordPieceTokenizer.MaxWordCharacters + 1)));
        Assert.Equal([14, 15], tokenizer.Tokenize("ab"));
    }

    [Fact]
    public void Pairs_are_joined_with_separators_and_token_types_and_the_longer_text_is_truncated_first()
    {
        var tokenizer = new WordPieceTokenizer(Bert);

        var encoded = tokenizer.Encode("the the the the", "great", maxLength: 7);

        Assert.Equal([2, 5, 5, 5, 3, 13, 3], encoded.Ids);
        Assert.Equal([0, 0, 0, 0, 0, 1, 1], encoded.TypeIds);
    }

    [Fact]
    public void A_vocabulary_must_have_the_special_tokens_and_no_repeats()
    {
        var missing = Assert.Throws<InvalidDataException>(() => new Vocabulary(["[PAD]", "[UNK]", "[SEP]"], "v.txt"));
        var repeated = Assert.Throws<InvalidDataException>(() => new Vocabulary(["[PAD]", "[UNK]", "[CLS]", "[SEP]", "a", "a"], "v.txt"));

        Assert.Equal("v.txt: the vocabulary has no [CLS]; a BERT vocabulary needs [PAD], [UNK], [CLS], [SEP]", missing.Message);
        Assert.Equal("v.txt:6: token \"a\" appears twice (first on line 5)", repeated.Message);
    }

    [Fact]
    public void A_word_vocabulary_keeps_the_most_frequent_words_with_ties_in_ordinal_order()
    {
        var tokenizer = WordTokenizer.Build(["b a c", "a b", "a d"], maxVocab: 7, lowerCase: true);

        Assert.Equal(["[PAD]", "[UNK]", "[CLS]", "[SEP]", "[MASK]", "a", "b"], tokenizer.Vocabulary);
        Assert.Equal([2, 5, 6, 1, 3], tokenizer.Encode("A b zebra", null, 16).Ids);
    }
}
