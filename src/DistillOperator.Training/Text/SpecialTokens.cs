namespace DistillOperator.Training.Text;

/// <summary>BERT's special tokens.</summary>
public static class SpecialTokens
{
    /// <summary>Padding.</summary>
    public const string Pad = "[PAD]";

    /// <summary>Unknown word.</summary>
    public const string Unknown = "[UNK]";

    /// <summary>Start of the input; its final state feeds the classifier.</summary>
    public const string Classify = "[CLS]";

    /// <summary>End of a text.</summary>
    public const string Separator = "[SEP]";

    /// <summary>Masked token (unused by classification; kept for BERT compatibility).</summary>
    public const string Mask = "[MASK]";

    /// <summary>The tokens a vocabulary must have.</summary>
    public static readonly IReadOnlyList<string> Required = [Pad, Unknown, Classify, Separator];
}
