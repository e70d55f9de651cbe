using System.Diagnostics;

namespace DistillOperator.Testing;

/// <summary>Runs the PyTorch reference (tests/DistillOperator.Training.Tests/Reference/bert_reference.py) with Debian's python3 and python3-torch.</summary>
public static class PythonReference
{
    // Debian's interpreter, which sees python3-torch; a python3 earlier on PATH (pyenv) may not.
    private const string Interpreter = "/usr/bin/python3";

    private static string Script => RepositoryPaths.Combine("tests", "DistillOperator.Training.Tests", "Reference", "bert_reference.py");

    /// <summary>Runs the reference with the arguments; throws with its output when it fails.</summary>
    public static void Run(params string[] arguments)
    {
        if (!File.Exists(Interpreter))
        {
            throw new InvalidOperationException($"{Interpreter} is missing; ./test.sh installs python3 and python3-torch");
        }

        var start = new ProcessStartInfo(Interpreter) { RedirectStandardError = true, RedirectStandardOutput = true };
        start.ArgumentList.Add(Script);
        foreach (var argument in arguments)
        {
            start.ArgumentList.Add(argument);
        }

        using var process = Process.Start(start)!;
        var stderr = process.StandardError.ReadToEndAsync();
        var stdout = process.StandardOutput.ReadToEnd();
        process.WaitForExit();
        if (process.ExitCode != 0)
        {
            throw new InvalidOperationException($"bert_reference.py {string.Join(' ', arguments)} exited {process.ExitCode}:\n{stdout}{stderr.Result}\n(./test.sh installs python3-torch)");
        }
    }
}
