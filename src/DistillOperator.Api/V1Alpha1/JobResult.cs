using System.Text.Json.Serialization;

namespace DistillOperator.Api.V1Alpha1;

/// <summary>How good the student is, measured on the validation set by the trainer.</summary>
public sealed class JobResult
{
    /// <summary>Teacher accuracy, as a fraction.</summary>
    [JsonPropertyName("teacherAccuracy")]
    public double? TeacherAccuracy { get; set; }

    /// <summary>Student accuracy, as a fraction.</summary>
    [JsonPropertyName("studentAccuracy")]
    public double? StudentAccuracy { get; set; }

    /// <summary>Student macro F1.</summary>
    [JsonPropertyName("studentF1")]
    public double? StudentF1 { get; set; }

    /// <summary>Fraction of examples where student and teacher predict the same class.</summary>
    [JsonPropertyName("agreement")]
    public double? Agreement { get; set; }

    /// <summary>Teacher parameter count.</summary>
    [JsonPropertyName("teacherParameters")]
    public long? TeacherParameters { get; set; }

    /// <summary>Student parameter count.</summary>
    [JsonPropertyName("studentParameters")]
    public long? StudentParameters { get; set; }

    /// <summary>Teacher parameters divided by student parameters.</summary>
    [JsonPropertyName("compressionRatio")]
    public double? CompressionRatio { get; set; }

    /// <summary>Measured teacher inference latency divided by the student's.</summary>
    [JsonPropertyName("speedup")]
    public double? Speedup { get; set; }

    /// <summary>Where this run's student was written: its version folder (OUTPUT/versions/VERSION), which no later run writes into.</summary>
    [JsonPropertyName("artifactUri")]
    public string? ArtifactUri { get; set; }

    /// <summary>The version folder this run wrote (under OUTPUT/versions/).</summary>
    [JsonPropertyName("version")]
    public string? Version { get; set; }

    /// <summary>Whether this run's student was promoted to OUTPUT/current.</summary>
    [JsonPropertyName("promoted")]
    public bool? Promoted { get; set; }

    /// <summary>Why it was or was not promoted: Promoted, QualityTargetNotMet or RegressionFromPromoted.</summary>
    [JsonPropertyName("promotionReason")]
    public string? PromotionReason { get; set; }

    /// <summary>The figures behind the decision, in words (each gate bound and the measured value).</summary>
    [JsonPropertyName("promotionMessage")]
    public string? PromotionMessage { get; set; }

    /// <summary>The version that was promoted when the run compared against it (qualityGate.maxRegression).</summary>
    [JsonPropertyName("baselineVersion")]
    public string? BaselineVersion { get; set; }

    /// <summary>That version's accuracy on this run's validation data, as a fraction.</summary>
    [JsonPropertyName("baselineAccuracy")]
    public double? BaselineAccuracy { get; set; }

    /// <summary>The version promoted at OUTPUT/current when the run ended: this run's when promoted, else the earlier one (none when nothing was ever promoted).</summary>
    [JsonPropertyName("promotedVersion")]
    public string? PromotedVersion { get; set; }
}
