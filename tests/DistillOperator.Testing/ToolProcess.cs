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

        // dotnet's build nodes would outlive it holding its output open.
        start.Environment["MSBUILDDISABLENODEREUSE"] = "1";
        using var process = Process.Start(start)!;
        var error = process.StandardError.ReadToEndAsync();
        var output = process.StandardOutput.ReadToEndAsync();
        if (input is not null)
        {
            try
            {
                process.StandardInput.Write(input);
                process.StandardInput.Close();
            }
            catch (IOException)
            {
                // It exited without reading all of it; its exit code and output say why.
            }
        }

        var limit = timeout ?? TimeSpan.FromMinutes(2);
        if (!process.WaitForExit(limit) || !Task.WaitAll([output, error], limit))
        {
            process.Kill(entireProcessTree: true);
            throw new TimeoutException($"{file} {string.Join(' ', start.ArgumentList)} did not finish within {limit}");
        }

        return (process.ExitCode, output.Result, error.Result);
    }
}
