namespace DistillOperator.Training.Distillation;

/// <summary>Hands every progress report to several receivers in order (the log lines and the status patches).</summary>
public sealed class ProgressFanOut(params ITrainingProgress[] receivers) : ITrainingProgress
{
    /// <inheritdoc />
    public void StageStarted(StageProgress stage)
    {
        foreach (var receiver in receivers)
        {
            receiver.StageStarted(stage);
        }
    }

    /// <inheritdoc />
    public void StepCompleted(StepProgress step)
    {
        foreach (var receiver in receivers)
        {
            receiver.StepCompleted(step);
        }
    }

    /// <inheritdoc />
    public void Evaluated(EvaluationProgress evaluation)
    {
        foreach (var receiver in receivers)
        {
            receiver.Evaluated(evaluation);
        }
    }

    /// <inheritdoc />
    public void CheckpointWritten(string path, long step)
    {
        foreach (var receiver in receivers)
        {
            receiver.CheckpointWritten(path, step);
        }
    }

    /// <inheritdoc />
    public void Warning(string message)
    {
        foreach (var receiver in receivers)
        {
            receiver.Warning(message);
        }
    }
}
