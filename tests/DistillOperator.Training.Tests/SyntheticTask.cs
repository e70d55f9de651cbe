using DistillOperator.Api.V1Alpha1;
using DistillOperator.Training.Data;
using DistillOperator.Training.Models;
using DistillOperator.Testing;
using DistillOperator.Training.Text;

namespace DistillOperator.Training.Tests;

/// <summary>The synthetic sentiment task as training types, and specs and model shapes sized for it.</summary>
internal static class SyntheticTask
{
    public static List<LabeledExample> Examples(int count, int seed) =>
        [.. SyntheticSentiment.Rows(count, seed).Select((r, i) => new LabeledExample(r.Text, null, r.Label, i + 2))];

    public static WordTokenizer Tokenizer(IEnumerable<LabeledExample> examples) => WordTokenizer.Build(examples.Select(e => e.Text), 200, lowerCase: true);

    public static BertConfig Config(int vocab, int layers, int hidden = 32, int heads = 4) =>
        new() { VocabSize = vocab, HiddenSize = hidden, Layers = layers, Heads = heads, IntermediateSize = hidden * 2, MaxPositions = 32, Labels = 2, HiddenDropout = 0.1, AttentionDropout = 0.1 };

    /// <summary>A spec for the task: a from-scratch teacher, the given strategy, small batches.</summary>
    public static DistillationJobSpec Spec(DistillationStrategy strategy, int teacherEpochs = 0, int epochsPerStage = 1, int classificationEpochs = 2) => new()
    {
        Teacher = teacherEpochs > 0
            ? new TeacherSpec { Architecture = new ArchitectureSpec { Layers = 4, HiddenSize = 32, Heads = 4, IntermediateSize = 64 }, Finetune = new FinetuneSpec { Epochs = teacherEpochs, LearningRate = 2e-3 } }
            : new TeacherSpec { Model = new ModelSource { Uri = "unused" } },
        Data = new DataSpec { Train = new DatasetSpec { Uri = "unused" }, MaxSequenceLength = 32 },
        Distillation = new DistillationSpec { Strategy = strategy, HardLabelWeight = strategy == DistillationStrategy.None ? 1 : 0 },
        Training = new TrainingSpec { BatchSize = 16, LearningRate = 2e-3, EpochsPerStage = epochsPerStage, ClassificationEpochs = classificationEpochs, WarmupRatio = 0.1, Seed = 42, CheckpointEverySteps = 0 },
        Output = new OutputSpec { Uri = "unused" },
    };
}
