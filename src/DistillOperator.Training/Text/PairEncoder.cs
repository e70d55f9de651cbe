namespace DistillOperator.Training.Text;

/// <summary>Assembles [CLS] a [SEP] (b [SEP]) from token ids, truncating the longer text first, as BERT does.</summary>
internal static class PairEncoder
{
    public static EncodedText Assemble(List<int> first, List<int>? second, int maxLength, int cls, int sep)
    {
        var budget = maxLength - (second is null ? 2 : 3);
        if (budget < 0)
        {
            throw new ArgumentOutOfRangeException(nameof(maxLength), maxLength, "too short for the special tokens");
        }

        while (first.Count + (second?.Count ?? 0) > budget)
        {
            var longer = second is not null && second.Count > first.Count ? second : first;
            longer.RemoveAt(longer.Count - 1);
        }

        var ids = new List<int>(maxLength) { cls };
        ids.AddRange(first);
        ids.Add(sep);
        var types = Enumerable.Repeat(0, ids.Count).ToList();
        if (second is not null)
        {
            ids.AddRange(second);
            ids.Add(sep);
            types.AddRange(Enumerable.Repeat(1, second.Count + 1));
        }

        return new EncodedText([.. ids], [.. types]);
    }
}
