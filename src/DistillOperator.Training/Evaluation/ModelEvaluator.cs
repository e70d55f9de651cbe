using DistillOperator.Training.Data;
using DistillOperator.Training.Models;
using static TorchSharp.torch;

namespace DistillOperator.Training.Evaluation;

/// <summary>Runs a model over a dataset in evaluation mode and returns its predictions in dataset order.</summary>
public static class ModelEvaluator
{
    /// <summary>The predicted class of every example (indexed like <paramref name="examples"/>).</summary>
    /// <exception cref="OperationCanceledException"><paramref name="cancellation"/> was signalled (checked between batches).</exception>
    public static int[] Predict(BertClassifier model, IReadOnlyList<EncodedExample> examples, int padId, int batchSize, CancellationToken cancellation = default)
    {
        ArgumentNullException.ThrowIfNull(model);
        ArgumentNullException.ThrowIfNull(examples);
        var wasTraining = model.training;
        model.eval();
        var predictions = new int[examples.Count];
        var device = model.Device;
        try
        {
            using var noGrad = no_grad();
            foreach (var indices in BatchPlanner.Evaluation(examples, batchSize))
            {
                cancellation.ThrowIfCancellationRequested();
                using var scope = NewDisposeScope();
                using var batch = Batch.Collate(examples, indices, padId, device);
                var outputs = model.Forward(batch.Ids, batch.Mask, batch.Types, ForwardRequest.LogitsOnly);
                var argmax = outputs.Logits.argmax(-1).cpu().data<long>().ToArray();
                for (var row = 0; row < indices.Length; row++)
                {
                    predictions[indices[row]] = (int)argmax[row];
                }
            }
        }
        finally
        {
            model.train(wasTraining);
        }

        return predictions;
    }

    /// <summary>Metrics of a model on labelled examples.</summary>
    public static (ClassificationMetrics Metrics, int[] Predictions) Evaluate(BertClassifier model, IReadOnlyList<EncodedExample> examples, int padId, int batchSize, CancellationToken cancellation = default)
    {
        var predictions = Predict(model, examples, padId, batchSize, cancellation);
        return (ClassificationMetrics.Compute(predictions, [.. examples.Select(e => e.Label)], model.Config.Labels), predictions);
    }
}
