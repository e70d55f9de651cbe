using DistillOperator.Api.V1Alpha1;
using DistillOperator.Training.Checkpoints;
using DistillOperator.Training.Data;
using DistillOperator.Training.Models;

namespace DistillOperator.Training.Distillation;

/// <summary>Everything a run needs, loaded and resolved: models, encoded data, the spec, and where to report and checkpoint.</summary>
public sealed class TrainerSetup
{
    /// <summary>The job's spec (defaulted and validated).</summary>
    public required DistillationJobSpec Spec { get; init; }

    /// <summary>The teacher: frozen, except during its fine-tune stage.</summary>
    public required BertClassifier Teacher { get; init; }

    /// <summary>The student being trained.</summary>
    public required BertClassifier Student { get; init; }

    /// <summary>Encoded training examples.</summary>
    public required IReadOnlyList<EncodedExample> Train { get; init; }

    /// <summary>Encoded validation examples, if any.</summary>
    public IReadOnlyList<EncodedExample>? Validation { get; init; }

    /// <summary>The tokenizer's padding id.</summary>
    public required int PadId { get; init; }

    /// <summary>Where progress goes.</summary>
    public ITrainingProgress Progress { get; init; } = NoProgress.Instance;

    /// <summary>
    /// Called with (teacher, student) when the first student stage starts from its beginning, after any teacher
    /// fine-tuning, to initialise the student from the teacher; null keeps the student as it is.
    /// </summary>
    public Action<BertClassifier, BertClassifier>? InitializeStudent { get; init; }

    /// <summary>
    /// Called once the teacher is final (fine-tuned, or as given) and before the first student stage starts (not on a
    /// resume inside the student stages); may throw to stop the run, as <see cref="TeacherCompetence"/> does.
    /// </summary>
    public Action<BertClassifier>? TeacherReady { get; init; }

    /// <summary>
    /// Folder of the teacher-output cache on disk, shared between jobs; null keeps the cache in memory only. Used when
    /// spec.distillation.teacherCache is on.
    /// </summary>
    public string? TeacherCacheFolder { get; init; }

    /// <summary>Where checkpoints go; null turns checkpointing (and resuming) off.</summary>
    public CheckpointStore? Checkpoints { get; init; }
}
