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

    [Fact]
    public void The_cache_keeps_the_logits_and_only_the_outputs_of_the_matched_teacher_layers()
    {
        using var folder = new TempFolder();
        var (cached, _) = Train(cache: true, folder: folder.Path);

        var batchFile = Directory.GetFiles(Path.Combine(folder.Path, cached.TeacherCache!.Key!), "batch-*.safetensors").Order(StringComparer.Ordinal).First();
        var tensors = SafeTensorsFile.Read(batchFile);
        Assert.Equal(["attention.2", "attention.4", "cls.2", "cls.4", "logits"], tensors.Keys.Order(StringComparer.Ordinal));
        Assert.Equal(TrainSet.Count * 32L * sizeof(float) * 2, cached.TeacherCache.ClsBytes);
    }

    [Fact]
    public void A_budget_that_holds_the_CLS_states_but_not_the_attention_maps_caches_the_states_and_recomputes_attention()
    {
        torch.manual_seed(21);
        using var teacher = new BertClassifier(SyntheticTask.Config(Tokenizer.Vocabulary.Count, 4));
        teacher.eval();
        var spec = SyntheticTask.Spec(DistillationStrategy.Stacked);
        var stages = StagePlan.For(spec, LayerMapping.For(spec.Distillation.Internal, 2, 4));
        var batches = BatchPlanner.Training(TrainSet, spec.Training.BatchSize, spec.Training.LengthBucketing, spec.Training.Seed);
        var clsBytes = TrainSet.Count * 32L * sizeof(float) * 2;
        using var cache = new TeacherOutputCache(teacher, TrainSet, batches, stages, budgetBytes: clsBytes, cacheRoot: null);
        Assert.Equal(clsBytes, cache.ClsBytes);
        Assert.True(cache.CachesClsStates);
        Assert.False(cache.CachesAttention);

        var internalStage = stages.First(s => s.Kind == StageKind.Internal);
        var classification = stages.Single(s => s.Kind == StageKind.Classification);
        for (var i = 0; i < batches.Count; i++)
        {
            using var scope = NewDisposeScope();
            using var batch = Batch.Collate(TrainSet, batches[i], Tokenizer.PadId);
            var live = new LiveTeacherOutputs(teacher).For(i, batch, internalStage);
            cache.For(i, batch, classification);
            var cached = cache.For(i, batch, internalStage);
            Assert.True(cached.ClsStates[2].allclose(live.ClsStates[2], 0, 0));
            Assert.True(cached.AttentionLogProbs[2].allclose(live.AttentionLogProbs[2], 0, 0));
        }

        // Filled once; the internal stage runs the teacher again for the attention maps that did not fit.
        Assert.Equal(2L * TrainSet.Count, cache.ExamplesForwarded);
    }
}
