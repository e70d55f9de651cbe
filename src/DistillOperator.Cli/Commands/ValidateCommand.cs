using System.CommandLine;
using DistillOperator.Api.Manifests;
using DistillOperator.Api.V1Alpha1;
using DistillOperator.Api.Validation;

namespace DistillOperator.Cli.Commands;

/// <summary>
/// <c>distill validate -f FILE_OR_DIR...</c>: one line per problem as <c>FILE:LINE: DistillationJob/NAME: PATH: MESSAGE</c>.
/// Exit 0 when every job is valid, 1 when any is invalid, 2 when a file cannot be read.
/// </summary>
internal static class ValidateCommand
{
    public const int Valid = 0;
    public const int Invalid = 1;
    public const int Unreadable = 2;

    public static Command Create(TextWriter output, TextWriter error)
    {
        var files = new Option<string[]>("--filename", "-f")
        {
            Description = "Manifest files or folders (.yaml, .yml, .json); repeat or list several.",
            Required = true,
            AllowMultipleArgumentsPerToken = true,
        };
        var recursive = new Option<bool>("--recursive", "-R") { Description = "Also read the manifests in sub-folders." };
        var local = new Option<bool>("--local") { Description = "Check for distill run: also accept plain paths as URIs." };
        var command = new Command("validate", "Check DistillationJob manifests and print every problem with its field path.")
        {
            files, recursive, local,
        };
        command.SetAction(parse => Run(
            parse.GetValue(files) ?? [],
            parse.GetValue(recursive),
            parse.GetValue(local) ? ValidationTarget.Local : ValidationTarget.Cluster,
            output,
            error));
        return command;
    }

    public static int Run(IEnumerable<string> paths, bool recursive, ValidationTarget target, TextWriter output, TextWriter error)
    {
        int valid = 0, invalid = 0, skipped = 0, unreadable = 0;
        foreach (var file in ManifestFiles.Expand(paths, recursive))
        {
            string text;
            try
            {
                text = File.ReadAllText(file);
            }
            catch (Exception e) when (e is IOException or UnauthorizedAccessException)
            {
                error.WriteLine($"{file}: cannot read: {e.Message}");
                unreadable++;
                continue;
            }

            IReadOnlyList<ManifestCheck> checks;
            try
            {
                checks = ManifestValidator.CheckText(text, target);
            }
            catch (ManifestSyntaxException e)
            {
                output.WriteLine($"{file}:{e.Line}:{e.Column}: YAML syntax error: {e.Reason}");
                invalid++;
                continue;
            }

            foreach (var check in checks)
            {
                var subject = $"{check.Kind ?? "(no kind)"}/{check.Name ?? "(no name)"}";
                if (check.SkippedBecause is not null)
                {
                    output.WriteLine($"{file}:{check.Line}: {subject}: skipped: {check.SkippedBecause}");
                    skipped++;
                }
                else if (check.IsValid)
                {
                    output.WriteLine($"{file}:{check.Line}: {subject}: valid");
                    valid++;
                }
                else
                {
                    foreach (var located in check.Problems)
                    {
                        var path = located.Problem.Path.Length == 0 ? "(document)" : located.Problem.Path;
                        output.WriteLine($"{file}:{located.Line}: {subject}: {path}: {located.Problem.Message}");
                    }

                    invalid++;
                }
            }
        }

        error.WriteLine($"{valid} valid, {invalid} invalid, {skipped} skipped{(unreadable > 0 ? $", {unreadable} unreadable" : "")} ({DistillationJob.KindName} {ApiGroup.ApiVersion})");
        return unreadable > 0 ? Unreadable : invalid > 0 ? Invalid : Valid;
    }
}
