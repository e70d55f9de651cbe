using System.ComponentModel.DataAnnotations;
using System.Text.Json.Serialization;

namespace DistillOperator.Api.V1Alpha1;

/// <summary>Optimisation of the student: AdamW with linear warm-up and decay, restarted at each stage.</summary>
public sealed class TrainingSpec
{
    /// <summary>Epochs of each internal-distillation stage (one per layer pair for progressive and stacked).</summary>
    [Range(1, 1000)]
    [JsonPropertyName("epochsPerStage")]
    public int EpochsPerStage { get; set; } = 1;

    /// <summary>Epochs of the final classification stage (soft/hard labels). Defaults to epochsPerStage.</summary>
    [Range(1, 1000)]
    [JsonPropertyName("classificationEpochs")]
    public int? ClassificationEpochs { get; set; }

    /// <summary>Examples per optimizer step.</summary>
    [Range(1, 65536)]
    [JsonPropertyName("batchSize")]
    public int BatchSize { get; set; } = 32;

    /// <summary>Peak learning rate of the student.</summary>
    [Range(0.0, 1.0, MinimumIsExclusive = true)]
    [JsonPropertyName("learningRate")]
    public double LearningRate { get; set; } = 5e-5;

    /// <summary>Fraction of each stage's steps spent warming the learning rate up from 0.</summary>
    [Range(0.0, 1.0, MaximumIsExclusive = true)]
    [JsonPropertyName("warmupRatio")]
    public double WarmupRatio { get; set; } = 0.1;

    /// <summary>AdamW weight decay (not applied to biases and LayerNorm).</summary>
    [Range(0.0, 1.0)]
    [JsonPropertyName("weightDecay")]
    public double WeightDecay { get; set; } = 0.01;

    /// <summary>Gradients are clipped to this global L2 norm; 0 turns clipping off.</summary>
    [Range(0.0, 1e6)]
    [JsonPropertyName("maxGradNorm")]
    public double MaxGradNorm { get; set; } = 1.0;

    /// <summary>Seed for initialisation, shuffling and dropout; the same seed gives the same student.</summary>
    [Range(0, int.MaxValue)]
    [JsonPropertyName("seed")]
    public int Seed { get; set; } = 42;

    /// <summary>Write a checkpoint every this many optimizer steps (and at every stage end); 0 only at stage ends.</summary>
    [Range(0, int.MaxValue)]
    [JsonPropertyName("checkpointEverySteps")]
    public int CheckpointEverySteps { get; set; } = 500;

    /// <summary>Evaluate on the validation set every this many steps; 0 evaluates at the end of each epoch.</summary>
    [Range(0, int.MaxValue)]
    [JsonPropertyName("evalEverySteps")]
    public int EvalEverySteps { get; set; }

    /// <summary>
    /// Export the student from the final stage's evaluation with the best validation accuracy (evaluated every
    /// evalEverySteps steps, or at each epoch's end) instead of the last one, as the paper selects its models on the
    /// development set. The best so far is saved in every checkpoint, so a resumed run keeps it. Needs
    /// spec.data.validation.
    /// </summary>
    [JsonPropertyName("keepBest")]
    public bool? KeepBest { get; set; }

    /// <summary>Group examples of similar length into batches, so less padding is computed.</summary>
    [JsonPropertyName("lengthBucketing")]
    public bool LengthBucketing { get; set; } = true;
}
