namespace DistillOperator.Training.Text;

/// <summary>Whole words, with a vocabulary of the most frequent words of the training data; other words become [UNK].</summary>
public sealed class WordTokenizer : ITokenizer
{
    private readonly Vocabulary _vocabulary;
    private readonly bool _lowerCase;

    private WordTokenizer(Vocabulary vocabulary, bool lowerCase)
    {
        _vocabulary = vocabulary;
        _lowerCase = lowerCase;
        PadId = vocabulary[SpecialTokens.Pad];
    }

    /// <inheritdoc />
    public IReadOnlyList<string> Vocabulary => _vocabulary.Tokens;

    /// <inheritdoc />
    public bool LowerCase => _lowerCase;

    /// <inheritdoc />
    public int PadId { get; }

    /// <summary>The tokenizer's vocabulary, to write as vocab.txt beside a model.</summary>
    public Vocabulary Words => _vocabulary;

    /// <summary>
    /// Builds the vocabulary from texts: the special tokens first ([PAD] is 0), then words by falling frequency (ties
    /// in ordinal order, so the same data gives the same ids), up to <paramref name="maxVocab"/> tokens in all.
    /// </summary>
    public static WordTokenizer Build(IEnumerable<string> texts, int maxVocab, bool lowerCase)
    {
        ArgumentNullException.ThrowIfNull(texts);
        var counts = new Dictionary<string, int>(StringComparer.Ordinal);
        foreach (var text in texts)
        {
            foreach (var word in BasicTokenizer.Split(text, lowerCase))
            {
                counts[word] = counts.GetValueOrDefault(word) + 1;
            }
        }

        string[] specials = [SpecialTokens.Pad, SpecialTokens.Unknown, SpecialTokens.Classify, SpecialTokens.Separator, SpecialTokens.Mask];
        var words = counts.Where(c => !specials.Contains(c.Key))
            .OrderByDescending(c => c.Value)
            .ThenBy(c => c.Key, StringComparer.Ordinal)
            .Take(Math.Max(0, maxVocab - specials.Length))
            .Select(c => c.Key);
        return new WordTokenizer(new Vocabulary([.. specials, .. words], "built vocabulary"), lowerCase);
    }

    /// <summary>A word tokenizer over an existing vocabulary (a saved vocab.txt).</summary>
    public static WordTokenizer From(Vocabulary vocabulary, bool lowerCase) => new(vocabulary, lowerCase);

    /// <summary>The token ids of a text, without special tokens.</summary>
    public List<int> Tokenize(string text) =>
        [.. BasicTokenizer.Split(text, _lowerCase).Select(w => _vocabulary.IdOf(w) ?? _vocabulary[SpecialTokens.Unknown])];

    /// <inheritdoc />
    public EncodedText Encode(string text, string? pair, int maxLength) =>
        PairEncoder.Assemble(Tokenize(text), pair is null ? null : Tokenize(pair), maxLength, _vocabulary[SpecialTokens.Classify], _vocabulary[SpecialTokens.Separator]);
}
