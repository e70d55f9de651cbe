using System.ComponentModel.DataAnnotations;
using System.Text.Json.Serialization;
using DistillOperator.Api.Schema;

namespace DistillOperator.Api.V1Alpha1;

/// <summary>The distillation method: the losses and their schedule (Aguilar et al., AAAI 2020).</summary>
public sealed class DistillationSpec
{
    /// <summary>
    /// none: the student learns from hard labels only; soft: Hinton KD on the teacher's soft labels; all-layers: all
    /// internal losses at once, then soft-label KD; progressive (PID): one layer pair at a time bottom-up, then
    /// soft-label KD; stacked (SID): layers 1..k together at stage k, then soft-label KD.
    /// </summary>
    [JsonPropertyName("strategy")]
    public DistillationStrategy Strategy { get; set; } = DistillationStrategy.Stacked;

    /// <summary>Softmax temperature of the soft-label loss; the loss is scaled by its square.</summary>
    [Range(0.0, 100.0, MinimumIsExclusive = true)]
    [JsonPropertyName("temperature")]
    public double Temperature { get; set; } = 1.0;

    /// <summary>Weight of the soft-label KD loss in the classification stage.</summary>
    [Range(0.0, 1000.0)]
    [JsonPropertyName("softLabelWeight")]
    public double SoftLabelWeight { get; set; } = 1.0;

    /// <summary>Weight of the hard-label cross-entropy in the classification stage (the only loss of strategy none).</summary>
    [Range(0.0, 1000.0)]
    [JsonPropertyName("hardLabelWeight")]
    public double HardLabelWeight { get; set; }

    /// <summary>The internal-representation losses of all-layers, progressive and stacked.</summary>
    [JsonPropertyName("internal")]
    public InternalDistillationSpec Internal { get; set; } = new();

    /// <summary>Compute the teacher's outputs once and reuse them across epochs and stages.</summary>
    [JsonPropertyName("teacherCache")]
    public bool TeacherCache { get; set; } = true;

    /// <summary>Memory the teacher cache may use for [CLS] states and attention maps, in MiB; logits are always cached. What does not fit is recomputed by running the teacher.</summary>
    [Range(0, 1048576)]
    [JsonPropertyName("teacherCacheMemoryMiB")]
    public int TeacherCacheMemoryMiB { get; set; } = 1024;
}

/// <summary>Distillation schedules.</summary>
[JsonConverter(typeof(JsonStringEnumConverter<DistillationStrategy>))]
public enum DistillationStrategy
{
    /// <summary>No distillation: hard labels only (the baseline).</summary>
    [JsonStringEnumMemberName("none")] None,

    /// <summary>Soft-label knowledge distillation (Hinton et al.).</summary>
    [JsonStringEnumMemberName("soft")] Soft,

    /// <summary>All internal losses in one stage, then soft-label KD.</summary>
    [JsonStringEnumMemberName("all-layers")] AllLayers,

    /// <summary>Progressive internal distillation (PID): one layer pair per stage, bottom-up, then soft-label KD.</summary>
    [JsonStringEnumMemberName("progressive")] Progressive,

    /// <summary>Stacked internal distillation (SID): layers 1..k at stage k, then soft-label KD.</summary>
    [JsonStringEnumMemberName("stacked")] Stacked,
}

/// <summary>Losses on the teacher's internal representations, per matched layer pair.</summary>
[CelRule("self.layerMapping == 'explicit' ? (has(self.layerPairs) && size(self.layerPairs) > 0) : !has(self.layerPairs)", "layerPairs is required with layerMapping explicit, and only allowed with it")]
public sealed class InternalDistillationSpec
{
    /// <summary>KL(teacher ‖ student) between the self-attention probabilities of matched layers.</summary>
    [JsonPropertyName("attention")]
    public AttentionLossSpec Attention { get; set; } = new();

    /// <summary>The loss between the [CLS] hidden states of matched layers.</summary>
    [JsonPropertyName("hidden")]
    public HiddenLossSpec Hidden { get; set; } = new();

    /// <summary>uniform: student layer k matches teacher layer round(k·N/M); explicit: the pairs in layerPairs.</summary>
    [JsonPropertyName("layerMapping")]
    public LayerMappingMode LayerMapping { get; set; } = LayerMappingMode.Uniform;

    /// <summary>Explicit student↔teacher layer pairs (1-based), strictly increasing in both; only with layerMapping explicit.</summary>
    [JsonPropertyName("layerPairs")]
    public IList<LayerPair>? LayerPairs { get; set; }
}

/// <summary>The attention-probability loss.</summary>
public sealed class AttentionLossSpec
{
    /// <summary>Weight of the attention KL in internal stages; 0 turns it off.</summary>
    [Range(0.0, 1000.0)]
    [JsonPropertyName("weight")]
    public double Weight { get; set; } = 1.0;
}

/// <summary>The hidden-state loss.</summary>
public sealed class HiddenLossSpec
{
    /// <summary>cosine: 1 − cos between [CLS] states (needs equal widths); mse: mean squared error through a learned projection when widths differ.</summary>
    [JsonPropertyName("loss")]
    public HiddenLossKind Loss { get; set; } = HiddenLossKind.Cosine;

    /// <summary>Weight of the hidden-state loss in internal stages; 0 turns it off.</summary>
    [Range(0.0, 1000.0)]
    [JsonPropertyName("weight")]
    public double Weight { get; set; } = 1.0;
}

/// <summary>Hidden-state loss kinds.</summary>
[JsonConverter(typeof(JsonStringEnumConverter<HiddenLossKind>))]
public enum HiddenLossKind
{
    /// <summary>1 − cosine similarity of the [CLS] vectors.</summary>
    [JsonStringEnumMemberName("cosine")] Cosine,

    /// <summary>Mean squared error, through a learned projection when widths differ.</summary>
    [JsonStringEnumMemberName("mse")] Mse,
}

/// <summary>How student layers are matched to teacher layers.</summary>
[JsonConverter(typeof(JsonStringEnumConverter<LayerMappingMode>))]
public enum LayerMappingMode
{
    /// <summary>Student layer k ↔ teacher layer round(k·N/M).</summary>
    [JsonStringEnumMemberName("uniform")] Uniform,

    /// <summary>The pairs listed in layerPairs.</summary>
    [JsonStringEnumMemberName("explicit")] Explicit,
}

/// <summary>One matched pair of layers, 1-based.</summary>
public sealed class LayerPair
{
    /// <summary>Student layer, 1-based.</summary>
    [Required]
    [Range(1, 48)]
    [JsonPropertyName("student")]
    public int Student { get; set; }

    /// <summary>Teacher layer, 1-based.</summary>
    [Required]
    [Range(1, 48)]
    [JsonPropertyName("teacher")]
    public int Teacher { get; set; }
}
