using TorchSharp;
using TorchSharp.Modules;
using static TorchSharp.torch;

namespace DistillOperator.Training.Models;

/// <summary>One transformer layer of a BERT encoder: self-attention and a feed-forward block, each with a residual LayerNorm.</summary>
internal sealed class BertLayer : nn.Module
{
    private readonly Linear _query;
    private readonly Linear _key;
    private readonly Linear _value;
    private readonly Linear _attentionOutput;
    private readonly LayerNorm _attentionNorm;
    private readonly Linear _intermediate;
    private readonly Linear _output;
    private readonly LayerNorm _outputNorm;
    private readonly int _heads;
    private readonly int _headSize;
    private readonly double _hiddenDropout;
    private readonly double _attentionDropout;

    public BertLayer(BertConfig config, int index)
        : base($"layer{index}")
    {
        var hidden = config.HiddenSize;
        _heads = config.Heads;
        _headSize = config.HeadSize;
        _hiddenDropout = config.HiddenDropout;
        _attentionDropout = config.AttentionDropout;
        _query = nn.Linear(hidden, hidden);
        _key = nn.Linear(hidden, hidden);
        _value = nn.Linear(hidden, hidden);
        _attentionOutput = nn.Linear(hidden, hidden);
        _attentionNorm = nn.LayerNorm(hidden, config.LayerNormEps);
        _intermediate = nn.Linear(hidden, config.IntermediateSize);
        _output = nn.Linear(config.IntermediateSize, hidden);
        _outputNorm = nn.LayerNorm(hidden, config.LayerNormEps);
        register_module("attention", new NamedContainer(
            "attention",
            ("self", new NamedContainer("self", ("query", _query), ("key", _key), ("value", _value))),
            ("output", new NamedContainer("output", ("dense", _attentionOutput), ("LayerNorm", _attentionNorm)))));
        register_module("intermediate", new NamedContainer("intermediate", ("dense", _intermediate)));
        register_module("output", new NamedContainer("output", ("dense", _output), ("LayerNorm", _outputNorm)));
    }

    /// <summary>Children are registered by hand under Hugging Face's names; field-name registration would add duplicates.</summary>
    protected override void RegisterComponents()
    {
    }

    /// <summary>
    /// Runs the layer. <paramref name="additiveMask"/> is [B, 1, 1, L] with 0 for tokens and a large finite negative
    /// number for padding. When <paramref name="wantAttention"/>, also returns the attention log-probabilities
    /// [B, H, L, L], taken before dropout so they are true distributions.
    /// </summary>
    public (Tensor Output, Tensor? AttentionLogProbs) Forward(Tensor input, Tensor additiveMask, bool wantAttention)
    {
        var batch = input.shape[0];
        var length = input.shape[1];
        Tensor Heads(Linear projection) => projection.call(input).view(batch, length, _heads, _headSize).transpose(1, 2);

        var scores = Heads(_query).matmul(Heads(_key).transpose(-1, -2)).div(Math.Sqrt(_headSize)).add(additiveMask);
        // The layer's output never depends on whether the attention is returned, so cached and live teacher outputs agree bit for bit.
        var probabilities = nn.functional.softmax(scores, -1);
        var logProbs = wantAttention ? nn.functional.log_softmax(scores, -1) : null;
        var context = nn.functional.dropout(probabilities, _attentionDropout, training)
            .matmul(Heads(_value))
            .transpose(1, 2)
            .reshape(batch, length, _heads * _headSize);
        var attended = _attentionNorm.call(nn.functional.dropout(_attentionOutput.call(context), _hiddenDropout, training).add(input));
        var expanded = nn.functional.gelu(_intermediate.call(attended));
        var output = _outputNorm.call(nn.functional.dropout(_output.call(expanded), _hiddenDropout, training).add(attended));
        return (output, logProbs);
    }
}
