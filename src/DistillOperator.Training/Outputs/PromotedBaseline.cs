using System.Globalization;
using DistillOperator.Training.Data;
using DistillOperator.Training.Evaluation;
using DistillOperator.Training.Models;
using DistillOperator.Training.Text;
using TorchSharp;
using static TorchSharp.torch;

namespace DistillOperator.Training.Outputs;

/// <summary>
/// The promoted student measured on this run's validation data, for qualityGate.maxRegression: it reads the texts
/// with its own tokenizer (a vocabulary built from other data gives other ids) and must classify into the same classes.
/// </summary>
public static class PromotedBaseline
{
    /// <summary>
    /// Checks, before training, that the promoted student can be compared with this run's: the same classes in the same
    /// order.
    /// </summary>
    /// <exception cref="InvalidDataException">The classes differ; the message names both lists.</exception>
    public static void EnsureComparable(PromotedVersion promoted, LabelSet labels)
    {
        ArgumentNullException.ThrowIfNull(promoted);
        ArgumentNullException.ThrowIfNull(labels);
        var config = BertConfig.Read(Path.Combine(promoted.Folder, BertCheckpoint.ConfigFile));
        var theirs = config.LabelNames ?? [.. Enumerable.Range(0, config.Labels).Select(i => i.ToString(CultureInfo.InvariantCulture))];
        var same = theirs.SequenceEqual(labels.Names, StringComparer.Ordinal) || (theirs.Count == labels.Count && IndexNamed(theirs) && IndexNamed(labels.Names));
        if (!same)
        {
            throw new InvalidDataException($"spec.qualityGate.maxRegression: the promoted version {promoted.Name} classifies into [{string.Join(", ", theirs)}] and this run into [{string.Join(", ", labels.Names)}], so the two cannot be compared on one validation set; remove maxRegression for the run that changes the classes");
        }
    }

    // Classes known only by their index: "0", "1"… in data, LABEL_0, LABEL_1… in a Hugging Face config.
    private static bool IndexNamed(IReadOnlyList<string> names) =>
        names.Select((name, i) => name == i.ToString(CultureInfo.InvariantCulture) || name == $"LABEL_{i.ToString(CultureInfo.InvariantCulture)}").All(ok => ok);

    /// <summary>The promoted student's accuracy on <paramref name="validation"/>.</summary>
    public static BaselineScore Evaluate(PromotedVersion promoted, IReadOnlyList<LabeledExample> validation, int maxLength, int batchSize, Device device, CancellationToken cancellation)
    {
        ArgumentNullException.ThrowIfNull(promoted);
        using var model = BertCheckpoint.Load(promoted.Folder);
        var tokenizer = ExportedTokenizer.Read(promoted.Folder);
        model.to(device);
        var encoded = EncodedExample.Encode(validation, tokenizer, Math.Min(maxLength, model.Config.MaxPositions));
        var (metrics, _) = ModelEvaluator.Evaluate(model, encoded, tokenizer.PadId, batchSize, cancellation);
        return new BaselineScore(promoted.Name, metrics.Accuracy);
    }
}

/// <summary>The promoted student's score on a run's validation data.</summary>
/// <param name="Version">Its version.</param>
/// <param name="Accuracy">Its accuracy, as a fraction.</param>
public sealed record BaselineScore(string Version, double Accuracy);
