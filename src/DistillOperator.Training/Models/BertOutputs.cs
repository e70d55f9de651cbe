using static TorchSharp.torch;

namespace DistillOperator.Training.Models;

/// <summary>What a forward pass should keep besides the logits; internal outputs cost memory, so ask only for what a loss needs.</summary>
/// <param name="AttentionLayers">1-based layers whose attention log-probabilities to return.</param>
/// <param name="FullHiddenStates">Return every layer's full hidden states [B, L, H], not only [CLS].</param>
public sealed record ForwardRequest(IReadOnlySet<int> AttentionLayers, bool FullHiddenStates = false)
{
    /// <summary>Logits and [CLS] states only.</summary>
    public static ForwardRequest LogitsOnly { get; } = new(new HashSet<int>());

    /// <summary>Everything, for every layer (tests and reference comparisons).</summary>
    public static ForwardRequest Everything(int layers) => new(Enumerable.Range(1, layers).ToHashSet(), FullHiddenStates: true);
}

/// <summary>The outputs of a BERT classifier's forward pass. Index 0 of the per-layer lists is the embedding output.</summary>
public sealed class BertOutputs
{
    /// <summary>Class logits [B, C].</summary>
    public required Tensor Logits { get; init; }

    /// <summary>The [CLS] vector [B, H] after each layer (index 0: embeddings), before the pooler.</summary>
    public required IReadOnlyList<Tensor> ClsStates { get; init; }

    /// <summary>Attention log-probabilities [B, heads, L, L] of the requested layers (index = layer, 1-based); null where not requested.</summary>
    public required IReadOnlyList<Tensor?> AttentionLogProbs { get; init; }

    /// <summary>Full hidden states [B, L, H] per layer (index 0: embeddings), when requested.</summary>
    public IReadOnlyList<Tensor>? HiddenStates { get; init; }
}
