namespace DistillOperator.Training.Outputs;

/// <summary>
/// spec.output.keepVersions, applied when a run ends: the newest version folders are kept (the promoted one and the
/// one just written always), and the checkpoint folders of as many specs (the running spec's always); older ones are
/// removed. Best effort: what cannot be removed stays, and the run is not failed for it.
/// </summary>
public static class OutputRetention
{
    /// <summary>Removes what is past <paramref name="keep"/> and returns the folders removed.</summary>
    /// <param name="output">The output folder.</param>
    /// <param name="keep">spec.output.keepVersions.</param>
    /// <param name="written">The version this run wrote.</param>
    /// <param name="checkpoints">The folder holding the checkpoint folders (one per spec).</param>
    /// <param name="running">This run's checkpoint folder.</param>
    public static IReadOnlyList<string> Apply(string output, int keep, string written, string checkpoints, string running)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(keep, 1);
        var removed = new List<string>();
        var promoted = Promotion.Current(output)?.Name;
        var versions = OutputLayout.Versions(output);
        var kept = versions.Reverse().Take(keep).Append(written);
        if (promoted is not null)
        {
            kept = kept.Append(promoted);
        }

        var keepNames = kept.ToHashSet(StringComparer.Ordinal);
        foreach (var version in versions.Where(v => !keepNames.Contains(v)))
        {
            TryRemove(OutputLayout.VersionFolder(output, version), removed);
        }

        if (Directory.Exists(checkpoints))
        {
            var runningFull = Path.GetFullPath(running);
            var older = Directory.EnumerateDirectories(checkpoints)
                .Where(f => !string.Equals(Path.GetFullPath(f), runningFull, StringComparison.Ordinal) && !Path.GetFileName(f).StartsWith('.'))
                .OrderByDescending(Directory.GetLastWriteTimeUtc)
                .Skip(keep - 1);
            foreach (var folder in older)
            {
                TryRemove(folder, removed);
            }
        }

        return removed;
    }

    private static void TryRemove(string folder, List<string> removed)
    {
        try
        {
            Directory.Delete(folder, recursive: true);
            removed.Add(folder);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            // Another owner, or busy on a network volume: it stays until a later run.
        }
    }
}
