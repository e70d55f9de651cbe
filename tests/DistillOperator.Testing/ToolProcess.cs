using System.Diagnostics;

namespace DistillOperator.Testing;

/// <summary>Runs a command-line tool (kubectl, helm, promtool, dotnet) from the repository root to its end.</summary>
public static class ToolProcess
{
    /// <summary>Runs <paramref name="file"/>; writes <paramref name="input"/> to its standard input when given. Throws when it outlives <paramref name="timeout"/> (2 minutes unless given).</summary>
    public static (int ExitCode, string Output, string Error) Run(string file, IEnumerable<string> arguments, string? input = null, TimeSpan? timeout = null)
    {
        ArgumentNullException.ThrowIfNull(arguments);
        var start = new ProcessStartInfo(file) { RedirectStandardInput = input is not null, RedirectStandardOutput = true, RedirectStandardError = true, WorkingDirectory = RepositoryPaths.Root };
        foreach (var argument in arguments)
        {
            start.ArgumentList.Add(argument);
        }

        using var process = Process.Start(start)!;
        var error = process.StandardError.ReadToEndAsync();
        var output = process.StandardOutput.ReadToEndAsync();
        if (input is not null)
        {
            process.StandardInput.Write(input);
            process.StandardInput.Close();
        }

        if (!process.WaitForExit(timeout ?? TimeSpan.FromMinutes(2)))
        {
            process.Kill(entireProcessTree: true);
            throw new TimeoutException($"{file} {string.Join(' ', start.ArgumentList)} did not finish");
        }

        return (process.ExitCode, output.GetAwaiter().GetResult(), error.GetAwaiter().GetResult());
    }
}
