using System.ComponentModel.DataAnnotations;
using System.Text.Json.Serialization;
using DistillOperator.Api.Schema;

namespace DistillOperator.Api.V1Alpha1;

/// <summary>The teacher: a trained model, or an architecture to train from scratch on the data.</summary>
[CelRule("has(self.model) != has(self.architecture)", "set exactly one of model (a trained checkpoint) or architecture (train from scratch)")]
public sealed class TeacherSpec
{
    /// <summary>A trained checkpoint to load. Its config gives the architecture.</summary>
    [JsonPropertyName("model")]
    public ModelSource? Model { get; set; }

    /// <summary>Train the teacher on the training data before distilling. Implied, with defaults, when the teacher has an architecture and no model.</summary>
    [JsonPropertyName("finetune")]
    public FinetuneSpec? Finetune { get; set; }

    /// <summary>The architecture of a teacher trained from scratch. Only when there is no model.</summary>
    [JsonPropertyName("architecture")]
    public ArchitectureSpec? Architecture { get; set; }
}

/// <summary>A model checkpoint on storage.</summary>
public sealed class ModelSource
{
    /// <summary>Folder of the checkpoint: <c>pvc://CLAIM/PATH</c>, <c>file:///PATH</c> or a relative path for local runs.</summary>
    [Required]
    [MinLength(1)]
    [JsonPropertyName("uri")]
    public string Uri { get; set; } = "";

    /// <summary>Checkpoint format: huggingface (config.json + model.safetensors), torchsharp, or onnx (a BERT graph whose weights are recovered).</summary>
    [JsonPropertyName("format")]
    public ModelFormat Format { get; set; } = ModelFormat.HuggingFace;
}

/// <summary>Checkpoint formats the trainer reads.</summary>
[JsonConverter(typeof(JsonStringEnumConverter<ModelFormat>))]
public enum ModelFormat
{
    /// <summary>Hugging Face BERT: config.json and model.safetensors with HF parameter names.</summary>
    [JsonStringEnumMemberName("huggingface")] HuggingFace,

    /// <summary>A TorchSharp state dictionary written by this trainer.</summary>
    [JsonStringEnumMemberName("torchsharp")] TorchSharp,

    /// <summary>An ONNX export of a BERT encoder; parameter names are recovered from the graph.</summary>
    [JsonStringEnumMemberName("onnx")] Onnx,
}

/// <summary>Fine-tuning of the teacher on the training data before distillation.</summary>
public sealed class FinetuneSpec
{
    /// <summary>Epochs of fine-tuning.</summary>
    [Range(1, 1000)]
    [JsonPropertyName("epochs")]
    public int Epochs { get; set; } = 3;

    /// <summary>Peak learning rate of the fine-tuning.</summary>
    [Range(0.0, 1.0, MinimumIsExclusive = true)]
    [JsonPropertyName("learningRate")]
    public double LearningRate { get; set; } = 2e-5;
}

/// <summary>The shape of a BERT-style transformer encoder.</summary>
[CelRule("!has(self.hiddenSize) || !has(self.heads) || self.hiddenSize % self.heads == 0", "hiddenSize must be divisible by heads")]
public sealed class ArchitectureSpec
{
    /// <summary>Number of transformer layers.</summary>
    [Range(1, 48)]
    [JsonPropertyName("layers")]
    public int? Layers { get; set; }

    /// <summary>Width of the hidden states.</summary>
    [Range(8, 8192)]
    [JsonPropertyName("hiddenSize")]
    public int? HiddenSize { get; set; }

    /// <summary>Attention heads per layer; must divide hiddenSize.</summary>
    [Range(1, 128)]
    [JsonPropertyName("heads")]
    public int? Heads { get; set; }

    /// <summary>Width of the feed-forward layer inside each transformer layer.</summary>
    [Range(1, 65536)]
    [JsonPropertyName("intermediateSize")]
    public int? IntermediateSize { get; set; }
}
