using DistillOperator.Api.V1Alpha1;
using DistillOperator.Training.Data;
using DistillOperator.Training.Distillation;
using DistillOperator.Training.Models;
using TorchSharp;
using static TorchSharp.torch;

namespace DistillOperator.Training.Tests;

/// <summary>The teacher cache runs the teacher once per example and changes nothing about the student.</summary>
public sealed class TeacherCacheTests
{
    private static readonly List<LabeledExample> Examples = SyntheticTask.Examples(120, seed: 4);
    private static readonly Text.WordTokenizer Tokenizer = SyntheticTask.Tokenizer(Examples);
    private static readonly List<EncodedExample> TrainSet = EncodedExample.Encode(Examples, Tokenizer, 32);

    private static (DistillationTrainer Trainer, BertClassifier Student) Train(bool cache, int budgetMiB = 1024, string? folder = null)
    {
        torch.manual_seed(21);
        var teacher = new BertClassifier(SyntheticTask.Config(Tokenizer.Vocabulary.Count, 4));
        var student = new BertClassifier(SyntheticTask.Config(Tokenizer.Vocabulary.Count, 2));
        var spec = SyntheticTask.Spec(DistillationStrategy.Stacked, epochsPerStage: 2, classificationEpochs: 2);
        spec.Distillation.TeacherCache = cache;
        spec.Distillation.TeacherCacheMemoryMiB = budgetMiB;
        var trainer = new DistillationTrainer(new TrainerSetup { Spec = spec, Teacher = teacher, Student = student, Train = TrainSet, PadId = Tokenizer.PadId, TeacherCacheFolder = folder });
        trainer.Run();
        return (trainer, student);
    }

    private static void AssertSameWeights(BertClassifier expected, BertClassifier actual) =>
        Assert.All(expected.parameters().Zip(actual.parameters()), p => Assert.True(p.First.allclose(p.Second, 0, 0), "the students differ"));

    [Fact]
    public void With_the_cache_the_teacher_runs_once_per_example_and_the_student_is_identical_to_one_trained_without()
    {
        var (live, liveStudent) = Train(cache: false);
        var (cached, cachedStudent) = Train(cache: true);

        // Stacked over 2 pairs with 2 epochs each, then 2 classification epochs: 6 epochs that need the teacher.
        Assert.Equal(6L * TrainSet.Count, live.TeacherExamplesForwarded);
        Assert.Equal(TrainSet.Count, cached.TeacherExamplesForwarded);
        Assert.True(cached.TeacherCache!.CachesAttention);
        AssertSameWeights(liveStudent, cachedStudent);
    }

    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public void A_student_trained_on_the_labels_alone_never_runs_the_teacher(bool cache)
    {
        torch.manual_seed(21);
        using var teacher = new BertClassifier(SyntheticTask.Config(Tokenizer.Vocabulary.Count, 4));
        using var student = new BertClassifier(SyntheticTask.Config(Tokenizer.Vocabulary.Count, 2));
        var spec = SyntheticTask.Spec(DistillationStrategy.None, classificationEpochs: 2);
        spec.Distillation.HardLabelWeight = 1;
        spec.Distillation.TeacherCache = cache;
        var trainer = new DistillationTrainer(new TrainerSetup { Spec = spec, Teacher = teacher, Student = student, Train = TrainSet, PadId = Tokenizer.PadId });

        trainer.Run();

        Assert.Equal(0, trainer.TeacherExamplesForwarded);
    }

    [Fact]
    public void Attention_maps_over_the_budget_are_recomputed_and_the_rest_still_comes_from_the_cache()
    {
        var (_, liveStudent) = Train(cache: false);
        var (cached, cachedStudent) = Train(cache: true, budgetMiB: 0);

        Assert.False(cached.TeacherCache!.CachesAttention);
        // Once to fill the cache, then again for attention in each of the 4 internal epochs.
        Assert.Equal(5L * TrainSet.Count, cached.TeacherExamplesForwarded);
        AssertSameWeights(liveStudent, cachedStudent);
    }

    [Fact]
    public void A_second_job_with_the_same_teacher_and_data_reuses_the_cache_on_disk()
    {
        using var folder = new TempFolder();
        var (first, firstStudent) = Train(cache: true, folder: folder.Path);
        var (second, secondStudent) = Train(cache: true, folder: folder.Path);

        Assert.False(first.TeacherCache!.ReusedFromDisk);
        Assert.True(second.TeacherCache!.ReusedFromDisk);
        Assert.Equal(first.TeacherCache.Key, second.TeacherCache.Key);
        Assert.Equal(0, second.TeacherExamplesForwarded);
        AssertSameWeights(firstStudent, secondStudent);
    }
}
