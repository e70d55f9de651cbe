using TorchSharp;
using static TorchSharp.torch;

namespace DistillOperator.Training.Distillation;

/// <summary>
/// The loss terms of Aguilar et al. (AAAI 2020) and Hinton KD. Each returns a scalar averaged over the batch; teacher
/// inputs are treated as constants (detached).
/// </summary>
public static class DistillationLosses
{
    /// <summary>Cross-entropy with the true labels.</summary>
    public static Tensor HardLabel(Tensor studentLogits, Tensor labels) =>
        nn.functional.cross_entropy(studentLogits, labels);

    /// <summary>
    /// KL(p_T ‖ p_S) with both distributions softened by <paramref name="temperature"/>, summed over classes, averaged
    /// over the batch, and scaled by τ² so its gradients keep their size as τ changes (Hinton et al.).
    /// </summary>
    public static Tensor SoftLabel(Tensor studentLogits, Tensor teacherLogits, double temperature)
    {
        var studentLog = nn.functional.log_softmax(studentLogits.div(temperature), -1);
        var teacherLog = nn.functional.log_softmax(teacherLogits.detach().div(temperature), -1);
        return teacherLog.exp().mul(teacherLog.sub(studentLog)).sum(-1).mean().mul(temperature * temperature);
    }

    /// <summary>
    /// Attention KL of one matched layer pair: (1/L) Σ_i KL(A_T,i ‖ A_S,i) over the valid (non-padding) query rows of
    /// each example and head, then the mean over heads and batch. Inputs are log-probabilities [B, H, L, L] computed
    /// with a finite mask, and <paramref name="queryMask"/> [B, L] (1 for tokens). Terms where the teacher's
    /// probability is 0 contribute 0, so the loss is never NaN. When the head counts differ, the head-averaged maps are
    /// compared instead (head k of one model has no counterpart in the other).
    /// </summary>
    public static Tensor AttentionKl(Tensor teacherLogProbs, Tensor studentLogProbs, Tensor queryMask)
    {
        var teacher = teacherLogProbs.detach();
        var student = studentLogProbs;
        if (teacher.shape[1] != student.shape[1])
        {
            teacher = teacher.exp().mean([1], keepdim: true).clamp_min(1e-30).log();
            student = student.exp().mean([1], keepdim: true).clamp_min(1e-30).log();
        }

        var probabilities = teacher.exp();
        var terms = where(probabilities.gt(0), probabilities.mul(teacher.sub(student)), zeros_like(probabilities));
        var rows = terms.sum(-1);
        var mask = queryMask.to(ScalarType.Float32);
        var perHead = rows.mul(mask.unsqueeze(1)).sum(-1).div(mask.sum(-1, keepdim: true).clamp_min(1));
        return perHead.mean();
    }

    /// <summary>1 − cos(h_T, h_S) between [CLS] vectors [B, H], averaged over the batch.</summary>
    public static Tensor ClsCosine(Tensor studentCls, Tensor teacherCls) =>
        ones(1, device: studentCls.device).sub(nn.functional.cosine_similarity(studentCls, teacherCls.detach(), dim: -1, eps: 1e-8)).mean();

    /// <summary>Mean squared error between the (projected) student [CLS] vectors and the teacher's.</summary>
    public static Tensor ClsMse(Tensor projectedStudentCls, Tensor teacherCls) =>
        nn.functional.mse_loss(projectedStudentCls, teacherCls.detach());
}
