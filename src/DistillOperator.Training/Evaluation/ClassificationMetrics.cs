namespace DistillOperator.Training.Evaluation;

/// <summary>Accuracy, macro F1 and Matthews correlation of predictions against labels.</summary>
public sealed record ClassificationMetrics(double Accuracy, double MacroF1, double MatthewsCorrelation, int Examples)
{
    /// <summary>Computes the metrics; <paramref name="classes"/> is the number of classes.</summary>
    public static ClassificationMetrics Compute(IReadOnlyList<int> predictions, IReadOnlyList<int> labels, int classes)
    {
        ArgumentNullException.ThrowIfNull(predictions);
        ArgumentNullException.ThrowIfNull(labels);
        if (predictions.Count != labels.Count || predictions.Count == 0)
        {
            throw new ArgumentException($"need as many predictions as labels, and some: {predictions.Count} vs {labels.Count}");
        }

        var confusion = new long[classes, classes];
        for (var i = 0; i < labels.Count; i++)
        {
            confusion[labels[i], predictions[i]]++;
        }

        var n = (double)labels.Count;
        var correct = Enumerable.Range(0, classes).Sum(c => (double)confusion[c, c]);
        var f1 = Enumerable.Range(0, classes).Select(c =>
        {
            double tp = confusion[c, c];
            var predicted = Enumerable.Range(0, classes).Sum(r => (double)confusion[r, c]);
            var actual = Enumerable.Range(0, classes).Sum(p => (double)confusion[c, p]);
            return predicted + actual == 0 ? 0 : 2 * tp / (predicted + actual);
        }).Average();

        // Multi-class Matthews correlation (Gorodkin's R_K); for two classes it is the usual MCC.
        var t = Enumerable.Range(0, classes).Select(k => Enumerable.Range(0, classes).Sum(p => (double)confusion[k, p])).ToArray();
        var p2 = Enumerable.Range(0, classes).Select(k => Enumerable.Range(0, classes).Sum(r => (double)confusion[r, k])).ToArray();
        var numerator = (correct * n) - t.Zip(p2).Sum(x => x.First * x.Second);
        var denominator = Math.Sqrt(((n * n) - p2.Sum(x => x * x)) * ((n * n) - t.Sum(x => x * x)));
        var mcc = denominator == 0 ? 0 : numerator / denominator;
        return new ClassificationMetrics(correct / n, f1, mcc, labels.Count);
    }

    /// <summary>Fraction of positions where two prediction lists agree.</summary>
    public static double Agreement(IReadOnlyList<int> first, IReadOnlyList<int> second)
    {
        ArgumentNullException.ThrowIfNull(first);
        ArgumentNullException.ThrowIfNull(second);
        return first.Count == 0 ? 0 : first.Zip(second).Count(p => p.First == p.Second) / (double)first.Count;
    }
}
