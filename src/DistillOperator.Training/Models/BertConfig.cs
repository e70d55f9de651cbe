using System.Text.Json;
using System.Text.Json.Nodes;
using System.Text.Json.Serialization;
using DistillOperator.Api.V1Alpha1;

namespace DistillOperator.Training.Models;

/// <summary>The shape of a BERT encoder with a classification head, read from and written as Hugging Face config.json.</summary>
public sealed record BertConfig
{
    /// <summary>Token vocabulary size.</summary>
    [JsonPropertyName("vocab_size")] public int VocabSize { get; init; } = 30522;

    /// <summary>Width of the hidden states.</summary>
    [JsonPropertyName("hidden_size")] public int HiddenSize { get; init; } = 768;

    /// <summary>Number of transformer layers.</summary>
    [JsonPropertyName("num_hidden_layers")] public int Layers { get; init; } = 12;

    /// <summary>Attention heads per layer.</summary>
    [JsonPropertyName("num_attention_heads")] public int Heads { get; init; } = 12;

    /// <summary>Width of the feed-forward layer.</summary>
    [JsonPropertyName("intermediate_size")] public int IntermediateSize { get; init; } = 3072;

    /// <summary>Activation of the feed-forward layer; only gelu (exact, erf) is supported.</summary>
    [JsonPropertyName("hidden_act")] public string HiddenActivation { get; init; } = "gelu";

    /// <summary>Dropout on embeddings and layer outputs.</summary>
    [JsonPropertyName("hidden_dropout_prob")] public double HiddenDropout { get; init; } = 0.1;

    /// <summary>Dropout on attention probabilities.</summary>
    [JsonPropertyName("attention_probs_dropout_prob")] public double AttentionDropout { get; init; } = 0.1;

    /// <summary>Longest sequence the position embeddings cover.</summary>
    [JsonPropertyName("max_position_embeddings")] public int MaxPositions { get; init; } = 512;

    /// <summary>Number of token types (segments) for text pairs.</summary>
    [JsonPropertyName("type_vocab_size")] public int TypeVocabSize { get; init; } = 2;

    /// <summary>LayerNorm epsilon.</summary>
    [JsonPropertyName("layer_norm_eps")] public double LayerNormEps { get; init; } = 1e-12;

    /// <summary>Number of classes of the classification head.</summary>
    [JsonIgnore] public int Labels { get; init; } = 2;

    /// <summary>Class names in index order, when known.</summary>
    [JsonIgnore] public IReadOnlyList<string>? LabelNames { get; init; }

    /// <summary>Width of one attention head.</summary>
    [JsonIgnore] public int HeadSize => HiddenSize / Heads;

    /// <summary>The architecture as the API describes it.</summary>
    public ArchitectureSpec ToArchitecture() =>
        new() { Layers = Layers, HiddenSize = HiddenSize, Heads = Heads, IntermediateSize = IntermediateSize };

    /// <summary>Checks that the numbers fit together; throws <see cref="InvalidDataException"/> naming the field.</summary>
    public BertConfig Validated(string source)
    {
        void Require(bool ok, string field, string message)
        {
            if (!ok)
            {
                throw new InvalidDataException($"{source}: {field}: {message}");
            }
        }

        Require(VocabSize > 0, "vocab_size", $"must be positive, got {VocabSize}");
        Require(Layers > 0, "num_hidden_layers", $"must be positive, got {Layers}");
        Require(Heads > 0 && HiddenSize % Heads == 0, "num_attention_heads", $"must divide hidden_size ({HiddenSize}), got {Heads}");
        Require(IntermediateSize > 0, "intermediate_size", $"must be positive, got {IntermediateSize}");
        Require(MaxPositions > 0, "max_position_embeddings", $"must be positive, got {MaxPositions}");
        Require(Labels >= 2, "num_labels", $"must be at least 2, got {Labels}");
        Require(HiddenActivation is "gelu", "hidden_act", $"only gelu is supported, got \"{HiddenActivation}\"");
        return this;
    }

    /// <summary>Reads a Hugging Face config.json.</summary>
    /// <exception cref="InvalidDataException">The file is not a BERT config; the message names the file and field.</exception>
    public static BertConfig Read(string path)
    {
        JsonObject json;
        try
        {
            json = JsonNode.Parse(File.ReadAllText(path)) as JsonObject ?? throw new InvalidDataException($"{path}: must be a JSON object");
        }
        catch (JsonException e)
        {
            throw new InvalidDataException($"{path}: not valid JSON (line {e.LineNumber + 1}): {e.Message}", e);
        }

        if (json["model_type"] is { } modelType && (string?)modelType is not ("bert" or null))
        {
            throw new InvalidDataException($"{path}: model_type: only bert is supported, got \"{(string?)modelType}\"");
        }

        BertConfig config;
        try
        {
            config = json.Deserialize<BertConfig>() ?? throw new InvalidDataException($"{path}: empty");
        }
        catch (JsonException e)
        {
            throw new InvalidDataException($"{path}: {e.Path?.TrimStart('$', '.')}: {e.Message}", e);
        }

        var names = (json["id2label"] as JsonObject)?
            .Select(p => (Index: int.TryParse(p.Key, out var i) ? i : -1, Name: (string?)p.Value ?? p.Key))
            .OrderBy(p => p.Index)
            .Select(p => p.Name)
            .ToList();
        var labels = (int?)json["num_labels"] ?? names?.Count ?? 2;
        return (config with { Labels = labels, LabelNames = names }).Validated(path);
    }

    /// <summary>Writes config.json in the Hugging Face layout, so transformers can load the model.</summary>
    public void Write(string path)
    {
        var json = JsonSerializer.SerializeToNode(this)!.AsObject();
        json["model_type"] = "bert";
        json["architectures"] = new JsonArray("BertForSequenceClassification");
        json["num_labels"] = Labels;
        var names = LabelNames ?? [.. Enumerable.Range(0, Labels).Select(i => $"LABEL_{i}")];
        json["id2label"] = new JsonObject(names.Select((n, i) => KeyValuePair.Create(i.ToString(System.Globalization.CultureInfo.InvariantCulture), (JsonNode?)n)));
        json["label2id"] = new JsonObject(names.Select((n, i) => KeyValuePair.Create(n, (JsonNode?)i)));
        json["pad_token_id"] = 0;
        json["position_embedding_type"] = "absolute";
        AtomicFile.WriteAllText(path, json.ToJsonString(new JsonSerializerOptions { WriteIndented = true }) + "\n");
    }
}
