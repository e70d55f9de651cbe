using System.Diagnostics;
using DistillOperator.Training.Data;
using DistillOperator.Training.Models;
using static TorchSharp.torch;

namespace DistillOperator.Training.Evaluation;

/// <summary>Measures a model's inference latency on real batches: the median over repeated passes, after a warm-up.</summary>
public static class LatencyMeter
{
    /// <summary>Median milliseconds per example over up to <paramref name="batches"/> batches of <paramref name="examples"/>.</summary>
    public static double MillisecondsPerExample(BertClassifier model, IReadOnlyList<EncodedExample> examples, int padId, int batchSize, int batches = 8, int repeats = 3)
    {
        ArgumentNullException.ThrowIfNull(model);
        ArgumentNullException.ThrowIfNull(examples);
        var plan = BatchPlanner.Evaluation(examples, batchSize);
        var chosen = Enumerable.Range(0, Math.Min(batches, plan.Count)).Select(i => plan[(int)((long)i * plan.Count / Math.Min(batches, plan.Count))]).ToList();
        var wasTraining = model.training;
        var device = model.Device;
        model.eval();
        try
        {
            using var noGrad = no_grad();
            var samples = new List<double>();
            for (var round = 0; round <= repeats; round++)
            {
                foreach (var indices in chosen)
                {
                    using var scope = NewDisposeScope();
                    using var batch = Batch.Collate(examples, indices, padId, device);
                    var watch = Stopwatch.StartNew();
                    model.Forward(batch.Ids, batch.Mask, batch.Types, ForwardRequest.LogitsOnly).Logits.sum().item<float>();
                    if (round > 0)
                    {
                        samples.Add(watch.Elapsed.TotalMilliseconds / indices.Length); // round 0 warms up
                    }
                }
            }

            samples.Sort();
            return samples.Count == 0 ? 0 : samples[samples.Count / 2];
        }
        finally
        {
            model.train(wasTraining);
        }
    }
}
