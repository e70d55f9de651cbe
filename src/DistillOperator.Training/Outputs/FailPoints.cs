using System.Runtime.InteropServices;

namespace DistillOperator.Training.Outputs;

/// <summary>
/// Named points in the trainer's writes where a test can have the process killed (SIGKILL, as the OOM killer or a
/// node loss would), to show that a crash at that point leaves the output folder sound. Set
/// <see cref="Variable"/> to a point's name; unset, nothing happens.
/// </summary>
public static partial class FailPoints
{
    /// <summary>The environment variable naming the point at which the process kills itself.</summary>
    public const string Variable = "DISTILL_FAILPOINT";

    /// <summary>Kills this process at once when <see cref="Variable"/> names <paramref name="point"/>.</summary>
    public static void Reach(string point)
    {
        if (Environment.GetEnvironmentVariable(Variable) != point)
        {
            return;
        }

        Console.Out.Flush();
        Console.Error.WriteLine($"trainer: killed at fail point {point} ({Variable})");
        Console.Error.Flush();
        Kill(Environment.ProcessId, 9);
        Environment.FailFast($"fail point {point}"); // where kill(2) is missing
    }

    [LibraryImport("libc", EntryPoint = "kill", SetLastError = true)]
    private static partial int Kill(int pid, int signal);
}
