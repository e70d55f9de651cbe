using System.ComponentModel.DataAnnotations;
using System.Text.Json.Serialization;
using DistillOperator.Api.Schema;

namespace DistillOperator.Api.V1Alpha1;

/// <summary>
/// Quality the student must reach on the validation set to be promoted (to become OUTPUT/current); a student that
/// misses it is kept in its version folder, not promoted, and the job fails with reason QualityTargetNotMet.
/// </summary>
[CelRule("has(self.minStudentAccuracy) || has(self.minAgreement) || has(self.maxAccuracyDrop) || has(self.maxRegression)", "set at least one of minStudentAccuracy, minAgreement, maxAccuracyDrop or maxRegression")]
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

    /// <summary>
    /// Compare with the student promoted now: it is evaluated on this run's validation data, and the new student is
    /// promoted only when its accuracy is at most this much below (0 = at least as good; 0.005 = half a point). Unset:
    /// no comparison. The first run to an output, with nothing promoted yet, has nothing to regress from.
    /// </summary>
    [Range(0.0, 1.0)]
    [JsonPropertyName("maxRegression")]
    public double? MaxRegression { get; set; }
}
