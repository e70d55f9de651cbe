using DistillOperator.Training.Distillation;

namespace DistillOperator.Training.Runs;

/// <summary>A finished local run: what it measured and where it wrote the student.</summary>
/// <param name="Outcome">Metrics and steps.</param>
/// <param name="OutputFolder">The job's output folder (spec.output.uri): its versions, current and checkpoints.</param>
/// <param name="TeacherParameters">Teacher parameter count.</param>
/// <param name="StudentParameters">Student parameter count.</param>
public sealed record RunResult(TrainingOutcome Outcome, string OutputFolder, long TeacherParameters, long StudentParameters)
{
    /// <summary>Teacher inference time per example in milliseconds (median), when measured.</summary>
    public double? TeacherLatencyMs { get; init; }

    /// <summary>Student inference time per example in milliseconds (median), when measured.</summary>
    public double? StudentLatencyMs { get; init; }

    /// <summary>Teacher latency divided by student latency.</summary>
    public double? Speedup => TeacherLatencyMs is { } t && StudentLatencyMs is { } s && s > 0 ? t / s : null;

    /// <summary>Size of the teacher's weights in bytes (float32).</summary>
    public long TeacherBytes => TeacherParameters * sizeof(float);

    /// <summary>Size of the exported student's weights file in bytes.</summary>
    public long StudentBytes { get; init; }

    /// <summary>Metrics on the test set, when the job has one.</summary>
    public (Evaluation.ClassificationMetrics Teacher, Evaluation.ClassificationMetrics Student, double Agreement)? Test { get; init; }

    /// <summary>Class names in index order.</summary>
    public IReadOnlyList<string> Labels { get; init; } = [];

    /// <summary>The teacher cache's key, and whether an earlier job's cache was reused.</summary>
    public (string? Key, bool Reused)? TeacherCache { get; init; }

    /// <summary>The folder the fine-tuned teacher was exported to, when the job fine-tuned it.</summary>
    public string? FinetunedTeacherFolder { get; init; }

    /// <summary>The version this run wrote (its folder under versions/).</summary>
    public string Version { get; init; } = "";

    /// <summary>The folder holding this run's student, tokenizer, report.json and model card.</summary>
    public string VersionFolder => Outputs.OutputLayout.VersionFolder(OutputFolder, Version);

    /// <summary>The quality gate's verdict; null without a gate.</summary>
    public Api.V1Alpha1.GateVerdict? Gate { get; init; }

    /// <summary>The promoted student's score on this run's validation data, when qualityGate.maxRegression asked for it.</summary>
    public Outputs.BaselineScore? Baseline { get; init; }

    /// <summary>Whether this run's student was promoted to current.</summary>
    public bool Promoted { get; init; }

    /// <summary>The version promoted when the run ended (this run's, or the earlier one when it was not promoted).</summary>
    public string? PromotedVersion { get; init; }
}
