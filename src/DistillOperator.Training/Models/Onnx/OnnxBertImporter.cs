using System.Text.RegularExpressions;
using static TorchSharp.torch;

namespace DistillOperator.Training.Models.Onnx;

/// <summary>
/// Loads a BERT encoder exported to ONNX as a teacher. Exporters keep Hugging Face names for most initializers but
/// give the matrices of linear layers numeric names; such a matrix is recovered from the graph: a MatMul whose output
/// feeds an Add with a named <c>….bias</c> initializer holds the transposed <c>….weight</c>. The head count comes from
/// config.json beside the file or, failing that, from the attention's 1/√d scaling in the graph. Any tensor that
/// cannot be placed is an error that lists them all.
/// </summary>
public static partial class OnnxBertImporter
{
    /// <summary>Loads the model at <paramref name="path"/>.</summary>
    /// <exception cref="InvalidDataException">The file is not a BERT encoder, or some weights cannot be placed.</exception>
    public static BertClassifier Load(string path, bool allowMissingHead, int? labels)
    {
        if (!File.Exists(path))
        {
            throw new InvalidDataException($"{path}: ONNX model not found");
        }

        var graph = OnnxGraph.Read(path);
        var (named, unplaced) = RecoverNames(graph);
        if (unplaced.Count > 0)
        {
            throw new InvalidDataException($"{path}: could not place these tensors in a BERT encoder: {string.Join(", ", unplaced)}");
        }

        var config = InferConfig(path, graph, named);
        if (labels is { } count)
        {
            config = config with { Labels = count };
        }

        var tensors = named.ToDictionary(p => Canonical(p.Key), p => tensor(p.Value.Floats!, p.Value.Dims), StringComparer.Ordinal);
        var model = new BertClassifier(config);
        try
        {
            var expected = model.state_dict().Keys.ToHashSet(StringComparer.Ordinal);
            var stray = tensors.Keys.Where(k => !expected.Contains(k)).ToList();
            if (stray.Count > 0)
            {
                throw new InvalidDataException($"{path}: could not place these tensors in a BERT encoder: {string.Join(", ", stray)}");
            }

            BertCheckpoint.Assign(model, tensors, path, Path.Combine(Path.GetDirectoryName(path) ?? ".", BertCheckpoint.ConfigFile) + " (or the graph)", allowMissingHead);
            return model;
        }
        catch
        {
            model.Dispose();
            throw;
        }
        finally
        {
            foreach (var t in tensors.Values)
            {
                t.Dispose();
            }
        }
    }

    /// <summary>Float initializers by Hugging Face name, and the float matrices that could not be named.</summary>
    internal static (Dictionary<string, OnnxTensor> Named, List<string> Unplaced) RecoverNames(OnnxGraph graph)
    {
        var named = new Dictionary<string, OnnxTensor>(StringComparer.Ordinal);
        var placedInitializers = new HashSet<string>(StringComparer.Ordinal);
        foreach (var (name, initializer) in graph.Initializers)
        {
            // Wrappers add prefixes ("model.bert.…", "inner.bert.…"); the Hugging Face name is what follows.
            if (initializer.DataType == OnnxTensor.Float && ParameterName().Match(name) is { Success: true } match)
            {
                named[match.Groups["name"].Value] = initializer;
                placedInitializers.Add(name);
            }
        }

        var consumers = graph.Nodes.SelectMany(n => n.Inputs.Select(i => (Input: i, Node: n))).ToLookup(p => p.Input, p => p.Node);
        var placed = placedInitializers;
        foreach (var matmul in graph.Nodes.Where(n => n.OpType == "MatMul" && n.Inputs.Count == 2))
        {
            if (!graph.Initializers.TryGetValue(matmul.Inputs[1], out var matrix) || matrix.DataType != OnnxTensor.Float || matrix.Dims.Length != 2 || placed.Contains(matrix.Name))
            {
                continue;
            }

            var bias = consumers[matmul.Outputs[0]]
                .Where(n => n.OpType == "Add")
                .SelectMany(n => n.Inputs)
                .Select(i => graph.Initializers.ContainsKey(i) ? ParameterName().Match(i) : Match.Empty)
                .FirstOrDefault(m => m.Success && m.Groups["name"].Value.EndsWith(".bias", StringComparison.Ordinal));
            if (bias is null)
            {
                continue;
            }

            named[bias.Groups["name"].Value[..^".bias".Length] + ".weight"] = Transpose(matrix);
            placed.Add(matrix.Name);
        }

        var unplaced = graph.Initializers.Values
            .Where(t => t.DataType == OnnxTensor.Float && t.Dims.Length >= 2 && !placed.Contains(t.Name))
            .Select(t => $"{t.Name} [{string.Join(", ", t.Dims)}]")
            .ToList();
        return (named, unplaced);
    }

    private static OnnxTensor Transpose(OnnxTensor matrix)
    {
        var (rows, columns) = ((int)matrix.Dims[0], (int)matrix.Dims[1]);
        var source = matrix.Floats!;
        var result = new float[source.Length];
        for (var r = 0; r < rows; r++)
        {
            for (var c = 0; c < columns; c++)
            {
                result[(c * rows) + r] = source[(r * columns) + c];
            }
        }

        return matrix with { Dims = [columns, rows], Floats = result };
    }

    private static BertConfig InferConfig(string path, OnnxGraph graph, Dictionary<string, OnnxTensor> named)
    {
        var configPath = Path.Combine(Path.GetDirectoryName(Path.GetFullPath(path))!, BertCheckpoint.ConfigFile);
        if (File.Exists(configPath))
        {
            return BertConfig.Read(configPath);
        }

        OnnxTensor Find(string suffix) =>
            named.FirstOrDefault(p => Canonical(p.Key).EndsWith(suffix, StringComparison.Ordinal)).Value
            ?? throw new InvalidDataException($"{path}: no {suffix} in the graph; is it a BERT encoder?");

        var words = Find("embeddings.word_embeddings.weight");
        var hidden = (int)words.Dims[1];
        var layers = named.Keys.Select(k => LayerIndex().Match(k)).Where(m => m.Success).Select(m => int.Parse(m.Groups[1].Value, System.Globalization.CultureInfo.InvariantCulture)).DefaultIfEmpty(-1).Max() + 1;
        var headSize = AttentionHeadSize(graph) ?? throw new InvalidDataException($"{path}: cannot tell the number of attention heads from the graph; put the model's {BertCheckpoint.ConfigFile} beside it");
        return new BertConfig
        {
            VocabSize = (int)words.Dims[0],
            HiddenSize = hidden,
            Layers = layers,
            Heads = hidden / headSize,
            IntermediateSize = (int)Find("layer.0.intermediate.dense.weight").Dims[0],
            MaxPositions = (int)Find("embeddings.position_embeddings.weight").Dims[0],
            TypeVocabSize = (int)Find("embeddings.token_type_embeddings.weight").Dims[0],
            Labels = named.TryGetValue("classifier.weight", out var classifier) ? (int)classifier.Dims[0] : 2,
        }.Validated(path);
    }

    // Attention scores are divided by √d (or multiplied by 1/√d) before the mask is added and the Softmax taken; the
    // constant gives the head size d.
    private static int? AttentionHeadSize(OnnxGraph graph)
    {
        var producers = graph.Nodes.SelectMany(n => n.Outputs.Select(o => (Output: o, Node: n))).ToDictionary(p => p.Output, p => p.Node, StringComparer.Ordinal);
        float? Scalar(string name) =>
            graph.Initializers.TryGetValue(name, out var t) && t.Floats is [var f] ? f
            : producers.TryGetValue(name, out var n) && n.OpType == "Constant" && n.Value?.Floats is [var c] ? c
            : null;

        foreach (var softmax in graph.Nodes.Where(n => n.OpType == "Softmax"))
        {
            var frontier = new Queue<(string Name, int Depth)>([(softmax.Inputs[0], 0)]);
            while (frontier.TryDequeue(out var item))
            {
                if (item.Depth > 3 || !producers.TryGetValue(item.Name, out var node))
                {
                    continue;
                }

                if (node.OpType is "Div" or "Mul" && node.Inputs.Count == 2 && Scalar(node.Inputs[1]) is { } scale && scale > 0)
                {
                    var squared = node.OpType == "Div" ? scale * scale : 1 / (scale * scale);
                    return (int)Math.Round(squared);
                }

                foreach (var input in node.Inputs)
                {
                    frontier.Enqueue((input, item.Depth + 1));
                }
            }
        }

        return null;
    }

    private static string Canonical(string name) =>
        name.StartsWith("bert.", StringComparison.Ordinal) || name.StartsWith("classifier.", StringComparison.Ordinal) ? name : "bert." + name;

    [GeneratedRegex(@"(?:^|\.)(?<name>(?:bert\.)?(?:embeddings|encoder|pooler)\..+|classifier\..+)$")]
    private static partial Regex ParameterName();

    [GeneratedRegex(@"encoder\.layer\.(\d+)\.")]
    private static partial Regex LayerIndex();
}
