using DistillOperator.Api.V1Alpha1;
using DistillOperator.Training.Checkpoints;
using DistillOperator.Training.Data;
using DistillOperator.Training.Distillation;
using DistillOperator.Training.Models;
using TorchSharp;
using static TorchSharp.torch;

using Xunit.Abstractions;

namespace DistillOperator.Training.Tests;

public sealed class DistillationTrainerTests(ITestOutputHelper output)
{
    private sealed class RecordingProgress : ITrainingProgress
    {
        public List<StepProgress> Steps { get; } = [];

        public List<string> Warnings { get; } = [];

        public List<long> Checkpoints { get; } = [];

        public List<StageProgress> Stages { get; } = [];

        public void StageStarted(StageProgress stage) => Stages.Add(stage);

        public void StepCompleted(StepProgress step) => Steps.Add(step);

        public List<EvaluationProgress> Evaluations { get; } = [];

        public void Evaluated(EvaluationProgress evaluation) => Evaluations.Add(evaluation);

        public void CheckpointWritten(string path, long step) => Checkpoints.Add(step);

        public void Warning(string message) => Warnings.Add(message);
    }

    private sealed record Task(List<EncodedExample> Train, List<EncodedExample> Validation, int Vocab, int PadId);

    private static Task MakeTask(int train = 480, int validation = 200)
    {
        var trainExamples = SyntheticTask.Examples(train, seed: 1);
        var tokenizer = SyntheticTask.Tokenizer(trainExamples);
        return new Task(
            EncodedExample.Encode(trainExamples, tokenizer, 32),
            EncodedExample.Encode(SyntheticTask.Examples(validation, seed: 2), tokenizer, 32),
            tokenizer.Vocabulary.Count,
            tokenizer.PadId);
    }

    private static (BertClassifier Teacher, BertClassifier Student) Models(Task task, int studentLayers = 2)
    {
        torch.manual_seed(1);
        var teacher = new BertClassifier(SyntheticTask.Config(task.Vocab, 4));
        var student = new BertClassifier(SyntheticTask.Config(task.Vocab, studentLayers));
        return (teacher, student);
    }

    [Fact]
    public void A_teacher_trained_from_scratch_and_every_strategy_learn_the_task()
    {
        var task = MakeTask();
        var (teacher, _) = Models(task);
        var spec = SyntheticTask.Spec(DistillationStrategy.None, teacherEpochs: 6, classificationEpochs: 0);
        spec.Training.ClassificationEpochs = 1;
        spec.Distillation.HardLabelWeight = 1;
        var teacherOutcome = new DistillationTrainer(new TrainerSetup { Spec = spec, Teacher = teacher, Student = new BertClassifier(SyntheticTask.Config(task.Vocab, 1)), Train = task.Train, Validation = task.Validation, PadId = task.PadId }).Run();
        Assert.True(teacherOutcome.Teacher!.Accuracy > 0.8, $"teacher accuracy {teacherOutcome.Teacher.Accuracy:F3} after fine-tuning; chance is 0.5");

        foreach (var strategy in Enum.GetValues<DistillationStrategy>())
        {
            torch.manual_seed(7);
            using var student = new BertClassifier(SyntheticTask.Config(task.Vocab, 2));
            var outcome = new DistillationTrainer(new TrainerSetup
            {
                Spec = SyntheticTask.Spec(strategy, classificationEpochs: 3),
                Teacher = teacher,
                Student = student,
                Train = task.Train,
                Validation = task.Validation,
                PadId = task.PadId,
            }).Run();

            output.WriteLine($"{strategy}: student {outcome.Student!.Accuracy:F3}, agreement {outcome.Agreement:F3}, teacher {outcome.Teacher!.Accuracy:F3}");
            Assert.True(outcome.Student!.Accuracy > 0.7, $"{strategy}: student accuracy {outcome.Student.Accuracy:F3}; chance is 0.5");
        }
    }

    [Fact]
    public void Every_step_reports_exactly_the_loss_terms_its_stage_plans()
    {
        var task = MakeTask(train: 96, validation: 32);
        foreach (var strategy in Enum.GetValues<DistillationStrategy>())
        {
            var (teacher, student) = Models(task);
            var progress = new RecordingProgress();
            var trainer = new DistillationTrainer(new TrainerSetup { Spec = SyntheticTask.Spec(strategy, classificationEpochs: 1), Teacher = teacher, Student = student, Train = task.Train, PadId = task.PadId, Progress = progress });

            trainer.Run();

            Assert.Equal(trainer.TotalSteps, progress.Steps.Count);
            foreach (var step in progress.Steps)
            {
                var stage = trainer.Stages[step.StageIndex - 1];
                Assert.Equal(stage.Name, step.Stage);
                Assert.Equal(stage.Losses.Active.Order(), step.Losses.Keys.Order());
                Assert.All(step.Losses.Values, v => Assert.True(double.IsFinite(v) && v >= 0, $"{strategy} {stage.Name}: loss {v}"));
            }
        }
    }

    [Fact]
    public void The_teacher_gets_no_gradient_and_does_not_change_while_the_student_trains()
    {
        var task = MakeTask(train: 64, validation: 16);
        var (teacher, student) = Models(task);
        var before = teacher.parameters().Select(p => p.detach().clone()).ToList();

        new DistillationTrainer(new TrainerSetup { Spec = SyntheticTask.Spec(DistillationStrategy.Stacked, classificationEpochs: 1), Teacher = teacher, Student = student, Train = task.Train, PadId = task.PadId }).Run();

        Assert.All(teacher.parameters(), p => Assert.True(p.grad is null, "a teacher parameter has a gradient"));
        Assert.All(teacher.parameters().Zip(before), pair => Assert.True(pair.First.allclose(pair.Second, rtol: 0, atol: 0), "a teacher parameter changed"));
        Assert.Contains(student.parameters(), p => p.grad is not null);
    }

    [Fact]
    public void A_student_with_frozen_embeddings_keeps_its_embedding_tables_and_trains_the_rest()
    {
        var task = MakeTask(train: 64, validation: 16);
        var (teacher, student) = Models(task);
        var spec = SyntheticTask.Spec(DistillationStrategy.Stacked, classificationEpochs: 1);
        spec.Student.FreezeEmbeddings = true;
        var tablesBefore = student.EmbeddingTables.Select(p => p.detach().clone()).ToList();
        var othersBefore = student.named_parameters().Where(p => !p.name.Contains("_embeddings", StringComparison.Ordinal)).Select(p => (p.name, Value: p.parameter.detach().clone())).ToList();

        new DistillationTrainer(new TrainerSetup { Spec = spec, Teacher = teacher, Student = student, Train = task.Train, PadId = task.PadId }).Run();

        Assert.Equal(3, tablesBefore.Count);
        Assert.All(student.EmbeddingTables.Zip(tablesBefore), pair =>
        {
            Assert.True(pair.First.grad is null, "a frozen embedding table has a gradient");
            Assert.True(pair.First.allclose(pair.Second, rtol: 0, atol: 0), "a frozen embedding table changed");
        });
        var changed = othersBefore.Where(b => !student.get_parameter(b.name)!.allclose(b.Value, rtol: 0, atol: 0)).Select(b => b.name).ToList();
        Assert.Contains("bert.embeddings.LayerNorm.weight", changed);
        Assert.Contains("classifier.weight", changed);
        Assert.Contains(changed, n => n.StartsWith("bert.encoder.layer.0.", StringComparison.Ordinal));
    }

    [Fact]
    public void A_run_cancelled_after_a_checkpoint_and_resumed_ends_exactly_like_an_uninterrupted_one()
    {
        var task = MakeTask(train: 160, validation: 64);
        using var uninterruptedFolder = new TempFolder();
        using var resumedFolder = new TempFolder();
        var spec = SyntheticTask.Spec(DistillationStrategy.Stacked, classificationEpochs: 2);
        spec.Training.CheckpointEverySteps = 7;

        var (teacher, student) = Models(task);
        var uninterrupted = new DistillationTrainer(new TrainerSetup { Spec = spec, Teacher = teacher, Student = student, Train = task.Train, Validation = task.Validation, PadId = task.PadId, Checkpoints = new CheckpointStore(uninterruptedFolder.Path) }).Run();
        var expected = student.parameters().Select(p => p.detach().clone()).ToList();

        var (teacher2, student2) = Models(task);
        using var cancellation = new CancellationTokenSource();
        var interruptedProgress = new RecordingProgress();
        var stopAfter = new CancelAfterSteps(interruptedProgress, cancellation, steps: 23);
        Assert.Throws<OperationCanceledException>(() => new DistillationTrainer(new TrainerSetup { Spec = spec, Teacher = teacher2, Student = student2, Train = task.Train, Validation = task.Validation, PadId = task.PadId, Progress = stopAfter, Checkpoints = new CheckpointStore(resumedFolder.Path) }).Run(cancellation.Token));

        var (teacher3, student3) = Models(task);
        var resumed = new DistillationTrainer(new TrainerSetup { Spec = spec, Teacher = teacher3, Student = student3, Train = task.Train, Validation = task.Validation, PadId = task.PadId, Checkpoints = new CheckpointStore(resumedFolder.Path) }).Run();

        Assert.Equal(23, resumed.ResumedFromStep);
        Assert.Equal(uninterrupted.Steps, resumed.Steps);
        Assert.Equal(uninterrupted.Student, resumed.Student);
        Assert.All(student3.parameters().Zip(expected), pair => Assert.True(pair.First.allclose(pair.Second, rtol: 0, atol: 0), "the resumed student differs from the uninterrupted one"));
    }

    [Fact]
    public void A_stop_at_the_end_of_an_epoch_keeps_the_epoch_and_does_not_wait_for_its_evaluation()
    {
        var task = MakeTask(train: 96, validation: 64);
        using var folder = new TempFolder();
        var spec = SyntheticTask.Spec(DistillationStrategy.Soft, classificationEpochs: 2);
        DistillationTrainer Trainer(ITrainingProgress progress)
        {
            var (teacher, student) = Models(task);
            return new DistillationTrainer(new TrainerSetup { Spec = spec, Teacher = teacher, Student = student, Train = task.Train, Validation = task.Validation, PadId = task.PadId, Progress = progress, Checkpoints = new CheckpointStore(folder.Path) });
        }

        var planned = Trainer(NoProgress.Instance);
        Assert.Equal(2, planned.Stages.Sum(s => s.Epochs));
        var stepsPerEpoch = planned.TotalSteps / 2;
        var progress = new RecordingProgress();
        using var cancellation = new CancellationTokenSource();

        // Cancelled in the epoch's last step: the epoch's checkpoint is written, its evaluation is not waited for.
        Assert.Throws<OperationCanceledException>(() => Trainer(new CancelAfterSteps(progress, cancellation, steps: (int)stepsPerEpoch)).Run(cancellation.Token));

        Assert.Equal([stepsPerEpoch], progress.Checkpoints);
        Assert.Empty(progress.Evaluations);
        Assert.Equal(stepsPerEpoch, Trainer(NoProgress.Instance).Run().ResumedFromStep);
    }

    [Fact]
    public void A_stop_during_an_evaluation_inside_an_epoch_keeps_the_steps_trained_before_it()
    {
        var task = MakeTask(train: 96, validation: 64);
        using var folder = new TempFolder();
        var spec = SyntheticTask.Spec(DistillationStrategy.Soft, classificationEpochs: 2);
        spec.Training.EvalEverySteps = 3;
        spec.Training.CheckpointEverySteps = 0; // only at epoch ends
        DistillationTrainer Trainer(ITrainingProgress progress)
        {
            var (teacher, student) = Models(task);
            return new DistillationTrainer(new TrainerSetup { Spec = spec, Teacher = teacher, Student = student, Train = task.Train, Validation = task.Validation, PadId = task.PadId, Progress = progress, Checkpoints = new CheckpointStore(folder.Path) });
        }

        var progress = new RecordingProgress();
        using var cancellation = new CancellationTokenSource();

        // Cancelled in step 3, whose evaluation then stops at its first batch.
        Assert.Throws<OperationCanceledException>(() => Trainer(new CancelAfterSteps(progress, cancellation, steps: 3)).Run(cancellation.Token));

        Assert.Empty(progress.Evaluations);
        Assert.Equal([3L], progress.Checkpoints);
        Assert.Equal(3, Trainer(NoProgress.Instance).Run().ResumedFromStep);
    }

    [Fact]
    public void A_checkpoint_of_other_models_is_not_resumed_and_the_run_says_which_tensor_differs()
    {
        var task = MakeTask(train: 96, validation: 32);
        using var folder = new TempFolder();
        var spec = SyntheticTask.Spec(DistillationStrategy.Soft, classificationEpochs: 2);
        var (teacher, student) = Models(task);
        new DistillationTrainer(new TrainerSetup { Spec = spec, Teacher = teacher, Student = student, Train = task.Train, PadId = task.PadId, Checkpoints = new CheckpointStore(folder.Path) }).Run();

        var (teacher2, student2) = Models(task, studentLayers: 3);
        var before = student2.parameters().Select(p => p.detach().clone()).ToList();
        var progress = new RecordingProgress();
        var trainer = new DistillationTrainer(new TrainerSetup { Spec = spec, Teacher = teacher2, Student = student2, Train = task.Train, PadId = task.PadId, Progress = progress, Checkpoints = new CheckpointStore(folder.Path) });
        var outcome = trainer.Run();

        Assert.Null(outcome.ResumedFromStep);
        Assert.Equal(trainer.TotalSteps, progress.Steps.Count);
        var warning = Assert.Single(progress.Warnings);
        Assert.Contains("does not fit this run's models (student.safetensors: no tensor bert.encoder.layer.2.", warning, StringComparison.Ordinal);
        Assert.False(student2.parameters().Zip(before).All(p => p.First.allclose(p.Second)), "the student did not train");
    }

    [Fact]
    public void Checkpoints_after_fine_tuning_share_one_copy_of_the_frozen_teacher_and_a_resume_loads_it()
    {
        var task = MakeTask(train: 96, validation: 32);
        using var folder = new TempFolder();
        var spec = SyntheticTask.Spec(DistillationStrategy.Soft, teacherEpochs: 1, classificationEpochs: 2);
        spec.Training.CheckpointEverySteps = 2;
        var store = new CheckpointStore(folder.Path, keep: 100);
        var progress = new RecordingProgress();
        var (teacher, student) = Models(task);
        new DistillationTrainer(new TrainerSetup { Spec = spec, Teacher = teacher, Student = student, Train = task.Train, PadId = task.PadId, Progress = progress, Checkpoints = store }).Run();

        var finetuneSteps = progress.Steps.Count(s => s.StageIndex == 1);
        var teacherFiles = Directory.GetDirectories(folder.Path, "ckpt-*").Order(StringComparer.Ordinal)
            .Select(d => (Step: long.Parse(Path.GetFileName(d)["ckpt-".Length..], System.Globalization.CultureInfo.InvariantCulture), Inode: Inode(Path.Combine(d, "teacher.safetensors"))))
            .ToList();
        var during = teacherFiles.Where(f => f.Step < finetuneSteps).ToList();
        var after = teacherFiles.Where(f => f.Step >= finetuneSteps).ToList();
        Assert.True(during.Count >= 2 && after.Count >= 3, string.Join(", ", teacherFiles));
        Assert.Equal(during.Count, during.Select(f => f.Inode).Distinct().Count()); // a teacher still training: its own copy each time
        Assert.Single(after.Select(f => f.Inode).Distinct()); // frozen: written once, linked since
        Assert.DoesNotContain(after[0].Inode, during.Select(f => f.Inode));

        var (teacher2, student2) = Models(task);
        var resumed = new DistillationTrainer(new TrainerSetup { Spec = spec, Teacher = teacher2, Student = student2, Train = task.Train, PadId = task.PadId, Checkpoints = store }).Run();
        Assert.Equal(after[^1].Step, resumed.ResumedFromStep);
        Assert.All(teacher2.parameters().Zip(teacher.parameters()), pair => Assert.True(pair.First.allclose(pair.Second, rtol: 0, atol: 0), "the resumed teacher is not the fine-tuned one"));
    }

    // The file's inode number, from stat(1): two names of one file share it.
    private static string Inode(string file)
    {
        using var stat = System.Diagnostics.Process.Start(new System.Diagnostics.ProcessStartInfo("stat", ["--format=%i", file]) { RedirectStandardOutput = true })!;
        var inode = stat.StandardOutput.ReadToEnd().Trim();
        stat.WaitForExit();
        Assert.True(stat.ExitCode == 0 && inode.Length > 0, $"stat {file} failed");
        return inode;
    }

    [Fact]
    public void With_keepBest_the_run_ends_with_the_final_stages_best_student_on_validation_and_says_which_step_it_is()
    {
        var task = MakeTask(train: 160, validation: 64);
        var spec = KeepBestSpec();
        var progress = new RecordingProgress();
        var (teacher, student) = Models(task);

        var outcome = new DistillationTrainer(new TrainerSetup { Spec = spec, Teacher = teacher, Student = student, Train = task.Train, Validation = task.Validation, PadId = task.PadId, Progress = progress }).Run();

        var final = progress.Evaluations.Where(e => e.Stage == progress.Stages[^1].Stage.Name).ToList();
        var best = final.First(e => e.Metrics.Accuracy == final.Max(f => f.Metrics.Accuracy));
        Assert.NotEqual(final[^1].Step, best.Step); // the set-up must make the last evaluation worse than an earlier one
        Assert.Equal(best.Step, outcome.SelectedStep);
        Assert.Equal(best.Metrics.Accuracy, outcome.Student!.Accuracy);
        Assert.True(outcome.Student.Accuracy > final[^1].Metrics.Accuracy);
    }

    [Fact]
    public void With_keepBest_a_run_stopped_and_resumed_keeps_the_best_from_before_the_stop_and_ends_like_an_uninterrupted_one()
    {
        var task = MakeTask(train: 160, validation: 64);
        var spec = KeepBestSpec();
        spec.Training.CheckpointEverySteps = 1;
        using var uninterruptedFolder = new TempFolder();
        using var resumedFolder = new TempFolder();
        var (teacher, student) = Models(task);
        var uninterrupted = new DistillationTrainer(new TrainerSetup { Spec = spec, Teacher = teacher, Student = student, Train = task.Train, Validation = task.Validation, PadId = task.PadId, Checkpoints = new CheckpointStore(uninterruptedFolder.Path) }).Run();
        var expected = student.parameters().Select(p => p.detach().clone()).ToList();

        var (teacher2, student2) = Models(task);
        using (var cancellation = new CancellationTokenSource())
        {
            var stopAfter = new CancelAfterSteps(new RecordingProgress(), cancellation, steps: (int)uninterrupted.SelectedStep!.Value + 3);
            Assert.Throws<OperationCanceledException>(() => new DistillationTrainer(new TrainerSetup { Spec = spec, Teacher = teacher2, Student = student2, Train = task.Train, Validation = task.Validation, PadId = task.PadId, Progress = stopAfter, Checkpoints = new CheckpointStore(resumedFolder.Path) }).Run(cancellation.Token));
        }

        var newest = Directory.GetDirectories(resumedFolder.Path, "ckpt-*").Order(StringComparer.Ordinal).Last();
        Assert.True(File.Exists(Path.Combine(newest, BestStudent.StateFile)), $"{newest} holds no best student");
        var (teacher3, student3) = Models(task);
        var resumedProgress = new RecordingProgress();
        var resumed = new DistillationTrainer(new TrainerSetup { Spec = spec, Teacher = teacher3, Student = student3, Train = task.Train, Validation = task.Validation, PadId = task.PadId, Progress = resumedProgress, Checkpoints = new CheckpointStore(resumedFolder.Path) }).Run();

        Assert.NotNull(resumed.ResumedFromStep);
        Assert.DoesNotContain(resumedProgress.Evaluations, e => e.Step <= uninterrupted.SelectedStep); // the best came from the kept one
        Assert.Equal(uninterrupted.SelectedStep, resumed.SelectedStep);
        Assert.Equal(uninterrupted.Student, resumed.Student);
        Assert.All(student3.parameters().Zip(expected), pair => Assert.True(pair.First.allclose(pair.Second, rtol: 0, atol: 0), "the resumed run ends with another student"));
    }

    // Soft-label distillation evaluated every few steps at a learning rate high enough that the student's validation
    // accuracy goes up and down: its last evaluation is not its best.
    private static DistillationJobSpec KeepBestSpec()
    {
        var spec = SyntheticTask.Spec(DistillationStrategy.Soft, classificationEpochs: 3);
        spec.Training.KeepBest = true;
        spec.Training.EvalEverySteps = 3;
        spec.Training.LearningRate = 2e-2;
        return spec;
    }

    [Fact]
    public void A_truncated_newest_checkpoint_is_skipped_with_a_warning_and_the_previous_one_resumed()
    {
        var task = MakeTask(train: 96, validation: 32);
        using var folder = new TempFolder();
        var spec = SyntheticTask.Spec(DistillationStrategy.Soft, classificationEpochs: 2);
        spec.Training.CheckpointEverySteps = 4;
        var store = new CheckpointStore(folder.Path, keep: 3);
        var (teacher, student) = Models(task);
        using (var cancellation = new CancellationTokenSource())
        {
            var progress = new CancelAfterSteps(new RecordingProgress(), cancellation, steps: 9);
            Assert.Throws<OperationCanceledException>(() => new DistillationTrainer(new TrainerSetup { Spec = spec, Teacher = teacher, Student = student, Train = task.Train, PadId = task.PadId, Progress = progress, Checkpoints = store }).Run(cancellation.Token));
        }

        var newest = Directory.GetDirectories(folder.Path).Order(StringComparer.Ordinal).Last();
        var weights = Path.Combine(newest, "student.safetensors");
        File.WriteAllBytes(weights, File.ReadAllBytes(weights)[..100]);
        var warnings = new RecordingProgress();

        var (teacher2, student2) = Models(task);
        var outcome = new DistillationTrainer(new TrainerSetup { Spec = spec, Teacher = teacher2, Student = student2, Train = task.Train, PadId = task.PadId, Progress = warnings, Checkpoints = store }).Run();

        Assert.Equal(8, outcome.ResumedFromStep);
        var warning = Assert.Single(warnings.Warnings);
        Assert.Contains("student.safetensors does not match its recorded SHA-256", warning, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData(6, 12, new[] { 2, 4, 6, 8, 10, 12 })]
    [InlineData(4, 12, new[] { 3, 6, 9, 12 })]
    [InlineData(3, 12, new[] { 4, 8, 12 })]
    [InlineData(3, 6, new[] { 2, 4, 6 })]
    [InlineData(3, 4, new[] { 1, 3, 4 })]
    [InlineData(1, 12, new[] { 12 })]
    public void The_uniform_mapping_matches_student_layer_k_to_teacher_layer_round_kN_over_M(int student, int teacher, int[] expected)
    {
        var mapping = LayerMapping.Uniform(student, teacher);

        Assert.Equal(Enumerable.Range(1, student), mapping.Pairs.Select(p => p.Student));
        Assert.Equal(expected, mapping.Pairs.Select(p => p.Teacher));
    }

    [Fact]
    public void The_learning_rate_warms_up_linearly_then_decays_linearly_to_zero()
    {
        double[] rates = [.. Enumerable.Range(1, 10).Select(step => DistillationTrainer.LearningRate(1.0, step, warmup: 2, total: 10))];

        Assert.Equal([0.5, 1.0, 0.875, 0.75, 0.625, 0.5, 0.375, 0.25, 0.125, 0.0], rates);
    }

    [Fact]
    public void A_student_with_other_head_counts_is_distilled_on_head_averaged_maps_and_the_run_says_so()
    {
        var task = MakeTask(train: 48, validation: 16);
        torch.manual_seed(1);
        using var teacher = new BertClassifier(SyntheticTask.Config(task.Vocab, 2, heads: 4));
        using var student = new BertClassifier(SyntheticTask.Config(task.Vocab, 2, heads: 2));
        var progress = new RecordingProgress();

        new DistillationTrainer(new TrainerSetup { Spec = SyntheticTask.Spec(DistillationStrategy.AllLayers, classificationEpochs: 1), Teacher = teacher, Student = student, Train = task.Train, PadId = task.PadId, Progress = progress }).Run();

        Assert.Contains(progress.Warnings, w => w.Contains("4 attention heads and the student 2", StringComparison.Ordinal));
        Assert.All(progress.Steps.Where(s => s.Losses.ContainsKey("attention")), s => Assert.True(double.IsFinite(s.Losses["attention"])));
    }

    private sealed class CancelAfterSteps(ITrainingProgress inner, CancellationTokenSource cancellation, int steps) : ITrainingProgress
    {
        public void StageStarted(StageProgress stage) => inner.StageStarted(stage);

        public void StepCompleted(StepProgress step)
        {
            inner.StepCompleted(step);
            if (step.Step == steps)
            {
                cancellation.Cancel();
            }
        }

        public void Evaluated(EvaluationProgress evaluation) => inner.Evaluated(evaluation);

        public void CheckpointWritten(string path, long step) => inner.CheckpointWritten(path, step);

        public void Warning(string message) => inner.Warning(message);
    }
}
