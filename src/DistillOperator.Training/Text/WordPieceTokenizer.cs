namespace DistillOperator.Training.Text;

/// <summary>BERT's WordPiece: basic tokenization, then greedy longest-match-first sub-words ("##" continues a word).</summary>
public sealed class WordPieceTokenizer(Vocabulary vocabulary, bool lowerCase = true) : ITokenizer
{
    /// <summary>Words longer than this become [UNK], as in BERT.</summary>
    public const int MaxWordCharacters = 100;

    private readonly int _unknown = vocabulary[SpecialTokens.Unknown];

    /// <inheritdoc />
    public IReadOnlyList<string> Vocabulary => vocabulary.Tokens;

    /// <inheritdoc />
    public bool LowerCase => lowerCase;

    /// <inheritdoc />
    public int PadId { get; } = vocabulary[SpecialTokens.Pad];

    /// <summary>The token ids of a text, without special tokens.</summary>
    public List<int> Tokenize(string text)
    {
        var ids = new List<int>();
        foreach (var word in BasicTokenizer.Split(text, lowerCase))
        {
            var runes = word.EnumerateRunes().Select(r => r.ToString()).ToArray();
            if (runes.Length > MaxWordCharacters)
            {
                ids.Add(_unknown);
                continue;
            }

            var pieces = new List<int>();
            var start = 0;
            while (start < runes.Length)
            {
                int? match = null;
                var end = runes.Length;
                for (; end > start; end--)
                {
                    var candidate = (start > 0 ? "##" : "") + string.Concat(runes[start..end]);
                    if (vocabulary.IdOf(candidate) is { } id)
                    {
                        match = id;
                        break;
                    }
                }

                if (match is null)
                {
                    pieces = [_unknown];
                    break;
                }

                pieces.Add(match.Value);
                start = end;
            }

            ids.AddRange(pieces);
        }

        return ids;
    }

    /// <inheritdoc />
    public EncodedText Encode(string text, string? pair, int maxLength) =>
        PairEncoder.Assemble(Tokenize(text), pair is null ? null : Tokenize(pair), maxLength, vocabulary[SpecialTokens.Classify], vocabulary[SpecialTokens.Separator]);
}
