namespace DistillOperator.Training.Text;

/// <summary>Turns text into the token ids a BERT-style model reads.</summary>
public interface ITokenizer
{
    /// <summary>The vocabulary in id order.</summary>
    IReadOnlyList<string> Vocabulary { get; }

    /// <summary>Whether text is lower-cased (and accents stripped) before lookup, as recorded beside an exported model.</summary>
    bool LowerCase { get; }

    /// <summary>Id of the padding token.</summary>
    int PadId { get; }

    /// <summary>
    /// Encodes a text, or a pair, as [CLS] a [SEP] (b [SEP]), truncating the longer text first so the result has at
    /// most <paramref name="maxLength"/> tokens.
    /// </summary>
    EncodedText Encode(string text, string? pair, int maxLength);
}
