using System.Security.Cryptography;
using System.Text;
using System.Text.Json.Nodes;
using DistillOperator.Api.V1Alpha1;
using DistillOperator.Api.Validation;
using DistillOperator.Training.Checkpoints;
using DistillOperator.Training.Data;
using DistillOperator.Training.Distillation;
using DistillOperator.Training.Evaluation;
using DistillOperator.Training.Models;
using DistillOperator.Training.Models.Onnx;
using DistillOperator.Training.Outputs;
using DistillOperator.Training.Text;
using k8s;
using TorchSharp;
using static TorchSharp.torch;

namespace DistillOperator.Training.Runs;

/// <summary>
/// Runs a DistillationJob on this machine: reads and checks every input before anything is written, trains (resuming
/// from the job's checkpoints), checks the quality gate, then exports the student in Hugging Face format into a version
/// folder of its own (<see cref="StagedVersion"/>) and promotes it to OUTPUT/current when it passed
/// (<see cref="Promotion"/>). Bad input raises <see cref="InvalidDataException"/> naming the field, file and line; the
/// output folder is then untouched. No run writes into another run's version, and current always names a whole
/// student that passed its gate.
/// </summary>
public sealed class JobRunner(StoragePaths paths, ITrainingProgress progress, string? teacherCacheFolder = null, Device? device = null)
{
    /// <summary>Where the models train and evaluate: <see cref="TrainingDevice.Current"/> unless given.</summary>
    public Device Device { get; } = device ?? TrainingDevice.Current;

    /// <summary>Where checkpoints go inside the output folder, one sub-folder per training-relevant spec.</summary>
    public const string CheckpointFolder = ".checkpoints";

    /// <summary>The file in <see cref="CheckpointFolder"/> remembering the inputs' digests (see <see cref="InputDigests"/>).</summary>
    public const string InputDigestsFile = "input-digests.json";

    /// <summary>Where a teacher fine-tuned by the job is exported inside the run's version folder, so later jobs can reuse it.</summary>
    public const string FinetunedTeacherFolder = "teacher";

    /// <summary>Runs the job.</summary>
    public RunResult Run(DistillationJob job, ValidationTarget target, CancellationToken cancellation = default)
    {
        ArgumentNullException.ThrowIfNull(job);
        DistillationJobDefaults.Apply(job);
        Fail(DistillationJobValidator.Validate(job, target));
        var spec = job.Spec;

        var trainPath = paths.Resolve(spec.Data.Train.Uri, "spec.data.train.uri");
        var rawTrain = DatasetReader.ReadRaw(spec.Data.Train, trainPath);
        var labels = spec.Data.Train.Labels is { } names ? LabelSet.FromNames([.. names]) : LabelSet.Infer(rawTrain.Select(r => r.Label), trainPath);
        var train = DatasetReader.Read(spec.Data.Train, trainPath, labels);

        var tokenizer = CreateTokenizer(spec, train);
        // Models are initialised from the seed, so the same job gives the same student in any process.
        TorchSharp.torch.manual_seed(spec.Training.Seed);
        using var teacher = LoadTeacher(spec, labels, tokenizer);
        if (spec.Teacher is { Model: { } teacherModel, Finetune: null })
        {
            var aligned = TeacherLabelOrder.Align(labels, teacher.Config.LabelNames, spec.Data.Train.Labels is not null, $"spec.teacher.model ({teacherModel.Uri})", progress.Warning);
            if (!ReferenceEquals(aligned, labels))
            {
                labels = aligned;
                train = DatasetReader.Read(spec.Data.Train, trainPath, labels);
            }
        }

        var validation = spec.Data.Validation is { } v ? DatasetReader.Read(v, paths.Resolve(v.Uri, "spec.data.validation.uri"), labels) : null;
        Fail(DistillationJobValidator.ValidateAgainstTeacher(spec, teacher.Config.ToArchitecture()));
        var studentArchitecture = DistillationJobDefaults.ResolveStudent(spec.Student.Architecture, teacher.Config.ToArchitecture());
        using var student = new BertClassifier(teacher.Config with
        {
            Layers = studentArchitecture.Layers!.Value,
            HiddenSize = studentArchitecture.HiddenSize!.Value,
            Heads = studentArchitecture.Heads!.Value,
            IntermediateSize = studentArchitecture.IntermediateSize!.Value,
            Labels = labels.Count,
            LabelNames = labels.NamesAreIndices ? null : labels.Names,
        });
        teacher.to(Device);
        student.to(Device);

        var test = spec.Data.Test is { } testSpec ? DatasetReader.Read(testSpec, paths.Resolve(testSpec.Uri, "spec.data.test.uri"), labels) : null;
        var outputFolder = paths.Resolve(spec.Output.Uri, "spec.output.uri");
        OutputFolderCheck.EnsureWritable(outputFolder);
        Promotion.EnsureManageable(outputFolder);
        Promotion.RepairPointer(outputFolder);
        if (spec.QualityGate?.MaxRegression is not null && Promotion.Current(outputFolder) is { } comparedWith)
        {
            PromotedBaseline.EnsureComparable(comparedWith, labels);
        }

        var encodedTrain = EncodedExample.Encode(train, tokenizer, spec.Data.MaxSequenceLength);
        var encodedValidation = validation is null ? null : EncodedExample.Encode(validation, tokenizer, spec.Data.MaxSequenceLength);
        var checkpointRoot = Path.Combine(outputFolder, CheckpointFolder);
        var runHash = RunFingerprint(spec, checkpointRoot);
        var checkpoints = Path.Combine(checkpointRoot, runHash);
        var trainer = new DistillationTrainer(new TrainerSetup
        {
            Spec = spec,
            Teacher = teacher,
            Student = student,
            Train = encodedTrain,
            Validation = encodedValidation,
            PadId = tokenizer.PadId,
            TeacherCacheFolder = teacherCacheFolder,
            Progress = progress,
            Checkpoints = new CheckpointStore(checkpoints),
            TeacherReady = spec.Distillation.Strategy == DistillationStrategy.None
                ? null // the student learns from the labels alone
                : t => TeacherCompetence.Check(t, encodedValidation, encodedTrain, tokenizer.PadId, spec.Training.BatchSize, cancellation),
            InitializeStudent = spec.Student.InitFrom == StudentInit.Teacher
                ? (t, s) => StudentInitializer.FromTeacher(t, s, LayerMapping.For(spec.Distillation.Internal, s.Config.Layers, t.Config.Layers))
                : null,
        });
        var outcome = trainer.Run(cancellation);

        // Measure on held-out examples, or on training examples when the job has none.
        var measured = encodedValidation is { Count: > 0 } ? encodedValidation : encodedTrain;
        var teacherLatency = LatencyMeter.MillisecondsPerExample(teacher, measured, tokenizer.PadId, spec.Training.BatchSize);
        var studentLatency = LatencyMeter.MillisecondsPerExample(student, measured, tokenizer.PadId, spec.Training.BatchSize);
        cancellation.ThrowIfCancellationRequested();
        (ClassificationMetrics, ClassificationMetrics, double)? testMetrics = null;
        if (test is not null)
        {
            var encodedTest = EncodedExample.Encode(test, tokenizer, spec.Data.MaxSequenceLength);
            var (teacherTest, teacherPredictions) = ModelEvaluator.Evaluate(teacher, encodedTest, tokenizer.PadId, spec.Training.BatchSize, cancellation);
            var (studentTest, studentPredictions) = ModelEvaluator.Evaluate(student, encodedTest, tokenizer.PadId, spec.Training.BatchSize, cancellation);
            testMetrics = (teacherTest, studentTest, ClassificationMetrics.Agreement(studentPredictions, teacherPredictions));
        }

        // The gate is checked before anything is written: a student that misses it is exported as a version of its
        // own for inspection, and current keeps the student it had.
        var promotedBefore = Promotion.Current(outputFolder);
        var baseline = spec.QualityGate?.MaxRegression is not null && promotedBefore is not null && validation is not null
            ? PromotedBaseline.Evaluate(promotedBefore, validation, spec.Data.MaxSequenceLength, spec.Training.BatchSize, Device, cancellation)
            : null;
        var verdict = QualityGateCheck.Evaluate(spec.QualityGate, new JobResult
        {
            TeacherAccuracy = outcome.Teacher?.Accuracy,
            StudentAccuracy = outcome.Student?.Accuracy,
            Agreement = outcome.Agreement,
            BaselineVersion = baseline?.Version,
            BaselineAccuracy = baseline?.Accuracy,
        });
        var promote = verdict is null || verdict.Met;
        cancellation.ThrowIfCancellationRequested();

        using var staged = StagedVersion.Begin(outputFolder);
        BertCheckpoint.Save(student, staged.Folder);
        ExportedTokenizer.Write(staged.Folder, tokenizer, spec.Data.MaxSequenceLength);
        if (spec.Teacher.Finetune is not null)
        {
            // Fine-tuning is often the costliest part of a job: keep its result, loadable as spec.teacher.model.
            var stagedTeacher = Path.Combine(staged.Folder, FinetunedTeacherFolder);
            BertCheckpoint.Save(teacher, stagedTeacher);
            ExportedTokenizer.Write(stagedTeacher, tokenizer, spec.Data.MaxSequenceLength);
        }

        var endedAt = DateTimeOffset.UtcNow;
        var versionName = staged.FreeName(OutputLayout.VersionName(endedAt, job.Metadata?.Generation, runHash));
        var result = new RunResult(outcome, outputFolder, teacher.ParameterCount, student.ParameterCount)
        {
            TeacherLatencyMs = teacherLatency,
            StudentLatencyMs = studentLatency,
            StudentBytes = new FileInfo(Path.Combine(staged.Folder, BertCheckpoint.WeightsFile)).Length,
            Test = testMetrics,
            Labels = labels.Names,
            TeacherCache = trainer.TeacherCache is { } cache ? (cache.Key, cache.ReusedFromDisk) : null,
            Version = versionName,
            Gate = verdict,
            Baseline = baseline,
            FinetunedTeacherFolder = spec.Teacher.Finetune is null ? null : Path.Combine(OutputLayout.VersionFolder(outputFolder, versionName), FinetunedTeacherFolder),
        };
        AtomicFile.WriteAllText(Path.Combine(staged.Folder, ModelCard.FileName), ModelCard.Write(job, result));
        AtomicFile.WriteAllText(Path.Combine(staged.Folder, RunReport.FileName), RunReport.ToJson(job, result).ToJsonString(new System.Text.Json.JsonSerializerOptions { WriteIndented = true }) + "\n");
        staged.Commit(versionName);
        if (promote)
        {
            Promotion.Promote(outputFolder, versionName, endedAt);
        }

        foreach (var removed in OutputRetention.Apply(outputFolder, spec.Output.KeepVersions, versionName, checkpointRoot, checkpoints))
        {
            progress.Warning($"spec.output.keepVersions ({spec.Output.KeepVersions}): removed {removed}");
        }

        return result with
        {
            Promoted = promote,
            PromotedVersion = promote ? versionName : promotedBefore?.Name,
        };
    }

    private static void Fail(IReadOnlyList<ValidationProblem> problems)
    {
        if (problems.Count > 0)
        {
            throw new InvalidDataException(string.Join("\n", problems.Select(p => p.ToString())));
        }
    }

    private ITokenizer CreateTokenizer(DistillationJobSpec spec, IReadOnlyList<LabeledExample> train)
    {
        var tokenizer = spec.Data.Tokenizer;
        if (tokenizer.Vocab is { } vocab)
        {
            return new WordPieceTokenizer(Vocabulary.Read(paths.Resolve(vocab, "spec.data.tokenizer.vocab")), tokenizer.LowerCase);
        }

        return spec.Teacher.Model is { } model
            ? TeacherTokenizer(model)
            : WordTokenizer.Build(train.SelectMany(e => e.Pair is null ? [e.Text] : new[] { e.Text, e.Pair }), tokenizer.MaxVocab, tokenizer.LowerCase);
    }

    // A pretrained teacher reads the ids of the vocabulary it was trained with: without spec.data.tokenizer.vocab the run
    // takes the one beside the teacher's weights (vocab.txt, with its tokenizer_config.json), never one built from the
    // training data, whose ids would stand for other words to the teacher.
    private ITokenizer TeacherTokenizer(ModelSource model)
    {
        var path = paths.Resolve(model.Uri, "spec.teacher.model.uri");
        var folder = File.Exists(path) ? Path.GetDirectoryName(Path.GetFullPath(path))! : path;
        if (!File.Exists(Path.Combine(folder, ExportedTokenizer.VocabularyFile)))
        {
            throw new InvalidDataException($"spec.data.tokenizer.vocab: is required because the teacher's folder {folder} (spec.teacher.model.uri) has no {ExportedTokenizer.VocabularyFile}; give the vocabulary the teacher was trained with, as a vocabulary built from the training data would feed it ids that stand for other words");
        }

        return ExportedTokenizer.Read(folder);
    }

    private BertClassifier LoadTeacher(DistillationJobSpec spec, LabelSet labels, ITokenizer tokenizer)
    {
        BertClassifier teacher;
        if (spec.Teacher.Model is { } model)
        {
            var folder = paths.Resolve(model.Uri, "spec.teacher.model.uri");
            var finetuned = spec.Teacher.Finetune is not null;
            int? headLabels = finetuned ? labels.Count : null;
            teacher = model.Format switch
            {
                ModelFormat.Onnx => OnnxBertImporter.Load(folder.EndsWith(".onnx", StringComparison.OrdinalIgnoreCase) ? folder : Path.Combine(folder, "model.onnx"), finetuned, headLabels),
                ModelFormat.TorchSharp => BertCheckpoint.LoadTorchSharp(folder, headLabels),
                _ => BertCheckpoint.Load(folder, allowMissingHead: finetuned, labels: headLabels),
            };
            if (teacher.Config.Labels != labels.Count)
            {
                var classes = teacher.Config.Labels;
                teacher.Dispose();
                throw new InvalidDataException($"{Path.Combine(folder, BertCheckpoint.ConfigFile)}: the teacher classifies into {classes} classes but the training data has {labels.Count}; add spec.teacher.finetune to train a new head");
            }
        }
        else
        {
            var architecture = spec.Teacher.Architecture!;
            teacher = new BertClassifier(new BertConfig
            {
                VocabSize = tokenizer.Vocabulary.Count,
                Layers = architecture.Layers!.Value,
                HiddenSize = architecture.HiddenSize!.Value,
                Heads = architecture.Heads!.Value,
                IntermediateSize = architecture.IntermediateSize!.Value,
                MaxPositions = Math.Max(512, spec.Data.MaxSequenceLength),
                Labels = labels.Count,
                LabelNames = labels.NamesAreIndices ? null : labels.Names,
            });
        }

        if (tokenizer.Vocabulary.Count > teacher.Config.VocabSize)
        {
            var size = teacher.Config.VocabSize;
            teacher.Dispose();
            throw new InvalidDataException($"spec.data.tokenizer: the vocabulary has {tokenizer.Vocabulary.Count} tokens but the teacher's embeddings cover {size}; use the teacher's own vocab.txt");
        }

        if (spec.Data.MaxSequenceLength > teacher.Config.MaxPositions)
        {
            var positions = teacher.Config.MaxPositions;
            teacher.Dispose();
            throw new InvalidDataException($"spec.data.maxSequenceLength: must be at most the teacher's max_position_embeddings ({positions}), got {spec.Data.MaxSequenceLength}");
        }

        return teacher;
    }

    // Checkpoints must not be resumed by another run: they live under a hash of the spec's training fields and of the
    // input files' contents (a file changed since, or a teacher replaced at the same URI, starts training afresh rather
    // than reporting a model of the old data; the same bytes copied again resume). The digests are remembered beside
    // the checkpoints, so an unchanged input is not read again.
    private string RunFingerprint(DistillationJobSpec spec, string checkpointRoot)
    {
        var digests = new InputDigests(Path.Combine(checkpointRoot, InputDigestsFile));
        var node = JsonNode.Parse(KubernetesJson.Serialize(spec))!.AsObject();
        foreach (var ignored in new[] { "resources", "runPolicy", "qualityGate", "output" })
        {
            node.Remove(ignored);
        }

        var inputs = new JsonObject();
        string?[] uris = [spec.Data.Train.Uri, spec.Data.Validation?.Uri, spec.Data.Tokenizer.Vocab, spec.Teacher.Model?.Uri];
        foreach (var uri in uris.OfType<string>().Distinct(StringComparer.Ordinal))
        {
            var path = paths.Resolve(uri, "spec");
            string[] files = Directory.Exists(path) ? [.. Directory.GetFiles(path).Order(StringComparer.Ordinal)] : File.Exists(path) ? [path] : [];
            inputs[uri] = new JsonArray([.. files.Select(f => (JsonNode)new JsonArray(Path.GetFileName(f), digests.Of(f)))]);
        }

        digests.Save();
        node["inputs"] = inputs;
        return Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(node.ToJsonString())))[..16];
    }
}
