using System.ComponentModel.DataAnnotations;
using System.Text.Json.Serialization;
using DistillOperator.Api.Schema;

namespace DistillOperator.Api.V1Alpha1;

/// <summary>Quality the student must reach on the validation set for the job to succeed.</summary>
[CelRule("has(self.minStudentAccuracy) || has(self.minAgreement) || has(self.maxAccuracyDrop)", "set at least one of minStudentAccuracy, minAgreement or maxAccuracyDrop")]
public sealed class QualityGate
{
    /// <summary>Lowest acceptable student accuracy, as a fraction.</summary>
    [Range(0.0, 1.0, MinimumIsExclusive = true)]
    [JsonPropertyName("minStudentAccuracy")]
    public double? MinStudentAccuracy { get; set; }

    /// <summary>Lowest acceptable fraction of examples on which student and teacher predict the same class.</summary>
    [Range(0.0, 1.0, MinimumIsExclusive = true)]
    [JsonPropertyName("minAgreement")]
    public double? MinAgreement { get; set; }

    /// <summary>Largest acceptable drop from teacher to student accuracy, as a fraction (0.02 = two points).</summary>
    [Range(0.0, 1.0)]
    [JsonPropertyName("maxAccuracyDrop")]
    public double? MaxAccuracyDrop { get; set; }
}
