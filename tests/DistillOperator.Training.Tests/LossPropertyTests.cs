using DistillOperator.Training.Distillation;
using DistillOperator.Training.Models;
using static TorchSharp.torch;

namespace DistillOperator.Training.Tests;

/// <summary>Properties of the losses a user relies on: zero at a perfect match, padding-blind, never NaN.</summary>
public sealed class LossPropertyTests
{
    [Fact]
    public void Internal_losses_are_zero_when_the_student_is_a_copy_of_the_teacher()
    {
        TorchSharp.torch.manual_seed(1);
        using var teacher = new BertClassifier(SyntheticTask.Config(vocab: 30, layers: 2));
        using var student = new BertClassifier(SyntheticTask.Config(vocab: 30, layers: 2));
        student.load_state_dict(teacher.state_dict());
        teacher.eval();
        student.eval();
        var ids = tensor(new long[] { 2, 5, 6, 3, 0, 2, 7, 3, 0, 0 }, [2, 5]);
        var mask = ids.ne(0).to(ScalarType.Int64);

        var t = teacher.Forward(ids, mask, null, ForwardRequest.Everything(2));
        var s = student.Forward(ids, mask, null, ForwardRequest.Everything(2));

        Assert.Equal(0, DistillationLosses.AttentionKl(t.AttentionLogProbs[2]!, s.AttentionLogProbs[2]!, mask).item<float>(), 6);
        Assert.Equal(0, DistillationLosses.ClsCosine(s.ClsStates[2], t.ClsStates[2]).item<float>(), 6);
        Assert.Equal(0, DistillationLosses.SoftLabel(s.Logits, t.Logits, 2.0).item<float>(), 6);
    }

    [Fact]
    public void Attention_KL_is_not_changed_by_padding_and_is_never_NaN()
    {
        TorchSharp.torch.manual_seed(2);
        var teacher = nn.functional.log_softmax(randn(1, 2, 3, 3), -1);
        var student = nn.functional.log_softmax(randn(1, 2, 3, 3), -1);
        var unpadded = DistillationLosses.AttentionKl(teacher, student, ones(1, 3, dtype: ScalarType.Int64)).item<float>();

        // The same rows padded with two masked positions: masked keys get ~0 probability, masked query rows are ignored.
        Tensor Pad(Tensor logProbs)
        {
            var scores = full(1, 2, 5, 5, -1e4f);
            scores[TensorIndex.Colon, TensorIndex.Colon, TensorIndex.Slice(0, 3), TensorIndex.Slice(0, 3)] = logProbs;
            scores[TensorIndex.Colon, TensorIndex.Colon, TensorIndex.Slice(3, 5), TensorIndex.Colon] = randn(1, 2, 2, 5) * 50;
            return nn.functional.log_softmax(scores, -1);
        }

        var padded = DistillationLosses.AttentionKl(Pad(teacher), Pad(student), tensor(new long[] { 1, 1, 1, 0, 0 }, [1, 5])).item<float>();

        Assert.True(unpadded > 0);
        Assert.Equal(unpadded, padded, 5);
        var fullyMasked = DistillationLosses.AttentionKl(full(1, 1, 2, 2, float.NegativeInfinity), full(1, 1, 2, 2, float.NegativeInfinity), zeros(1, 2, dtype: ScalarType.Int64));
        Assert.False(float.IsNaN(fullyMasked.item<float>()));
    }

    [Fact]
    public void Attention_KL_between_different_head_counts_compares_head_averaged_maps()
    {
        TorchSharp.torch.manual_seed(3);
        var teacher = nn.functional.log_softmax(randn(2, 4, 3, 3), -1);
        var student = teacher.exp().mean([1], keepdim: true).log();

        var loss = DistillationLosses.AttentionKl(teacher, student, ones(2, 3, dtype: ScalarType.Int64)).item<float>();

        Assert.Equal(0, loss, 5);
    }

    [Fact]
    public void The_temperature_squared_scaling_keeps_soft_label_gradients_comparable_across_temperatures()
    {
        TorchSharp.torch.manual_seed(4);
        var teacher = randn(64, 3) * 3;
        double GradientNorm(double temperature)
        {
            var student = (randn(64, 3) * 3).requires_grad_(true);
            DistillationLosses.SoftLabel(student, teacher, temperature).backward();
            return student.grad!.norm().item<float>();
        }

        TorchSharp.torch.manual_seed(5);
        var atTwo = GradientNorm(2);
        TorchSharp.torch.manual_seed(5);
        var atEight = GradientNorm(8);

        Assert.InRange(atEight / atTwo, 0.25, 4.0);
    }
}
