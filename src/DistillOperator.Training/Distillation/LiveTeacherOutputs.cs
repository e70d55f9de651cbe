using DistillOperator.Training.Data;
using DistillOperator.Training.Models;
using static TorchSharp.torch;

namespace DistillOperator.Training.Distillation;

/// <summary>Runs the frozen teacher on every batch it is asked about (the teacher cache turned off).</summary>
public sealed class LiveTeacherOutputs(BertClassifier teacher) : ITeacherOutputs
{
    /// <inheritdoc />
    public long ExamplesForwarded { get; private set; }

    /// <inheritdoc />
    public TeacherBatch For(int batchIndex, Batch batch, TrainingStage stage)
    {
        ArgumentNullException.ThrowIfNull(batch);
        ArgumentNullException.ThrowIfNull(stage);
        return Run(teacher, batch, stage.TeacherAttentionLayers, stage.TeacherClsLayers, () => ExamplesForwarded += batch.Size);
    }

    /// <summary>One forward pass of the teacher in evaluation mode without gradients, keeping the logits and the given layers' outputs.</summary>
    internal static TeacherBatch Run(BertClassifier teacher, Batch batch, IReadOnlySet<int> attentionLayers, IReadOnlySet<int> clsLayers, Action counted)
    {
        using var noGrad = no_grad();
        var outputs = teacher.Forward(batch.Ids, batch.Mask, batch.Types, new ForwardRequest(attentionLayers));
        counted();
        return new TeacherBatch(
            outputs.Logits,
            clsLayers.ToDictionary(l => l, l => outputs.ClsStates[l]),
            attentionLayers.ToDictionary(l => l, l => outputs.AttentionLogProbs[l]!));
    }
}
