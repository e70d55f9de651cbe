namespace DistillOperator.Training.Runs;

/// <summary>
/// Checks, before any training, that the job's output folder can be written: a volume the trainer may not write (a
/// fresh claim owned by root, a read-only mount, a path that is a file) fails the job at once as bad input instead of
/// after the first checkpoint's worth of training, and again on every retry.
/// </summary>
public static class OutputFolderCheck
{
    /// <summary>Creates <paramref name="folder"/> if needed and writes and removes a small file in it.</summary>
    public static void EnsureWritable(string folder)
    {
        ArgumentException.ThrowIfNullOrEmpty(folder);
        var probe = Path.Combine(folder, $".write-check-{Environment.MachineName}-{Environment.ProcessId}");
        try
        {
            Directory.CreateDirectory(folder);
            File.WriteAllText(probe, "");
            File.Delete(probe);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            throw new InvalidDataException($"spec.output.uri: cannot write to {folder}: {e.Message} Give the trainer (uid 10001, group 10001) write access to the volume, or choose another output", e);
        }
    }
}
