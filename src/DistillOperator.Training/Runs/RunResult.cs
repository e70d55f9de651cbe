using DistillOperator.Training.Distillation;

namespace DistillOperator.Training.Runs;

/// <summary>A finished local run: what it measured and where it wrote the student.</summary>
/// <param name="Outcome">Metrics and steps.</param>
/// <param name="OutputFolder">The folder holding the exported student and report.json.</param>
/// <param name="TeacherParameters">Teacher parameter count.</param>
/// <param name="StudentParameters">Student parameter count.</param>
public sealed record RunResult(TrainingOutcome Outcome, string OutputFolder, long TeacherParameters, long StudentParameters);
