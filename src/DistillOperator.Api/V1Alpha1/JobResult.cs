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

    /// <summary>Where the exported student was written.</summary>
    [JsonPropertyName("artifactUri")]
    public string? ArtifactUri { get; set; }
}
