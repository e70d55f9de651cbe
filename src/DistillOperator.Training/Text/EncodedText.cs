namespace DistillOperator.Training.Text;

/// <summary>A text (or text pair) as model input: token ids with [CLS] and [SEP], and token types (0 first text, 1 second).</summary>
public sealed record EncodedText(int[] Ids, int[] TypeIds)
{
    /// <summary>Number of tokens.</summary>
    public int Length => Ids.Length;
}
