using System.Globalization;
using DistillOperator.Api.Manifests;
using DistillOperator.Api.Validation;
using DistillOperator.Training;
using DistillOperator.Training.Distillation;
using DistillOperator.Training.Runs;

namespace DistillOperator.Trainer;

/// <summary>
/// <c>DistillOperator.Trainer --job FILE [--local] [--volume CLAIM=DIR]... [--progress-every N]</c>: runs the
/// DistillationJob in FILE (the run spec the operator mounts, or any manifest), resuming from its checkpoints.
/// </summary>
public static class TrainerCommand
{
    /// <summary>Environment variable naming the job file when --job is not given.</summary>
    public const string JobFileVariable = "DISTILL_JOB_FILE";

    /// <summary>Environment variable: seconds between status patches (default 10).</summary>
    public const string StatusIntervalVariable = "DISTILL_STATUS_INTERVAL_SECONDS";

    /// <summary>Runs the trainer and returns its exit code.</summary>
    public static int Run(string[] args, TextWriter output, TextWriter error, CancellationToken cancellation)
    {
        ArgumentNullException.ThrowIfNull(args);
        string? jobFile = Environment.GetEnvironmentVariable(JobFileVariable);
        var local = false;
        var every = 10;
        var volumes = new Dictionary<string, string>(StringComparer.Ordinal);
        for (var i = 0; i < args.Length; i++)
        {
            switch (args[i])
            {
                case "--job" when i + 1 < args.Length:
                    jobFile = args[++i];
                    break;
                case "--local":
                    local = true;
                    break;
                case "--volume" when i + 1 < args.Length && args[i + 1].Split('=', 2) is [var claim, var folder]:
                    volumes[claim] = folder;
                    i++;
                    break;
                case "--progress-every" when i + 1 < args.Length && int.TryParse(args[i + 1], CultureInfo.InvariantCulture, out var n) && n > 0:
                    every = n;
                    i++;
                    break;
                case "--help" or "-h":
                    output.WriteLine("usage: DistillOperator.Trainer --job FILE [--local] [--volume CLAIM=DIR]... [--progress-every N]");
                    return ExitCodes.Success;
                default:
                    error.WriteLine($"trainer: unknown or incomplete argument {args[i]}; see --help");
                    return ExitCodes.BadInput;
            }
        }

        if (jobFile is null)
        {
            error.WriteLine($"trainer: no job: give --job FILE or set {JobFileVariable}");
            return ExitCodes.BadInput;
        }

        try
        {
            output.WriteLine($"trainer: {TorchRuntime.Describe()}");
            var target = local ? ValidationTarget.Local : ValidationTarget.Cluster;
            var job = ManifestValidator.ReadJob(jobFile, target);

            var baseDirectory = Path.GetDirectoryName(Path.GetFullPath(jobFile))!;
            var paths = new StoragePaths(baseDirectory, claim => volumes.TryGetValue(claim, out var folder) ? folder : Path.Combine(StoragePaths.PodClaimRoot, claim));
            var why = "local run";
            using var patcher = local ? null : KubernetesStatusPatcher.FromEnvironment(out why);
            var reporter = patcher is null ? null : new StatusReporter(patcher, StatusInterval(), output);
            output.WriteLine(patcher is null ? $"trainer: status is not reported to the cluster ({why})" : $"trainer: reporting status to {patcher.Target}");
            ITrainingProgress progress = reporter is null ? new LineProgress(output, every) : new ProgressFanOut(new LineProgress(output, every), reporter);
            var runner = new JobRunner(paths, progress);
            if (!local && TrainingDevice.MismatchWarning(job.Spec.Resources.Gpus, runner.Device) is { } mismatch)
            {
                progress.Warning(mismatch);
            }

            var result = runner.Run(job, target, cancellation);
            if (result.Outcome.ResumedFromStep is { } resumed)
            {
                output.WriteLine($"trainer: resumed from the checkpoint at step {resumed}");
            }

            if (result.Outcome.SelectedStep is { } selected)
            {
                output.WriteLine($"trainer: exporting the student of step {selected}, the best on validation (spec.training.keepBest)");
            }

            var jobResult = RunReport.ToJobResult(job, result);
            TerminationMessage.Write(jobResult);
            if (reporter is not null && reporter.ReportResultAsync(jobResult, cancellation: CancellationToken.None).GetAwaiter().GetResult())
            {
                output.WriteLine("trainer: result reported");
            }
            output.WriteLine(string.Create(CultureInfo.InvariantCulture, $"trainer: done in {result.Outcome.Steps} steps; student accuracy {result.Outcome.Student?.Accuracy:F4}, teacher {result.Outcome.Teacher?.Accuracy:F4}; exported to {result.VersionFolder}"));
            output.WriteLine(result.Promoted
                ? $"trainer: promoted version {result.Version}{(result.Gate is { } gate ? $" ({gate.Message})" : "")}"
                : $"trainer: not promoted ({result.Gate?.Reason}: {result.Gate?.Message}); current stays {result.PromotedVersion ?? "empty"}");
            return ExitCodes.Success;
        }
        catch (OperationCanceledException)
        {
            output.WriteLine("trainer: stopped; run again to resume from the checkpoint");
            return ExitCodes.Terminated;
        }
        catch (Exception e) when (e is InvalidDataException or ManifestSyntaxException or FileNotFoundException or DirectoryNotFoundException)
        {
            error.WriteLine($"trainer: bad input: {e.Message}");
            TerminationMessage.WriteText(e.Message);
            return ExitCodes.BadInput;
        }
        catch (TeacherNotLearnedException e)
        {
            error.WriteLine($"trainer: {e.Message}");
            TerminationMessage.WriteText(e.Message);
            return ExitCodes.TeacherNotLearned;
        }
        catch (Exception e)
        {
            error.WriteLine($"trainer: failed: {e}");
            return ExitCodes.Failure;
        }
    }

    private static TimeSpan StatusInterval() =>
        double.TryParse(Environment.GetEnvironmentVariable(StatusIntervalVariable), NumberStyles.Float, CultureInfo.InvariantCulture, out var seconds) && seconds > 0
            ? TimeSpan.FromSeconds(seconds)
            : TimeSpan.FromSeconds(10);
}
