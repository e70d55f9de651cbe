using DistillOperator.Training.Data;

namespace DistillOperator.Training.Distillation;

/// <summary>Where the student stages get the teacher's outputs from: computed live, or from the teacher cache.</summary>
public interface ITeacherOutputs
{
    /// <summary>Examples the teacher has run a forward pass on so far (a batch of 32 counts 32).</summary>
    long ExamplesForwarded { get; }

    /// <summary>The teacher's outputs for training batch <paramref name="batchIndex"/>, with the attention the stage needs.</summary>
    TeacherBatch For(int batchIndex, Batch batch, TrainingStage stage);
}
