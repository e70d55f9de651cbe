using static TorchSharp.torch;

namespace DistillOperator.Training.Models;

/// <summary>Loads and saves Hugging Face BERT checkpoints: a folder with config.json and model.safetensors.</summary>
public static class BertCheckpoint
{
    /// <summary>The config file of a checkpoint folder.</summary>
    public const string ConfigFile = "config.json";

    /// <summary>The weights file of a checkpoint folder.</summary>
    public const string WeightsFile = "model.safetensors";

    // Tensors some checkpoints carry that are buffers, not parameters.
    private static readonly string[] IgnoredSuffixes = ["embeddings.position_ids", "embeddings.token_type_ids"];

    // The pre-training heads of BertForPreTraining checkpoints (masked-LM and next-sentence): a classifier has no use for them.
    private const string PretrainingHeadsPrefix = "cls.";

    /// <summary>Writes config.json and model.safetensors into <paramref name="folder"/>, each atomically.</summary>
    public static void Save(BertClassifier model, string folder)
    {
        ArgumentNullException.ThrowIfNull(model);
        Directory.CreateDirectory(folder);
        var state = model.state_dict();
        SafeTensorsFile.Write(Path.Combine(folder, WeightsFile), state, new Dictionary<string, string> { ["format"] = "pt" });
        model.Config.Write(Path.Combine(folder, ConfigFile));
    }

    /// <summary>
    /// Loads a checkpoint. Names may carry the <c>bert.</c> prefix or not (BertModel checkpoints), old
    /// <c>gamma</c>/<c>beta</c> LayerNorm names are understood, and the pre-training heads (<c>cls.*</c>) of
    /// BertForPreTraining checkpoints such as bert-base-uncased are left out. With <paramref name="allowMissingHead"/>, a checkpoint
    /// without pooler or classifier (a pretrained encoder) loads with those freshly initialised.
    /// </summary>
    /// <exception cref="InvalidDataException">
    /// Missing files, a config.json that does not match the weights, or unknown tensors; the message lists them.
    /// </exception>
    public static BertClassifier Load(string folder, bool allowMissingHead = false, int? labels = null)
    {
        var configPath = Path.Combine(folder, ConfigFile);
        var weightsPath = Path.Combine(folder, WeightsFile);
        foreach (var required in new[] { configPath, weightsPath })
        {
            if (!File.Exists(required))
            {
                throw new InvalidDataException($"{required}: not found; a Hugging Face BERT checkpoint folder holds {ConfigFile} and {WeightsFile}");
            }
        }

        var config = BertConfig.Read(configPath);
        if (labels is { } count)
        {
            config = config with { Labels = count };
        }

        var tensors = SafeTensorsFile.Read(weightsPath);
        var model = new BertClassifier(config);
        try
        {
            Assign(model, Rename(tensors), weightsPath, configPath, allowMissingHead);
            return model;
        }
        catch
        {
            model.Dispose();
            throw;
        }
        finally
        {
            foreach (var tensor in tensors.Values)
            {
                tensor.Dispose();
            }
        }
    }

    /// <summary>The weights file of a TorchSharp checkpoint folder (TorchSharp's own format, beside config.json).</summary>
    public const string TorchSharpWeightsFile = "model.dat";

    /// <summary>Loads a folder with config.json and a TorchSharp state dictionary (model.dat).</summary>
    /// <exception cref="InvalidDataException">A file is missing or the weights do not fit the config.</exception>
    public static BertClassifier LoadTorchSharp(string folder, int? labels = null)
    {
        var weights = Path.Combine(folder, TorchSharpWeightsFile);
        if (!File.Exists(weights))
        {
            throw new InvalidDataException($"{weights}: not found; a torchsharp checkpoint folder holds {ConfigFile} and {TorchSharpWeightsFile}");
        }

        var config = BertConfig.Read(Path.Combine(folder, ConfigFile));
        var model = new BertClassifier(labels is { } count ? config with { Labels = count } : config);
        try
        {
            model.load(weights, strict: labels is null);
            return model;
        }
        catch (Exception e) when (e is ArgumentException or InvalidOperationException or IOException)
        {
            model.Dispose();
            throw new InvalidDataException($"{weights} does not match {Path.Combine(folder, ConfigFile)}: {e.Message}", e);
        }
    }

    /// <summary>Copies named tensors into the model's parameters, checking that every name and shape matches.</summary>
    public static void Assign(BertClassifier model, IReadOnlyDictionary<string, Tensor> tensors, string weightsSource, string configSource, bool allowMissingHead)
    {
        ArgumentNullException.ThrowIfNull(model);
        ArgumentNullException.ThrowIfNull(tensors);
        var state = model.state_dict();
        var problems = new List<string>();
        foreach (var (name, tensor) in tensors)
        {
            if (IgnoredSuffixes.Any(s => name.EndsWith(s, StringComparison.Ordinal)))
            {
                continue;
            }

            if (allowMissingHead && name.StartsWith("classifier.", StringComparison.Ordinal) && state.TryGetValue(name, out var head) && !head.shape.SequenceEqual(tensor.shape))
            {
                continue; // a head for another number of classes is replaced by a fresh one, which fine-tuning trains
            }

            if (!state.TryGetValue(name, out var target))
            {
                problems.Add($"unexpected tensor {name} [{string.Join(", ", tensor.shape)}]");
            }
            else if (!target.shape.SequenceEqual(tensor.shape))
            {
                problems.Add($"{name} is [{string.Join(", ", tensor.shape)}] in the weights but [{string.Join(", ", target.shape)}] by {configSource}");
            }
        }

        var missing = state.Keys.Where(k => !tensors.ContainsKey(k))
            .Where(k => !(allowMissingHead && (k.StartsWith("classifier.", StringComparison.Ordinal) || k.StartsWith("bert.pooler.", StringComparison.Ordinal))))
            .ToList();
        problems.AddRange(missing.Select(k => $"missing tensor {k}"));
        if (problems.Count > 0)
        {
            throw new InvalidDataException($"{weightsSource} does not match {configSource}: " + string.Join("; ", problems.Take(20)) + (problems.Count > 20 ? $"; and {problems.Count - 20} more" : ""));
        }

        using var noGrad = no_grad();
        foreach (var (name, target) in state)
        {
            if (tensors.TryGetValue(name, out var source) && source.shape.SequenceEqual(target.shape))
            {
                target.copy_(source);
            }
        }
    }

    private static Dictionary<string, Tensor> Rename(Dictionary<string, Tensor> tensors)
    {
        var renamed = new Dictionary<string, Tensor>(StringComparer.Ordinal);
        foreach (var (name, tensor) in tensors)
        {
            if (name.StartsWith(PretrainingHeadsPrefix, StringComparison.Ordinal))
            {
                continue;
            }

            var canonical = name.Replace("LayerNorm.gamma", "LayerNorm.weight", StringComparison.Ordinal)
                .Replace("LayerNorm.beta", "LayerNorm.bias", StringComparison.Ordinal);
            if (!canonical.StartsWith("bert.", StringComparison.Ordinal) && !canonical.StartsWith("classifier.", StringComparison.Ordinal))
            {
                canonical = "bert." + canonical;
            }

            renamed[canonical] = tensor;
        }

        return renamed;
    }
}
