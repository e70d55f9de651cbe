namespace DistillOperator.Training.Data;

/// <summary>An example as token ids, with its position in its dataset (the key of the teacher cache).</summary>
public sealed record EncodedExample(int Index, int[] Ids, int[] TypeIds, int Label)
{
    /// <summary>Encodes labelled examples with a tokenizer.</summary>
    public static List<EncodedExample> Encode(IReadOnlyList<LabeledExample> examples, Text.ITokenizer tokenizer, int maxLength)
    {
        ArgumentNullException.ThrowIfNull(examples);
        ArgumentNullException.ThrowIfNull(tokenizer);
        return [.. examples.Select((e, i) =>
        {
            var encoded = tokenizer.Encode(e.Text, e.Pair, maxLength);
            return new EncodedExample(i, encoded.Ids, encoded.TypeIds, e.Label);
        })];
    }
}
