using DistillOperator.Testing;
using DistillOperator.Training.Models;
using TorchSharp;
using static TorchSharp.torch;

namespace DistillOperator.Training.Tests;

/// <summary>The TorchSharp BERT and the PyTorch reference read the same safetensors and compute the same numbers.</summary>
public sealed class BertParityTests
{
    private const double Tolerance = 1e-4;

    private static readonly BertConfig Small = new()
    {
        VocabSize = 50, HiddenSize = 32, Layers = 3, Heads = 4, IntermediateSize = 64, Labels = 3, MaxPositions = 16,
    };

    private static Dictionary<string, Tensor> Inputs()
    {
        // Three examples, the second and third padded, the third a text pair (token types 0 then 1).
        var ids = tensor(new long[] { 2, 10, 11, 12, 13, 3, 2, 20, 21, 3, 0, 0, 2, 30, 3, 31, 3, 0 }, [3, 6]);
        var mask = tensor(new long[] { 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 0, 0, 1, 1, 1, 1, 1, 0 }, [3, 6]);
        var types = tensor(new long[] { 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 1, 1, 0 }, [3, 6]);
        return new() { ["input_ids"] = ids, ["attention_mask"] = mask, ["token_type_ids"] = types };
    }

    private static Dictionary<string, Tensor> TorchSharpOutputs(BertClassifier model, Dictionary<string, Tensor> inputs)
    {
        model.eval();
        using var noGrad = no_grad();
        var outputs = model.Forward(inputs["input_ids"], inputs["attention_mask"], inputs["token_type_ids"], ForwardRequest.Everything(model.Config.Layers));
        var result = new Dictionary<string, Tensor> { ["logits"] = outputs.Logits };
        for (var i = 0; i < outputs.HiddenStates!.Count; i++)
        {
            result[$"hidden.{i}"] = outputs.HiddenStates[i];
        }

        for (var layer = 1; layer <= model.Config.Layers; layer++)
        {
            result[$"attention.{layer}"] = outputs.AttentionLogProbs[layer]!.exp();
        }

        return result;
    }

    private static void AssertClose(Dictionary<string, Tensor> expected, Dictionary<string, Tensor> actual)
    {
        Assert.Equal(expected.Keys.Order(), actual.Keys.Order());
        foreach (var (name, reference) in expected)
        {
            var difference = (reference - actual[name]).abs().max().item<float>();
            Assert.True(difference <= Tolerance, $"{name}: largest difference {difference} exceeds {Tolerance}");
        }
    }

    [Fact]
    public void Weights_written_by_TorchSharp_give_the_same_outputs_in_PyTorch()
    {
        using var folder = new TempFolder();
        torch.manual_seed(11);
        using var model = new BertClassifier(Small);
        using (no_grad())
        {
            foreach (var p in model.parameters())
            {
                p.normal_(0.0, 0.1);
            }
        }

        BertCheckpoint.Save(model, folder.Combine("model"));
        var inputs = Inputs();
        SafeTensorsFile.Write(folder.Combine("inputs.safetensors"), inputs);

        PythonReference.Run("forward", folder.Combine("model"), folder.Combine("inputs.safetensors"), folder.Combine("reference.safetensors"));

        AssertClose(SafeTensorsFile.Read(folder.Combine("reference.safetensors")), TorchSharpOutputs(model, inputs));
    }

    [Fact]
    public void Weights_written_by_PyTorch_load_into_TorchSharp_and_give_the_same_outputs()
    {
        using var folder = new TempFolder();
        Directory.CreateDirectory(folder.Combine("model"));
        PythonReference.Run("init", folder.Combine("model"), "5", "50", "32", "2", "4", "64", "2", "16");
        var inputs = Inputs();
        SafeTensorsFile.Write(folder.Combine("inputs.safetensors"), inputs);
        PythonReference.Run("forward", folder.Combine("model"), folder.Combine("inputs.safetensors"), folder.Combine("reference.safetensors"));

        using var model = BertCheckpoint.Load(folder.Combine("model"));

        Assert.Equal((2, 32, 4, 2), (model.Config.Layers, model.Config.HiddenSize, model.Config.Heads, model.Config.Labels));
        AssertClose(SafeTensorsFile.Read(folder.Combine("reference.safetensors")), TorchSharpOutputs(model, inputs));
    }

    [Fact]
    public void A_TorchSharp_checkpoint_folder_loads_with_the_same_outputs()
    {
        using var folder = new TempFolder();
        torch.manual_seed(12);
        using var model = new BertClassifier(Small);
        model.Config.Write(folder.Combine("config.json"));
        model.save(folder.Combine(BertCheckpoint.TorchSharpWeightsFile));

        using var loaded = BertCheckpoint.LoadTorchSharp(folder.Path);

        AssertClose(TorchSharpOutputs(model, Inputs()), TorchSharpOutputs(loaded, Inputs()));
    }

    [Fact]
    public void Fine_tuning_for_another_number_of_classes_replaces_the_head_and_keeps_the_encoder()
    {
        using var folder = new TempFolder();
        using var model = new BertClassifier(Small);
        BertCheckpoint.Save(model, folder.Path);

        using var twoClasses = BertCheckpoint.Load(folder.Path, allowMissingHead: true, labels: 2);

        Assert.Equal([2L, 32L], twoClasses.state_dict()["classifier.weight"].shape);
        Assert.True(twoClasses.state_dict()["bert.encoder.layer.2.output.dense.weight"].allclose(model.state_dict()["bert.encoder.layer.2.output.dense.weight"], 0, 0));
        Assert.Throws<InvalidDataException>(() => BertCheckpoint.Load(folder.Path, allowMissingHead: false, labels: 2));
    }

    [Fact]
    public void A_pretraining_checkpoint_loads_its_encoder_and_leaves_out_the_masked_lm_and_next_sentence_heads()
    {
        using var folder = new TempFolder();
        using var model = new BertClassifier(Small);
        model.Config.Write(folder.Combine(BertCheckpoint.ConfigFile));
        var tensors = model.state_dict()
            .Where(p => !p.Key.StartsWith("classifier.", StringComparison.Ordinal))
            .ToDictionary(p => p.Key["bert.".Length..], p => p.Value);
        tensors["cls.predictions.bias"] = torch.zeros(Small.VocabSize);
        tensors["cls.seq_relationship.weight"] = torch.zeros(2, Small.HiddenSize);
        SafeTensorsFile.Write(folder.Combine(BertCheckpoint.WeightsFile), tensors);

        using var loaded = BertCheckpoint.Load(folder.Path, allowMissingHead: true, labels: 2);

        Assert.DoesNotContain(loaded.state_dict().Keys, k => k.StartsWith("cls.", StringComparison.Ordinal));
        Assert.True(loaded.state_dict()["bert.encoder.layer.1.attention.self.query.weight"].allclose(model.state_dict()["bert.encoder.layer.1.attention.self.query.weight"], 0, 0));
    }
}
