using TorchSharp;
using TorchSharp.Modules;
using static TorchSharp.torch;

namespace DistillOperator.Training.Models;

/// <summary>
/// A BERT encoder with a pooler and a classification head, with Hugging Face's parameter names
/// (<c>bert.encoder.layer.0.attention.self.query.weight</c>, <c>classifier.weight</c>), so its state dictionary is a
/// BertForSequenceClassification checkpoint. Returns per-layer [CLS] states and attention probabilities for distillation.
/// </summary>
public sealed class BertClassifier : nn.Module
{
    /// <summary>The additive attention mask of padded keys: finite, so a masked KL never sees 0·(−∞).</summary>
    public const float MaskValue = -10000f;

    private readonly Embedding _wordEmbeddings;
    private readonly Embedding _positionEmbeddings;
    private readonly Embedding _tokenTypeEmbeddings;
    private readonly LayerNorm _embeddingNorm;
    private readonly ModuleList<BertLayer> _layers;
    private readonly Linear _pooler;
    private readonly Linear _classifier;

    /// <summary>Creates the model with Hugging Face's initialisation (normal(0, 0.02) weights, zero biases).</summary>
    public BertClassifier(BertConfig config)
        : base("bert_classifier")
    {
        ArgumentNullException.ThrowIfNull(config);
        Config = config;
        _wordEmbeddings = nn.Embedding(config.VocabSize, config.HiddenSize);
        _positionEmbeddings = nn.Embedding(config.MaxPositions, config.HiddenSize);
        _tokenTypeEmbeddings = nn.Embedding(config.TypeVocabSize, config.HiddenSize);
        _embeddingNorm = nn.LayerNorm(config.HiddenSize, config.LayerNormEps);
        _layers = nn.ModuleList([.. Enumerable.Range(0, config.Layers).Select(i => new BertLayer(config, i))]);
        _pooler = nn.Linear(config.HiddenSize, config.HiddenSize);
        _classifier = nn.Linear(config.HiddenSize, config.Labels);
        var embeddings = new NamedContainer(
            "embeddings",
            ("word_embeddings", _wordEmbeddings),
            ("position_embeddings", _positionEmbeddings),
            ("token_type_embeddings", _tokenTypeEmbeddings),
            ("LayerNorm", _embeddingNorm));
        register_module("bert", new NamedContainer(
            "bert",
            ("embeddings", embeddings),
            ("encoder", new NamedContainer("encoder", ("layer", _layers))),
            ("pooler", new NamedContainer("pooler", ("dense", _pooler)))));
        register_module("classifier", _classifier);
        InitializeWeights();
    }

    /// <summary>Children are registered by hand under Hugging Face's names; field-name registration would add duplicates.</summary>
    protected override void RegisterComponents()
    {
    }

    /// <summary>The model's shape.</summary>
    public BertConfig Config { get; }

    /// <summary>The word-piece, position and token-type embedding tables (not their LayerNorm).</summary>
    public IEnumerable<Parameter> EmbeddingTables =>
        new[] { _wordEmbeddings, _positionEmbeddings, _tokenTypeEmbeddings }.SelectMany(e => e.parameters());

    /// <summary>Number of parameters.</summary>
    public long ParameterCount => parameters().Sum(p => p.numel());

    /// <summary>The device the model's parameters are on (inputs must be there too).</summary>
    public Device Device => parameters().First().device;

    /// <summary>
    /// Runs the model on a batch: token ids [B, L], attention mask [B, L] (1 for tokens, 0 for padding) and optional
    /// token type ids [B, L].
    /// </summary>
    public BertOutputs Forward(Tensor inputIds, Tensor attentionMask, Tensor? tokenTypeIds, ForwardRequest request)
    {
        ArgumentNullException.ThrowIfNull(inputIds);
        ArgumentNullException.ThrowIfNull(attentionMask);
        ArgumentNullException.ThrowIfNull(request);
        var length = inputIds.shape[1];
        if (length > Config.MaxPositions)
        {
            throw new ArgumentException($"sequence length {length} exceeds the model's max_position_embeddings ({Config.MaxPositions})", nameof(inputIds));
        }

        using var positions = arange(length, dtype: ScalarType.Int64, device: inputIds.device).unsqueeze(0);
        using var types = tokenTypeIds is null ? zeros_like(inputIds) : null;
        var embedded = _wordEmbeddings.call(inputIds)
            .add(_positionEmbeddings.call(positions))
            .add(_tokenTypeEmbeddings.call(tokenTypeIds ?? types!));
        var hidden = nn.functional.dropout(_embeddingNorm.call(embedded), Config.HiddenDropout, training);
        var additiveMask = ones_like(attentionMask, ScalarType.Float32).sub(attentionMask.to(ScalarType.Float32)).mul(MaskValue).view(attentionMask.shape[0], 1, 1, length);

        var cls = new List<Tensor>(Config.Layers + 1) { hidden.select(1, 0) };
        var attention = new List<Tensor?>(Config.Layers + 1) { null };
        var full = request.FullHiddenStates ? new List<Tensor> { hidden } : null;
        for (var layer = 1; layer <= Config.Layers; layer++)
        {
            (hidden, var logProbs) = _layers[layer - 1].Forward(hidden, additiveMask, request.AttentionLayers.Contains(layer));
            cls.Add(hidden.select(1, 0));
            attention.Add(logProbs);
            full?.Add(hidden);
        }

        var pooled = _pooler.call(hidden.select(1, 0)).tanh();
        var logits = _classifier.call(nn.functional.dropout(pooled, Config.HiddenDropout, training));
        return new BertOutputs { Logits = logits, ClsStates = cls, AttentionLogProbs = attention, HiddenStates = full };
    }

    /// <summary>Hugging Face's initialisation: normal(0, 0.02) for weights and embeddings, zero biases, unit LayerNorms.</summary>
    public void InitializeWeights()
    {
        using var noGrad = no_grad();
        foreach (var (name, parameter) in named_parameters())
        {
            if (name.EndsWith("LayerNorm.weight", StringComparison.Ordinal))
            {
                parameter.fill_(1.0);
            }
            else if (name.EndsWith(".bias", StringComparison.Ordinal))
            {
                parameter.zero_();
            }
            else
            {
                parameter.normal_(0.0, 0.02);
            }
        }
    }
}
