namespace DistillOperator.Testing;

/// <summary>
/// A small sentiment-like task made here, no data from outside: a sentence is positive (1) when it has more positive
/// than negative words. A model must look at several tokens to solve it, so a trained model clearly beats chance.
/// </summary>
public static class SyntheticSentiment
{
    private static readonly string[] Positive = ["great", "good", "fine", "lovely", "superb", "fun"];
    private static readonly string[] Negative = ["awful", "bad", "poor", "dull", "boring", "weak"];
    private static readonly string[] Filler = ["the", "movie", "film", "plot", "was", "is", "a", "very", "and", "story", "acting", "but", "quite"];

    /// <summary>Sentences and labels, the same for the same seed.</summary>
    public static List<(string Text, int Label)> Rows(int count, int seed)
    {
        var random = new Random(seed);
        var rows = new List<(string, int)>(count);
        while (rows.Count < count)
        {
            var positive = random.Next(0, 4);
            var negative = random.Next(0, 4);
            if (positive == negative)
            {
                continue;
            }

            var words = Enumerable.Range(0, positive).Select(_ => Positive[random.Next(Positive.Length)])
                .Concat(Enumerable.Range(0, negative).Select(_ => Negative[random.Next(Negative.Length)]))
                .Concat(Enumerable.Range(0, random.Next(2, 8)).Select(_ => Filler[random.Next(Filler.Length)]))
                .ToArray();
            random.Shuffle(words);
            rows.Add((string.Join(' ', words), positive > negative ? 1 : 0));
        }

        return rows;
    }

    /// <summary>Writes a TSV file with a sentence/label header.</summary>
    public static void WriteTsv(string path, int count, int seed) =>
        File.WriteAllLines(path, ["sentence\tlabel", .. Rows(count, seed).Select(r => $"{r.Text}\t{r.Label}")]);
}
