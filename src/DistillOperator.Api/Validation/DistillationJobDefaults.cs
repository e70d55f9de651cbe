using DistillOperator.Api.V1Alpha1;

namespace DistillOperator.Api.Validation;

/// <summary>
/// The defaults that depend on other fields (plain per-field defaults are the property initialisers, which the CRD
/// schema also carries). Idempotent: applying twice changes nothing more.
/// </summary>
public static class DistillationJobDefaults
{
    /// <summary>Fills derived defaults in place and returns the same job.</summary>
    public static DistillationJob Apply(DistillationJob job)
    {
        ArgumentNullException.ThrowIfNull(job);
        var spec = job.Spec;
        spec.Data.Tokenizer.Type ??= spec.Data.Tokenizer.Vocab is null ? TokenizerType.Word : TokenizerType.WordPiece;
        if (spec.Teacher.Model is null && spec.Teacher.Architecture is not null)
        {
            spec.Teacher.Finetune ??= new FinetuneSpec();
        }

        spec.Training.ClassificationEpochs ??= spec.Training.EpochsPerStage;
        if (spec.Teacher.Architecture is { } teacher)
        {
            spec.Student.Architecture = ResolveStudent(spec.Student.Architecture, teacher);
        }

        return job;
    }

    /// <summary>
    /// The student's architecture with unset fields taken from the teacher: half the teacher's layers (at least one),
    /// and the teacher's width, heads and feed-forward size.
    /// </summary>
    public static ArchitectureSpec ResolveStudent(ArchitectureSpec? student, ArchitectureSpec teacher)
    {
        ArgumentNullException.ThrowIfNull(teacher);
        return new ArchitectureSpec
        {
            Layers = student?.Layers ?? (teacher.Layers is { } layers ? Math.Max(1, layers / 2) : null),
            HiddenSize = student?.HiddenSize ?? teacher.HiddenSize,
            Heads = student?.Heads ?? teacher.Heads,
            IntermediateSize = student?.IntermediateSize ?? teacher.IntermediateSize,
        };
    }
}
