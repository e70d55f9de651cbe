using DistillOperator.Training.Evaluation;

namespace DistillOperator.Training.Distillation;

/// <summary>A stage is starting.</summary>
/// <param name="Stage">The stage.</param>
/// <param name="Index">1-based index of the stage.</param>
/// <param name="Count">Number of stages.</param>
/// <param name="Steps">Optimizer steps the stage takes.</param>
public sealed record StageProgress(TrainingStage Stage, int Index, int Count, long Steps);

/// <summary>An optimizer step finished.</summary>
/// <param name="Stage">Name of the stage.</param>
/// <param name="StageIndex">1-based index of the stage.</param>
/// <param name="StageCount">Number of stages.</param>
/// <param name="Epoch">1-based epoch within the stage.</param>
/// <param name="Step">Steps done over the whole run.</param>
/// <param name="TotalSteps">Steps the whole run takes.</param>
/// <param name="Losses">Each active loss term's value at this step, unweighted (attention and hidden summed over the stage's pairs).</param>
/// <param name="LearningRate">The learning rate of this step.</param>
public sealed record StepProgress(string Stage, int StageIndex, int StageCount, int Epoch, long Step, long TotalSteps, IReadOnlyDictionary<string, double> Losses, double LearningRate);

/// <summary>A model was evaluated on the validation set.</summary>
/// <param name="Stage">The stage during which it was evaluated.</param>
/// <param name="Step">Steps done over the whole run.</param>
/// <param name="Model">teacher or student.</param>
/// <param name="Metrics">The metrics.</param>
public sealed record EvaluationProgress(string Stage, long Step, string Model, ClassificationMetrics Metrics);

/// <summary>Receives the trainer's progress: the local progress bars, the operator's status patches, the logs.</summary>
public interface ITrainingProgress
{
    /// <summary>A stage is starting.</summary>
    void StageStarted(StageProgress stage);

    /// <summary>An optimizer step finished.</summary>
    void StepCompleted(StepProgress step);

    /// <summary>A model was evaluated.</summary>
    void Evaluated(EvaluationProgress evaluation);

    /// <summary>A checkpoint was written.</summary>
    void CheckpointWritten(string path, long step);

    /// <summary>Something the user should know that does not stop the run (a corrupt checkpoint skipped).</summary>
    void Warning(string message);
}

/// <summary>Progress that goes nowhere.</summary>
public sealed class NoProgress : ITrainingProgress
{
    /// <summary>The instance.</summary>
    public static NoProgress Instance { get; } = new();

    /// <inheritdoc />
    public void StageStarted(StageProgress stage)
    {
    }

    /// <inheritdoc />
    public void StepCompleted(StepProgress step)
    {
    }

    /// <inheritdoc />
    public void Evaluated(EvaluationProgress evaluation)
    {
    }

    /// <inheritdoc />
    public void CheckpointWritten(string path, long step)
    {
    }

    /// <inheritdoc />
    public void Warning(string message)
    {
    }
}
