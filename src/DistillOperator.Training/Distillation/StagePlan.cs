using DistillOperator.Api.V1Alpha1;

namespace DistillOperator.Training.Distillation;

/// <summary>
/// Turns a strategy into stages (Aguilar et al., AAAI 2020): none and soft train the classifier only; all-layers
/// distils every matched pair at once; progressive (PID) one pair per stage bottom-up; stacked (SID) pairs 1..k at
/// stage k. The internal strategies end with a classification stage on the soft (and hard) labels. A teacher
/// fine-tune stage comes first when asked for.
/// </summary>
public static class StagePlan
{
    /// <summary>The stages of a run.</summary>
    public static IReadOnlyList<TrainingStage> For(DistillationJobSpec spec, LayerMapping mapping)
    {
        ArgumentNullException.ThrowIfNull(spec);
        ArgumentNullException.ThrowIfNull(mapping);
        var stages = new List<TrainingStage>();
        var training = spec.Training;
        var distillation = spec.Distillation;
        if (spec.Teacher.Finetune is { } finetune)
        {
            stages.Add(new TrainingStage("teacher-finetune", StageKind.TeacherFinetune, [], new LossWeights(1, 0, 0, 0), finetune.Epochs, finetune.LearningRate));
        }

        var internalLosses = new LossWeights(0, 0, distillation.Internal.Attention.Weight, distillation.Internal.Hidden.Weight);
        TrainingStage Internal(string name, IEnumerable<LayerPair> pairs) =>
            new(name, StageKind.Internal, [.. pairs], internalLosses, training.EpochsPerStage, training.LearningRate);

        var pairs = mapping.Pairs;
        switch (distillation.Strategy)
        {
            case DistillationStrategy.AllLayers:
                stages.Add(Internal("internal-all", pairs));
                break;
            case DistillationStrategy.Progressive:
                stages.AddRange(pairs.Select(p => Internal($"internal-{p.Student}", [p])));
                break;
            case DistillationStrategy.Stacked:
                stages.AddRange(pairs.Select((p, i) => Internal($"internal-1-{p.Student}", pairs.Take(i + 1))));
                break;
        }

        var classification = distillation.Strategy == DistillationStrategy.None
            ? new LossWeights(distillation.HardLabelWeight, 0, 0, 0)
            : new LossWeights(distillation.HardLabelWeight, distillation.SoftLabelWeight, 0, 0);
        stages.Add(new TrainingStage("classification", StageKind.Classification, [], classification, training.ClassificationEpochs ?? training.EpochsPerStage, training.LearningRate));
        return stages;
    }
}
