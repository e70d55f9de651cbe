using DistillOperator.Api.V1Alpha1;
using DistillOperator.Api.Validation;
using DistillOperator.Testing;
using DistillOperator.Training.Distillation;
using DistillOperator.Training.Models;
using DistillOperator.Training.Runs;
using k8s.Models;
using static TorchSharp.torch;

namespace DistillOperator.Training.Tests;

/// <summary>A job run on this machine end to end, and bad inputs that stop it before anything is written.</summary>
public sealed class JobRunnerTests : IDisposable
{
    private readonly TempFolder _folder = new();

    public JobRunnerTests()
    {
        SyntheticSentiment.WriteTsv(_folder.Combine("train.tsv"), 320, seed: 1);
        SyntheticSentiment.WriteTsv(_folder.Combine("dev.tsv"), 80, seed: 2);
    }

    public void Dispose() => _folder.Dispose();

    private DistillationJob Job(Action<DistillationJobSpec>? change = null)
    {
        var spec = SyntheticTask.Spec(DistillationStrategy.Stacked, teacherEpochs: 6, classificationEpochs: 2);
        spec.Data = new DataSpec { Train = new DatasetSpec { Uri = "train.tsv" }, Validation = new DatasetSpec { Uri = "dev.tsv" }, MaxSequenceLength = 32 };
        spec.Student = new StudentSpec { Architecture = new ArchitectureSpec { Layers = 2 } };
        spec.Output = new OutputSpec { Uri = "out" };
        change?.Invoke(spec);
        return new DistillationJob { Metadata = new V1ObjectMeta { Name = "local" }, Spec = spec };
    }

    private RunResult Run(DistillationJob job) => new JobRunner(new StoragePaths(_folder.Path, _ => null), NoProgress.Instance).Run(job, ValidationTarget.Local);

    [Fact]
    public void A_local_job_trains_a_teacher_distils_a_student_and_exports_it_in_Hugging_Face_format()
    {
        var result = Run(Job());

        Assert.True(result.Outcome.Teacher!.Accuracy > 0.75, $"teacher accuracy {result.Outcome.Teacher.Accuracy}");
        Assert.True(result.Outcome.Student!.Accuracy > 0.7, $"student accuracy {result.Outcome.Student.Accuracy}");
        Assert.True(result.TeacherParameters > result.StudentParameters);
        foreach (var file in new[] { "config.json", "model.safetensors", "vocab.txt", "tokenizer_config.json" })
        {
            Assert.True(File.Exists(Path.Combine(result.VersionFolder, file)), $"{file} was not exported");
        }

        using var exported = BertCheckpoint.Load(result.VersionFolder);
        Assert.Equal(2, exported.Config.Layers);
        Assert.Equal(result.StudentParameters, exported.ParameterCount);
    }

    [Fact]
    public void With_keepBest_the_report_names_the_step_of_the_exported_student()
    {
        var result = Run(Job(spec =>
        {
            spec.Training.KeepBest = true;
            spec.Training.EvalEverySteps = 4;
        }));

        var report = System.Text.Json.Nodes.JsonNode.Parse(File.ReadAllText(Path.Combine(result.VersionFolder, RunReport.FileName)))!;
        Assert.NotNull(result.Outcome.SelectedStep);
        Assert.Equal(result.Outcome.SelectedStep, (long?)report["selectedStep"]);
        Assert.Equal(0, result.Outcome.SelectedStep!.Value % 4);
        Assert.Equal(result.Outcome.Student!.Accuracy, (double)report["student"]!["validation"]!["accuracy"]!);
    }

    [Fact]
    public void A_teacher_fine_tuned_by_a_job_is_exported_and_a_later_job_distils_from_it_without_fine_tuning_again()
    {
        var first = Run(Job());
        var teacherFolder = Path.Combine(first.VersionFolder, JobRunner.FinetunedTeacherFolder);
        Assert.Equal(teacherFolder, first.FinetunedTeacherFolder);
        Assert.Equal(JobRunner.FinetunedTeacherFolder, (string?)System.Text.Json.Nodes.JsonNode.Parse(File.ReadAllText(Path.Combine(first.VersionFolder, RunReport.FileName)))!["finetunedTeacher"]);
        Assert.True(File.Exists(Path.Combine(teacherFolder, "vocab.txt")), "the fine-tuned teacher was exported without its vocabulary");

        var second = Run(Job(spec =>
        {
            spec.Teacher = new TeacherSpec { Model = new ModelSource { Uri = "out/current/teacher" } };
            spec.Output = new OutputSpec { Uri = "second" };
        }));

        // The same weights and the same vocabulary (built from the same data) on the same validation set: the reloaded
        // teacher scores exactly what the fine-tuned one did.
        Assert.Equal(first.Outcome.Teacher!.Accuracy, second.Outcome.Teacher!.Accuracy);
        Assert.Null(second.FinetunedTeacherFolder);
        Assert.False(Directory.Exists(Path.Combine(second.VersionFolder, JobRunner.FinetunedTeacherFolder)));
    }

    [Fact]
    public void A_pretrained_teacher_without_a_vocab_in_the_spec_reads_the_vocabulary_saved_beside_it()
    {
        var first = Run(Job());

        // Other training data, whose own vocabulary would number the words differently: the teacher still gets the ids
        // it was trained with, so it scores what it did on the same validation set and the student inherits its vocabulary.
        SyntheticSentiment.WriteTsv(_folder.Combine("other.tsv"), 60, seed: 9);
        var second = Run(Job(spec =>
        {
            spec.Teacher = new TeacherSpec { Model = new ModelSource { Uri = "out/current/teacher" } };
            spec.Data.Train = new DatasetSpec { Uri = "other.tsv" };
            spec.Output = new OutputSpec { Uri = "second" };
        }));

        Assert.Equal(File.ReadAllLines(Path.Combine(first.FinetunedTeacherFolder!, "vocab.txt")), File.ReadAllLines(Path.Combine(second.VersionFolder, "vocab.txt")));
        Assert.Equal(first.Outcome.Teacher!.Accuracy, second.Outcome.Teacher!.Accuracy);
    }

    [Fact]
    public void A_pretrained_teacher_without_a_vocabulary_beside_it_needs_one_in_the_spec()
    {
        var teacherFolder = _folder.Combine("teacher");
        using (var model = new BertClassifier(SyntheticTask.Config(vocab: 60, layers: 2)))
        {
            BertCheckpoint.Save(model, teacherFolder);
        }

        var output = Directory.CreateDirectory(_folder.Combine("out")).FullName;
        File.WriteAllText(Path.Combine(output, "config.json"), "previous model");

        var error = Assert.Throws<InvalidDataException>(() => Run(Job(spec => spec.Teacher = new TeacherSpec { Model = new ModelSource { Uri = "teacher" } })));

        Assert.StartsWith("spec.data.tokenizer.vocab: is required because the teacher's folder", error.Message, StringComparison.Ordinal);
        Assert.Contains("has no vocab.txt", error.Message, StringComparison.Ordinal);
        Assert.Equal("previous model", File.ReadAllText(Path.Combine(output, "config.json")));
    }

    [Fact]
    public void A_teacher_used_as_it_is_keeps_its_class_order_when_the_data_names_the_classes()
    {
        // Named classes, listed against sorted order: the teacher's output 0 is "zneg".
        foreach (var file in new[] { "train.tsv", "dev.tsv" })
        {
            var rows = File.ReadAllLines(_folder.Combine(file));
            File.WriteAllLines(_folder.Combine(file), [rows[0], .. rows.Skip(1).Select(r => r[..r.LastIndexOf('\t')] + (r.EndsWith("\t0", StringComparison.Ordinal) ? "\tzneg" : "\tapos"))]);
        }

        var first = Run(Job(spec => spec.Data.Train.Labels = ["zneg", "apos"]));
        using (var exported = BertCheckpoint.Load(first.FinetunedTeacherFolder!))
        {
            Assert.Equal(["zneg", "apos"], exported.Config.LabelNames);
        }

        // Inferred from the data the classes would sort as apos, zneg: the run takes the teacher's order instead, so
        // the reloaded teacher scores what it did.
        TeacherSpec Reused() => new() { Model = new ModelSource { Uri = "out/current/teacher" } };
        var second = Run(Job(spec =>
        {
            spec.Teacher = Reused();
            spec.Output = new OutputSpec { Uri = "second" };
        }));
        Assert.Equal(first.Outcome.Teacher!.Accuracy, second.Outcome.Teacher!.Accuracy);

        var error = Assert.Throws<InvalidDataException>(() => Run(Job(spec =>
        {
            spec.Teacher = Reused();
            spec.Data.Train.Labels = ["apos", "zneg"];
            spec.Output = new OutputSpec { Uri = "third" };
        })));
        Assert.StartsWith("spec.data.train.labels: lists the classes as apos, zneg but the teacher", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void A_rerun_resumes_its_finished_training_but_a_changed_training_file_trains_afresh()
    {
        var first = Run(Job());
        Assert.Null(first.Outcome.ResumedFromStep);

        var again = Run(Job());
        Assert.Equal(first.Outcome.Steps, again.Outcome.ResumedFromStep);

        File.AppendAllText(_folder.Combine("train.tsv"), "a new example\t1\n");
        var changed = Run(Job());
        Assert.Null(changed.Outcome.ResumedFromStep);
    }

    [Fact]
    public void The_same_training_file_copied_again_with_a_new_modification_time_still_resumes()
    {
        var first = Run(Job());

        // A data folder synced or mounted afresh: the same bytes, a new file and time.
        var train = _folder.Combine("train.tsv");
        var bytes = File.ReadAllBytes(train);
        File.Delete(train);
        File.WriteAllBytes(train, bytes);
        File.SetLastWriteTimeUtc(train, DateTime.UtcNow.AddDays(1));
        var again = Run(Job());
        Assert.Equal(first.Outcome.Steps, again.Outcome.ResumedFromStep);

        // Other bytes at the same size (one label flipped) are other data: afresh.
        bytes[^2] = (byte)(bytes[^2] == (byte)'1' ? '0' : '1');
        File.WriteAllBytes(train, bytes);
        var changed = Run(Job());
        Assert.Null(changed.Outcome.ResumedFromStep);
    }

    [Fact]
    public void A_run_whose_export_fails_leaves_the_promoted_student_whole_and_adds_no_version()
    {
        var first = Run(Job());
        var current = Path.Combine(first.OutputFolder, "current");
        var before = Directory.GetFiles(current, "*", SearchOption.AllDirectories).ToDictionary(f => Path.GetRelativePath(current, f), File.ReadAllBytes);
        Assert.Contains(RunReport.FileName, before.Keys);

        // The same job again (it resumes from its last checkpoint) cannot stage its version: the export fails.
        File.WriteAllText(Path.Combine(first.OutputFolder, "versions", $".staging-{Environment.MachineName}-{Environment.ProcessId}"), "in the way");
        Assert.ThrowsAny<IOException>(() => Run(Job()));

        Assert.Equal([first.Version], Outputs.OutputLayout.Versions(first.OutputFolder));
        Assert.Equal(first.Version, Outputs.Promotion.Current(first.OutputFolder)?.Name);
        foreach (var (file, bytes) in before)
        {
            Assert.True(File.Exists(Path.Combine(current, file)), $"{file} is gone");
            Assert.True(bytes.AsSpan().SequenceEqual(File.ReadAllBytes(Path.Combine(current, file))), $"{file} changed");
        }
    }

    public static TheoryData<string, Action<JobRunnerTests>, string> BadInputs() => new()
    {
        { "missing file", t => File.Delete(t._folder.Combine("train.tsv")), "train.tsv: data file not found" },
        { "malformed row", t => File.AppendAllText(t._folder.Combine("train.tsv"), "a\tb\tc\n"), "train.tsv:322: expected 2 fields as in the header, got 3" },
        { "label out of range", t => File.AppendAllText(t._folder.Combine("dev.tsv"), "good film\t7\n"), "dev.tsv:82: label 7 is out of range: the task has 2 classes (0..1)" },
        { "unclosed quote", t => File.AppendAllText(t._folder.Combine("train.tsv"), "\"never closed\t1\n"), "train.tsv:322: a quoted field starting on this line is never closed" },
    };

    [Theory]
    [MemberData(nameof(BadInputs))]
    public void Bad_data_gives_one_clear_error_and_leaves_earlier_outputs_untouched(string name, Action<JobRunnerTests> breakIt, string expected)
    {
        var output = Directory.CreateDirectory(_folder.Combine("out")).FullName;
        File.WriteAllText(Path.Combine(output, "config.json"), "previous model");
        breakIt(this);

        var error = Assert.Throws<InvalidDataException>(() => Run(Job()));

        Assert.True(error.Message.Contains(expected, StringComparison.Ordinal), $"{name}: {error.Message}");
        Assert.Equal(["config.json"], Directory.GetFileSystemEntries(output).Select(Path.GetFileName));
        Assert.Equal("previous model", File.ReadAllText(Path.Combine(output, "config.json")));
    }

    [Fact]
    public void An_output_that_cannot_be_written_fails_before_training_naming_spec_output_uri()
    {
        File.WriteAllText(_folder.Combine("taken"), "a file where the output folder should be");

        var error = Assert.Throws<InvalidDataException>(() => Run(Job(spec => spec.Output = new OutputSpec { Uri = "taken/student" })));

        // Raised by the check before training (a failed checkpoint write would raise IOException, not this).
        Assert.StartsWith($"spec.output.uri: cannot write to {_folder.Combine("taken/student")}", error.Message, StringComparison.Ordinal);
        Assert.Equal("a file where the output folder should be", File.ReadAllText(_folder.Combine("taken")));
    }

    [Fact]
    public void A_config_json_that_does_not_match_the_weights_is_rejected_naming_the_tensor()
    {
        var teacherFolder = _folder.Combine("teacher");
        using (var model = new BertClassifier(SyntheticTask.Config(vocab: 60, layers: 2)))
        {
            BertCheckpoint.Save(model, teacherFolder);
        }

        File.WriteAllText(Path.Combine(teacherFolder, "config.json"), File.ReadAllText(Path.Combine(teacherFolder, "config.json")).Replace("\"hidden_size\": 32", "\"hidden_size\": 48", StringComparison.Ordinal));
        File.WriteAllLines(Path.Combine(teacherFolder, "vocab.txt"), ["[PAD]", "[UNK]", "[CLS]", "[SEP]", "good", "bad"]);

        var output = Directory.CreateDirectory(_folder.Combine("out")).FullName;
        File.WriteAllText(Path.Combine(output, "model.safetensors"), "previous model");
        var job = Job(spec => spec.Teacher = new TeacherSpec { Model = new ModelSource { Uri = "teacher" }, Finetune = new FinetuneSpec { Epochs = 1 } });

        var error = Assert.Throws<InvalidDataException>(() => Run(job));

        Assert.Contains("model.safetensors does not match", error.Message, StringComparison.Ordinal);
        Assert.Contains("bert.embeddings.word_embeddings.weight is [60, 32] in the weights but [60, 48] by", error.Message, StringComparison.Ordinal);
        Assert.Equal(["model.safetensors"], Directory.GetFileSystemEntries(output).Select(Path.GetFileName));
        Assert.Equal("previous model", File.ReadAllText(Path.Combine(output, "model.safetensors")));
    }

    [Fact]
    public void A_vocabulary_without_CLS_is_rejected_before_training()
    {
        File.WriteAllLines(_folder.Combine("vocab.txt"), ["[PAD]", "[UNK]", "[SEP]", "good", "bad"]);
        var job = Job(spec => spec.Data.Tokenizer = new TokenizerSpec { Vocab = "vocab.txt" });

        var error = Assert.Throws<InvalidDataException>(() => Run(job));

        Assert.EndsWith("vocab.txt: the vocabulary has no [CLS]; a BERT vocabulary needs [PAD], [UNK], [CLS], [SEP]", error.Message, StringComparison.Ordinal);
        Assert.False(Directory.Exists(_folder.Combine("out")));
    }

    [Fact]
    public void An_invalid_spec_lists_every_problem_with_its_path()
    {
        var job = Job(spec =>
        {
            spec.Distillation.Temperature = -2;
            spec.Training.BatchSize = 0;
        });

        var error = Assert.Throws<InvalidDataException>(() => Run(job));

        Assert.Equal("spec.distillation.temperature: must be greater than 0, got -2\nspec.training.batchSize: must be at least 1, got 0", error.Message);
    }

    [Fact]
    public void A_student_initialised_from_the_teacher_starts_with_the_mapped_teacher_layers()
    {
        using var teacher = new BertClassifier(SyntheticTask.Config(vocab: 40, layers: 4));
        using var student = new BertClassifier(SyntheticTask.Config(vocab: 40, layers: 2));

        StudentInitializer.FromTeacher(teacher, student, LayerMapping.Uniform(2, 4));

        var t = teacher.state_dict();
        var s = student.state_dict();
        Assert.True(s["bert.encoder.layer.0.attention.self.query.weight"].allclose(t["bert.encoder.layer.1.attention.self.query.weight"], 0, 0));
        Assert.True(s["bert.encoder.layer.1.output.dense.weight"].allclose(t["bert.encoder.layer.3.output.dense.weight"], 0, 0));
        Assert.True(s["bert.embeddings.word_embeddings.weight"].allclose(t["bert.embeddings.word_embeddings.weight"], 0, 0));
        Assert.True(s["classifier.weight"].allclose(t["classifier.weight"], 0, 0));
    }
}
