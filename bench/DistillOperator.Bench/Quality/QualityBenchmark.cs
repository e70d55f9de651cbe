using System.Diagnostics;
using System.Runtime.InteropServices;
using DistillOperator.Api.Validation;
using DistillOperator.Api.V1Alpha1;
using DistillOperator.Training;
using DistillOperator.Training.Models;
using DistillOperator.Training.Runs;
using k8s.Models;
using static System.FormattableString;

namespace DistillOperator.Bench.Quality;

/// <summary>
/// The SST-2 quality table (Aguilar et al., AAAI 2020, at a size two CPU cores can run): all-MiniLM-L6-v2 fine-tuned
/// on SST-2 as the teacher, 3-layer students initialised from its layers 2, 4, 6 and trained with every strategy and
/// seed, each through the product's JobRunner. Every finished cell is saved as it completes and skipped when the
/// command runs again, so the table can be built across several runs.
/// </summary>
internal static class QualityBenchmark
{
    public static int Run(string[] args, TextWriter output, TextWriter error)
    {
        QualityOptions options;
        try
        {
            options = QualityOptions.Parse(args);
        }
        catch (ArgumentException e)
        {
            error.WriteLine($"quality: {e.Message}");
            return 2;
        }

        var paths = new QualityPaths(options);
        using var cancellation = new CancellationTokenSource();
        // SIGINT (Ctrl-C, also when started in the background, where a shell leaves it ignored) and SIGTERM stop at the
        // next checkpoint; a second signal ends the process at once.
        void Stop(PosixSignalContext context)
        {
            if (cancellation.IsCancellationRequested)
            {
                return;
            }

            context.Cancel = true;
            cancellation.Cancel();
            error.WriteLine("quality: stopping; finished cells are saved, and the cell in progress resumes from its last checkpoint");
        }

        using var interrupt = PosixSignalRegistration.Create(PosixSignal.SIGINT, Stop);
        using var terminate = PosixSignalRegistration.Create(PosixSignal.SIGTERM, Stop);

        try
        {
            paths.CheckData();
            if (options.TableOnly)
            {
                var saved = QualityRecords.Load<TeacherRecord>(paths.TeacherRecord) ?? throw new FileNotFoundException($"{paths.TeacherRecord}: no teacher has been fine-tuned yet; run without --table-only");
                return Print(output, paths, saved, options);
            }

            var teacher = FinetunedTeacher(paths, options, output, cancellation.Token);
            var cells = QualityCell.All(options).ToList();
            output.WriteLine(Invariant($"quality: {cells.Count} cells ({string.Join(", ", options.Schedules.Select(QualityCell.ScheduleName))}; seeds {string.Join(",", options.Seeds)}); {TorchRuntime.Describe()}; results in {paths.Results}"));
            foreach (var (cell, index) in cells.Select((c, i) => (c, i + 1)))
            {
                var record = paths.CellRecord(cell);
                if (QualityRecords.Load<CellRecord>(record) is { } done && done.Matches(cell, teacher))
                {
                    output.WriteLine(Invariant($"[{index}/{cells.Count}] {cell.Key}: saved (dev {done.DevAccuracy * 100:F2}%), skipped"));
                    continue;
                }

                output.WriteLine(Invariant($"[{index}/{cells.Count}] {cell.Key}: {cell.TotalEpochs} epoch(s)"));
                var watch = Stopwatch.StartNew();
                var result = Runner(paths, output).Run(cell.Job(paths, teacher.Weights!), ValidationTarget.Local, cancellation.Token);
                var saved = QualityRecords.ForCell(cell, paths.TrainExampleCount(), watch.Elapsed.TotalSeconds, teacher, result);
                QualityRecords.Save(record, saved);
                DeleteCheckpoints(result.OutputFolder);
                output.WriteLine(Invariant($"[{index}/{cells.Count}] {cell.Key}: dev {saved.DevAccuracy * 100:F2}%, test {saved.TestAccuracy * 100:F2}%, agreement {saved.DevAgreement * 100:F2}%, {saved.Steps:N0} steps in {saved.Seconds / 60:F1} min; saved {record}"));
            }

            return Print(output, paths, teacher, options);
        }
        catch (OperationCanceledException)
        {
            return 130;
        }
        catch (Exception e) when (e is InvalidDataException or FileNotFoundException or IOException)
        {
            error.WriteLine($"quality: {e.Message}");
            return 1;
        }
    }

    // The teacher every cell distils from: fine-tuned by a job of its own and exported by it. A saved teacher of the
    // same recipe is used as it is; when its model is gone (a fresh clone) it is fine-tuned again from that recipe, and
    // the cells saved so far still count (the table says how many builds they come from). Another recipe (other data,
    // settings or pretrained model) is another teacher: its cells run again.
    private static TeacherRecord FinetunedTeacher(QualityPaths paths, QualityOptions options, TextWriter output, CancellationToken cancellation)
    {
        PretrainedMiniLm.ExtractTo(paths.PretrainedTeacher);
        var job = TeacherJob(paths, options);
        var recipe = QualityRecords.Recipe(job.Spec, paths.PretrainedModel, paths.PretrainedVocabulary, paths.TrainFile());
        var saved = QualityRecords.Load<TeacherRecord>(paths.TeacherRecord);
        var built = File.Exists(Path.Combine(paths.FinetunedTeacher, BertCheckpoint.WeightsFile)) ? QualityRecords.WeightsHash(paths.FinetunedTeacher) : null;
        if (saved is { Weights: null } && saved.Fingerprint == built
            && saved.TrainExamples == paths.TrainExampleCount() && saved.Epochs == options.TeacherEpochs && saved.LearningRate == options.TeacherLearningRate)
        {
            // Written before records named their recipe, when the fingerprint was the weights' hash.
            saved = saved with { Fingerprint = recipe, Weights = built };
            QualityRecords.Save(paths.TeacherRecord, saved);
        }

        if (saved is not null && saved.Fingerprint == recipe && built is not null && saved.Weights == built)
        {
            output.WriteLine(Invariant($"teacher: saved (dev {saved.DevAccuracy * 100:F2}%, recipe {saved.Fingerprint}, weights {saved.Weights})"));
            return saved;
        }

        output.WriteLine(Invariant($"teacher: fine-tuning all-MiniLM-L6-v2 on {paths.TrainExampleCount():N0} examples, {options.TeacherEpochs} epoch(s)"));
        var watch = Stopwatch.StartNew();
        var result = Runner(paths, output).Run(job, ValidationTarget.Local, cancellation);
        var weights = QualityRecords.WeightsHash(paths.FinetunedTeacher);
        var sameRecipe = saved is not null && saved.Fingerprint == recipe;
        List<TeacherBuild> earlier = sameRecipe ? [.. saved!.EarlierBuilds ?? []] : [];
        if (sameRecipe && saved!.Weights is { } previous && previous != weights && earlier.All(b => b.Weights != previous))
        {
            earlier.Add(new TeacherBuild(previous, saved.DevAccuracy, saved.TestAccuracy));
        }

        earlier.RemoveAll(b => b.Weights == weights); // a build made again is the current one, listed once

        var record = new TeacherRecord(
            recipe,
            paths.TrainExampleCount(),
            options.TeacherEpochs,
            options.TeacherLearningRate,
            (long)Math.Ceiling(paths.TrainExampleCount() / (double)job.Spec.Training.BatchSize) * options.TeacherEpochs,
            watch.Elapsed.TotalSeconds,
            result.Outcome.Teacher!.Accuracy,
            result.Test!.Value.Teacher.Accuracy,
            result.TeacherParameters,
            QualityRecords.EncoderParameters(paths.FinetunedTeacher, result.TeacherParameters),
            weights,
            earlier.Count > 0 ? earlier : null);
        QualityRecords.Save(paths.TeacherRecord, record);
        DeleteCheckpoints(result.OutputFolder);
        output.WriteLine(Invariant($"teacher: dev {record.DevAccuracy * 100:F2}%, test {record.TestAccuracy * 100:F2}% after {record.Seconds / 60:F1} min (recipe {recipe}, weights {weights}); saved {paths.TeacherRecord}"));
        return record;
    }

    private static DistillationJob TeacherJob(QualityPaths paths, QualityOptions options) => new()
    {
        Metadata = new V1ObjectMeta { Name = "teacher" },
        Spec = new DistillationJobSpec
        {
            Teacher = new TeacherSpec
            {
                Model = new ModelSource { Uri = paths.FileUri(paths.PretrainedModel), Format = ModelFormat.Onnx },
                Finetune = new FinetuneSpec { Epochs = options.TeacherEpochs, LearningRate = options.TeacherLearningRate },
            },
            // The job exists for its fine-tuned teacher; its student (one layer, labels only) is a by-product.
            Student = new StudentSpec { Architecture = new ArchitectureSpec { Layers = 1 } },
            Data = paths.Data(),
            Distillation = new DistillationSpec { Strategy = DistillationStrategy.None, HardLabelWeight = 1 },
            Training = QualityCell.Training(seed: 42, epochsPerStage: 1, classificationEpochs: 1, QualityCell.StudentLearningRate),
            Output = new OutputSpec { Uri = paths.FileUri(paths.TeacherJobOutput) },
        },
    };

    private static JobRunner Runner(QualityPaths paths, TextWriter output) =>
        new(new StoragePaths(paths.Work, _ => null), new LineProgress(output, 500), paths.TeacherCache);

    private static int Print(TextWriter output, QualityPaths paths, TeacherRecord teacher, QualityOptions options)
    {
        var cells = Directory.EnumerateFiles(paths.Results, "*-seed*.json").Order(StringComparer.Ordinal).Select(f => QualityRecords.Load<CellRecord>(f)!).ToList();
        var table = QualityTable.Render(teacher, cells, options.Strategies);
        AtomicFile.WriteAllText(paths.Table, table);
        output.WriteLine();
        output.Write(table);
        return 0;
    }

    // A finished cell's checkpoints (weights and optimizer state, hundreds of MB) are no longer needed.
    private static void DeleteCheckpoints(string outputFolder)
    {
        var checkpoints = Path.Combine(outputFolder, JobRunner.CheckpointFolder);
        if (Directory.Exists(checkpoints))
        {
            Directory.Delete(checkpoints, recursive: true);
        }
    }
}
