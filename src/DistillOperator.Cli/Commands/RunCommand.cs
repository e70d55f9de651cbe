using System.CommandLine;
using System.Text.Json;
using DistillOperator.Api.Manifests;
using DistillOperator.Api.Validation;
using DistillOperator.Training;
using DistillOperator.Training.Distillation;
using DistillOperator.Training.Runs;
using Spectre.Console;

namespace DistillOperator.Cli.Commands;

/// <summary>
/// <c>distill run -f job.yaml</c>: runs a DistillationJob on this machine with the trainer's code, shows progress per
/// stage and prints teacher and student side by side. Ctrl-C stops after a checkpoint; the same command resumes.
/// </summary>
internal static class RunCommand
{
    public const int Interrupted = 130;

    /// <summary>The teacher is no better than the majority class; nothing was distilled.</summary>
    public const int TeacherNotLearned = 3;

    /// <summary>The student was exported into its version folder but missed the quality gate: current was left as it was.</summary>
    public const int NotPromoted = 4;

    public static Command Create(TextWriter output, TextWriter error, CancellationToken cancellation)
    {
        var file = new Option<string>("--filename", "-f") { Description = "The DistillationJob manifest.", Required = true };
        var volumes = new Option<string[]>("--volume", "-v") { Description = "Map a claim of pvc:// URIs to a local folder: CLAIM=DIR.", AllowMultipleArgumentsPerToken = true };
        var format = new Option<string>("--output", "-o") { Description = "table (default) or json (the report, for scripts).", DefaultValueFactory = _ => "table" };
        format.AcceptOnlyFromAmong("table", "json");
        var cacheFolder = new Option<string?>("--cache-dir") { Description = "Folder of the teacher-output cache shared between jobs (default: ~/.cache/distill/teacher-outputs)." };
        var command = new Command("run", "Run a DistillationJob on this machine.") { file, volumes, format, cacheFolder };
        command.SetAction(parse => Run(
            parse.GetValue(file)!,
            parse.GetValue(volumes) ?? [],
            parse.GetValue(format) == "json",
            parse.GetValue(cacheFolder) ?? DefaultCacheFolder(),
            output,
            error,
            cancellation));
        return command;
    }

    private static string DefaultCacheFolder() =>
        Path.Combine(Environment.GetEnvironmentVariable("XDG_CACHE_HOME") is { Length: > 0 } xdg ? xdg : Path.Combine(Environment.GetFolderPath(Environment.SpecialFolder.UserProfile), ".cache"), "distill", "teacher-outputs");

    private static int Run(string file, string[] volumes, bool json, string cacheFolder, TextWriter output, TextWriter error, CancellationToken cancellation)
    {
        var claims = new Dictionary<string, string>(StringComparer.Ordinal);
        foreach (var volume in volumes)
        {
            if (volume.Split('=', 2) is not [var claim, var folder] || claim.Length == 0 || folder.Length == 0)
            {
                error.WriteLine($"distill run: --volume {volume}: write CLAIM=DIR");
                return DistillCommandLine.UsageError;
            }

            claims[claim] = Path.GetFullPath(folder);
        }

        var console = ConsoleFor.Writer(json ? error : output);
        try
        {
            var job = ManifestValidator.ReadJob(file, ValidationTarget.Local);
            var paths = new StoragePaths(Path.GetDirectoryName(Path.GetFullPath(file))!, claim => claims.GetValueOrDefault(claim));
            console.MarkupLine(Markup.Escape($"distill run: {job.Metadata.Name} ({TorchRuntime.Describe()})"));
            RunResult? result = null;
            if (console.Profile.Capabilities.Interactive)
            {
                console.Progress()
                    .Columns(new TaskDescriptionColumn { Alignment = Justify.Left }, new ProgressBarColumn(), new PercentageColumn(), new RemainingTimeColumn())
                    .Start(context => result = Execute(job, paths, new StageProgressBars(context, console), cacheFolder, cancellation));
            }
            else
            {
                result = Execute(job, paths, new LineProgress(json ? error : output, 25), cacheFolder, cancellation);
            }

            if (json)
            {
                output.WriteLine(File.ReadAllText(Path.Combine(result!.VersionFolder, RunReport.FileName)));
            }
            else
            {
                console.Write(ResultTable.For(result!));
                console.MarkupLine(Markup.Escape($"student exported to {result!.VersionFolder} (report.json, README.md)"));
            }

            if (!result.Promoted)
            {
                var current = result.PromotedVersion is { } kept ? $"{Path.Combine(result.OutputFolder, Training.Outputs.OutputLayout.CurrentLink)} stays version {kept}" : "nothing is promoted yet";
                error.WriteLine($"distill run: not promoted: {result.Gate?.Reason}: {result.Gate?.Message}; {current}");
                return NotPromoted;
            }

            console.MarkupLine(Markup.Escape($"promoted: {Path.Combine(result.OutputFolder, Training.Outputs.OutputLayout.CurrentLink)} is version {result.Version}"));
            return 0;
        }
        catch (TeacherNotLearnedException e)
        {
            error.WriteLine($"distill run: {e.Message}");
            return TeacherNotLearned;
        }
        catch (OperationCanceledException)
        {
            error.WriteLine("distill run: stopped after a checkpoint; run the same command again to resume");
            return Interrupted;
        }
        catch (Exception e) when (e is InvalidDataException or ManifestSyntaxException or FileNotFoundException or DirectoryNotFoundException)
        {
            error.WriteLine($"distill run: {e.Message}");
            return 2;
        }
        catch (JsonException e)
        {
            error.WriteLine($"distill run: {e.Message}");
            return 2;
        }
    }

    private static RunResult Execute(Api.V1Alpha1.DistillationJob job, StoragePaths paths, ITrainingProgress progress, string cacheFolder, CancellationToken cancellation) =>
        new JobRunner(paths, progress, cacheFolder).Run(job, ValidationTarget.Local, cancellation);
}
