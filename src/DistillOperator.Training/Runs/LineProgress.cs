using System.Globalization;
using DistillOperator.Training.Distillation;

namespace DistillOperator.Training.Runs;

/// <summary>Progress as log lines: stage starts, every N-th step with each loss term, evaluations, checkpoints.</summary>
public sealed class LineProgress(TextWriter output, int everySteps) : ITrainingProgress
{
    /// <inheritdoc />
    public void StageStarted(StageProgress stage) =>
        output.WriteLine($"stage {stage.Index}/{stage.Count} {stage.Stage.Name}: {stage.Steps} steps, losses {string.Join(", ", stage.Stage.Losses.Active)}");

    /// <inheritdoc />
    public void StepCompleted(StepProgress step)
    {
        if (step.Step % everySteps == 0 || step.Step == step.TotalSteps)
        {
            var losses = string.Join(" ", step.Losses.Select(l => string.Create(CultureInfo.InvariantCulture, $"{l.Key}={l.Value:F4}")));
            output.WriteLine(string.Create(CultureInfo.InvariantCulture, $"step {step.Step}/{step.TotalSteps} {step.Stage} epoch {step.Epoch} {losses} lr={step.LearningRate:G3}"));
        }
    }

    /// <inheritdoc />
    public void Evaluated(EvaluationProgress evaluation) =>
        output.WriteLine(string.Create(CultureInfo.InvariantCulture, $"eval {evaluation.Model} at step {evaluation.Step}: accuracy {evaluation.Metrics.Accuracy:F4}, macro F1 {evaluation.Metrics.MacroF1:F4}"));

    /// <inheritdoc />
    public void CheckpointWritten(string path, long step) => output.WriteLine($"checkpoint at step {step}: {path}");

    /// <inheritdoc />
    public void Warning(string message) => output.WriteLine($"warning: {message}");
}
