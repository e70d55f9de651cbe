namespace DistillOperator.Cli.Tests;

/// <summary>Runs the distill command in-process and captures what it prints.</summary>
internal sealed record CliRun(int ExitCode, string Output, string Error)
{
    public static CliRun Of(params string[] args)
    {
        using var output = new StringWriter();
        using var error = new StringWriter();
        var code = DistillCommandLine.Run(args, output, error);
        return new CliRun(code, output.ToString(), error.ToString());
    }

    public IReadOnlyList<string> OutputLines => Output.Split('\n', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries);
}
