using System.CommandLine;
using DistillOperator.Cli.Commands;

namespace DistillOperator.Cli;

/// <summary>The <c>distill</c> command tree.</summary>
public static class DistillCommandLine
{
    /// <summary>Exit code for wrong usage (unknown option, missing argument).</summary>
    public const int UsageError = 2;

    /// <summary>Parses <paramref name="args"/>, runs the command, and returns its exit code.</summary>
    public static int Run(string[] args, TextWriter output, TextWriter error, CancellationToken cancellation = default)
    {
        var root = new RootCommand("distill: knowledge distillation jobs for Kubernetes, and locally.")
        {
            RunCommand.Create(output, error, cancellation),
            PredictCommand.Create(output, error),
            ValidateCommand.Create(output, error),
            CrdsCommand.Create(output),
        };
        var result = root.Parse(args);
        if (result.Errors.Count > 0)
        {
            foreach (var parseError in result.Errors)
            {
                error.WriteLine($"distill: {parseError.Message}");
            }

            error.WriteLine("Run 'distill --help' for usage.");
            return UsageError;
        }

        return result.Invoke(new InvocationConfiguration { Output = output, Error = error });
    }
}
