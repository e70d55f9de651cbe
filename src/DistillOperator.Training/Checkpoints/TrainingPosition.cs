namespace DistillOperator.Training.Checkpoints;

/// <summary>Where a run is: the next batch to train is batch <see cref="Batch"/> of epoch <see cref="Epoch"/> of stage <see cref="Stage"/> (all 0-based).</summary>
public sealed record TrainingPosition(int Stage, int Epoch, int Batch, long GlobalStep, long StageStep)
{
    /// <summary>The start of a run.</summary>
    public static TrainingPosition Start { get; } = new(0, 0, 0, 0, 0);

    /// <summary>True when the position is inside a stage, so the optimizer's state must be restored too.</summary>
    public bool IsMidStage => StageStep > 0;
}
