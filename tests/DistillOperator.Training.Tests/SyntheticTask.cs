using DistillOperator.Api.V1Alpha1;
using DistillOperator.Training.Data;
using DistillOperator.Training.Models;
using DistillOperator.Training.Text;

namespace DistillOperator.Training.Tests;

/// <summary>
/// A small sentiment-like task made here: a sentence is positive when it has more positive than negative words. A
/// model must look at several tokens to solve it, so a trained teacher clearly beats chance (50%).
/// </summary>
internal static class SyntheticTask
{
    private static readonly string[] Positive = ["great", "good", "fine", "lovely", "superb", "fun"];
    private static readonly string[] Negative = ["awful", "bad", "poor", "dull", "boring", "weak"];
    private static readonly string[] Filler = ["the", "movie", "film", "plot", "was", "is", "a", "very", "and", "story", "acting", "but", "quite"];

    public static List<LabeledExample> Examples(int count, int seed)
    {
        var random = new Random(seed);
        var examples = new List<LabeledExample>(count);
        while (examples.Count < count)
        {
            var positive = random.Next(0, 4);
            var negative = random.Next(0, 4);
            if (positive == negative)
            {
                continue;
            }

            var words = Enumerable.Range(0, positive).Select(_ => Positive[random.Next(Positive.Length)])
                .Concat(Enumerable.Range(0, negative).Select(_ => Negative[random.Next(Negative.Length)]))
                .Concat(Enumerable.Range(0, random.Next(2, 8)).Select(_ => Filler[random.Next(Filler.Length)]))
                .ToArray();
            random.Shuffle(words);
            examples.Add(new LabeledExample(string.Join(' ', words), null, positive > negative ? 1 : 0, examples.Count + 2));
        }

        return examples;
    }

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
