using System.Globalization;

namespace DistillOperator.Testing;

/// <summary>Watches a run's output folder for the checkpoints the trainer writes.</summary>
public static class CheckpointWatch
{
    /// <summary>The steps of the complete checkpoints under <c>OUTPUT/.checkpoints</c>.</summary>
    public static IEnumerable<long> Steps(string outputFolder)
    {
        var root = Path.Combine(outputFolder, ".checkpoints");
        return Directory.Exists(root)
            ? Directory.EnumerateFiles(root, "state.json", SearchOption.AllDirectories)
                .Select(f => Path.GetFileName(Path.GetDirectoryName(f))!)
                .Where(d => d.StartsWith("ckpt-", StringComparison.Ordinal))
                .Select(d => long.Parse(d["ckpt-".Length..], CultureInfo.InvariantCulture))
            : [];
    }

    /// <summary>Waits until a checkpoint at <paramref name="atLeast"/> or later exists; throws with the process output after <paramref name="timeout"/>.</summary>
    public static void WaitFor(ChildProcess process, string outputFolder, long atLeast, TimeSpan timeout)
    {
        ArgumentNullException.ThrowIfNull(process);
        var deadline = DateTime.UtcNow + timeout;
        while (!Steps(outputFolder).Any(s => s >= atLeast))
        {
            if (DateTime.UtcNow > deadline)
            {
                throw new TimeoutException($"no checkpoint at step {atLeast} or later in {outputFolder}:\n{process.Output}");
            }

            Thread.Sleep(20);
        }
    }
}
