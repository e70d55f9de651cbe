using DistillOperator.Testing;
using DistillOperator.Training.Distillation;
using DistillOperator.Training.Models;
using TorchSharp;
using static TorchSharp.torch;

namespace DistillOperator.Training.Tests;

/// <summary>Every loss term equals PyTorch's on the same fixed tensors.</summary>
public sealed class LossParityTests
{
    [Fact]
    public void Every_loss_matches_the_PyTorch_reference()
    {
        using var folder = new TempFolder();
        torch.manual_seed(3);
        const double temperature = 2.5;
        var queryMask = tensor(new long[] { 1, 1, 1, 1, 1, 1, 0, 0 }, [2, 4]);
        var keyMask = queryMask.to(ScalarType.Float32).sub(1).mul(-BertClassifier.MaskValue).view(2, 1, 1, 4);
        var teacherScores = randn(2, 3, 4, 4).mul(2).sub(keyMask);
        var studentScores = randn(2, 3, 4, 4).mul(2).sub(keyMask);
        var inputs = new Dictionary<string, Tensor>
        {
            ["temperature"] = tensor(new[] { (float)temperature }),
            ["labels"] = tensor(new float[] { 0, 2, 1, 2 }),
            ["student_logits"] = randn(4, 3),
            ["teacher_logits"] = randn(4, 3).mul(3),
            ["teacher_attention"] = nn.functional.softmax(teacherScores, -1),
            ["student_scores"] = studentScores,
            ["query_mask"] = queryMask.to(ScalarType.Float32),
            ["student_cls"] = randn(4, 8),
            ["teacher_cls"] = randn(4, 8),
            ["teacher_cls_wide"] = randn(4, 12),
            ["projection_weight"] = randn(12, 8),
            ["projection_bias"] = randn(12),
        };
        SafeTensorsFile.Write(folder.Combine("inputs.safetensors"), inputs);

        PythonReference.Run("losses", folder.Combine("inputs.safetensors"), folder.Combine("losses.safetensors"));
        var reference = SafeTensorsFile.Read(folder.Combine("losses.safetensors"));

        var labels = inputs["labels"].to(ScalarType.Int64);
        var projected = nn.functional.linear(inputs["student_cls"], inputs["projection_weight"], inputs["projection_bias"]);
        var ours = new Dictionary<string, float>
        {
            ["hard"] = DistillationLosses.HardLabel(inputs["student_logits"], labels).item<float>(),
            ["soft"] = DistillationLosses.SoftLabel(inputs["student_logits"], inputs["teacher_logits"], temperature).item<float>(),
            ["attention"] = DistillationLosses.AttentionKl(nn.functional.log_softmax(teacherScores, -1), nn.functional.log_softmax(studentScores, -1), queryMask).item<float>(),
            ["cosine"] = DistillationLosses.ClsCosine(inputs["student_cls"], inputs["teacher_cls"]).item<float>(),
            ["mse"] = DistillationLosses.ClsMse(projected, inputs["teacher_cls_wide"]).item<float>(),
        };

        Assert.Equal(reference.Keys.Order(), ours.Keys.Order());
        foreach (var (name, value) in ours)
        {
            var expected = reference[name].item<float>();
            Assert.True(Math.Abs(expected - value) <= 1e-5 * Math.Max(1, Math.Abs(expected)), $"{name}: PyTorch {expected}, TorchSharp {value}");
        }
    }
}
