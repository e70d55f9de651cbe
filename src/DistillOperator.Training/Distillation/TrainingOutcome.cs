using DistillOperator.Training.Evaluation;

namespace DistillOperator.Training.Distillation;

/// <summary>What a finished run measured on the validation set (null metrics without one).</summary>
/// <param name="Teacher">The teacher's metrics.</param>
/// <param name="Student">The student's metrics.</param>
/// <param name="Agreement">Fraction of validation examples where student and teacher predict the same class.</param>
/// <param name="Steps">Optimizer steps the run took.</param>
/// <param name="ResumedFromStep">The step the run resumed from, or null when it started fresh.</param>
public sealed record TrainingOutcome(ClassificationMetrics? Teacher, ClassificationMetrics? Student, double? Agreement, long Steps, long? ResumedFromStep)
{
    /// <summary>With spec.training.keepBest: the step whose student (the best on validation) the run ends with.</summary>
    public long? SelectedStep { get; init; }
}
