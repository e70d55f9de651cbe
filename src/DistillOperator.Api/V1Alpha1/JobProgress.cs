using System.Text.Json.Serialization;

namespace DistillOperator.Api.V1Alpha1;

/// <summary>Where training is, reported by the trainer.</summary>
public sealed class JobProgress
{
    /// <summary>Name of the current stage, such as teacher-finetune, internal-3 or classification.</summary>
    [JsonPropertyName("stage")]
    public string? Stage { get; set; }

    /// <summary>1-based index of the current stage.</summary>
    [JsonPropertyName("stageIndex")]
    public int? StageIndex { get; set; }

    /// <summary>Number of stages in the run.</summary>
    [JsonPropertyName("stageCount")]
    public int? StageCount { get; set; }

    /// <summary>1-based epoch within the current stage.</summary>
    [JsonPropertyName("epoch")]
    public int? Epoch { get; set; }

    /// <summary>Optimizer steps done over the whole run.</summary>
    [JsonPropertyName("step")]
    public long? Step { get; set; }

    /// <summary>Optimizer steps the whole run will take.</summary>
    [JsonPropertyName("totalSteps")]
    public long? TotalSteps { get; set; }

    /// <summary>Whole-run completion, 0 to 100.</summary>
    [JsonPropertyName("percent")]
    public double? Percent { get; set; }

    /// <summary>Estimated seconds to the end of the run.</summary>
    [JsonPropertyName("etaSeconds")]
    public long? EtaSeconds { get; set; }

    /// <summary>Recent value of each active loss term.</summary>
    [JsonPropertyName("losses")]
    public LossValues? Losses { get; set; }

    /// <summary>Location of the newest valid checkpoint, as a storage URI (pvc://CLAIM/PATH for a claim's files).</summary>
    [JsonPropertyName("lastCheckpoint")]
    public string? LastCheckpoint { get; set; }

    /// <summary>
    /// What the trainer warned about in this run, oldest first (at most 8, each once): a pod given GPUs that trains on
    /// the CPU, a keepBest run without a final-stage evaluation, a checkpoint that did not fit and was not resumed.
    /// </summary>
    [JsonPropertyName("warnings")]
    public List<string>? Warnings { get; set; }

    /// <summary>When the trainer wrote this progress.</summary>
    [JsonPropertyName("updateTime")]
    public DateTime? UpdateTime { get; set; }
}

/// <summary>Loss terms, each reported on its own so a user can see which one is not moving.</summary>
public sealed class LossValues
{
    /// <summary>Soft-label KD loss.</summary>
    [JsonPropertyName("soft")]
    public double? Soft { get; set; }

    /// <summary>Hard-label cross-entropy.</summary>
    [JsonPropertyName("hard")]
    public double? Hard { get; set; }

    /// <summary>Attention KL, summed over the stage's layer pairs.</summary>
    [JsonPropertyName("attention")]
    public double? Attention { get; set; }

    /// <summary>Hidden-state loss, summed over the stage's layer pairs.</summary>
    [JsonPropertyName("hidden")]
    public double? Hidden { get; set; }
}
