namespace DistillOperator.Training.Runs;

/// <summary>
/// A job's outputs (student, tokenizer, fine-tuned teacher, model card, report) written into a staging folder inside
/// the output folder and moved into place only once every one of them is written: a run that fails before then (in
/// training, evaluation or while writing a file) leaves the previous run's set whole. The moves are renames within one
/// folder; the previous report goes first and the new one comes last, so a set interrupted even while moving has no
/// report.json, and a report.json always describes the files beside it.
/// </summary>
public sealed class OutputSet : IDisposable
{
    /// <summary>
    /// This process's staging folder inside the output folder: one per host and process, so two writers of one output
    /// folder (two pods, or a pod and a local run) never share or delete each other's; a restarted container (same pod
    /// name, same pid) finds and clears its own.
    /// </summary>
    public static readonly string StagingFolder = $"{StagingPrefix}{Environment.MachineName}-{Environment.ProcessId}";

    private const string StagingPrefix = ".staging-";

    // Another writer's staging folder untouched this long was left by a killed export.
    private static readonly TimeSpan LeftOverAge = TimeSpan.FromHours(1);

    private readonly string _output;
    private readonly string _last;
    private bool _published;

    private OutputSet(string output, string last)
    {
        _output = output;
        _last = last;
        Staging = Path.Combine(output, StagingFolder);
        if (Directory.Exists(Staging))
        {
            // An export of this process (or this pod before a restart) that died half-way: never published.
            Directory.Delete(Staging, recursive: true);
        }

        RemoveLeftOvers(output);
        Directory.CreateDirectory(Staging);
    }

    /// <summary>Where the outputs are written.</summary>
    public string Staging { get; }

    /// <summary>Starts a set for <paramref name="output"/>; <paramref name="last"/> (relative) is moved in after every other file.</summary>
    public static OutputSet Begin(string output, string last) => new(output, last);

    /// <summary>Removes the previous <c>last</c>, moves every staged file over its counterpart in the output folder, <c>last</c> at the end, and removes the staging folder.</summary>
    public void Publish()
    {
        ObjectDisposedException.ThrowIf(_published, this);
        var files = Directory.EnumerateFiles(Staging, "*", SearchOption.AllDirectories)
            .Select(f => Path.GetRelativePath(Staging, f))
            .OrderBy(f => f == _last ? 1 : 0)
            .ThenBy(f => f, StringComparer.Ordinal)
            .ToList();
        File.Delete(Path.Combine(_output, _last));
        foreach (var file in files)
        {
            var target = Path.Combine(_output, file);
            Directory.CreateDirectory(Path.GetDirectoryName(target)!);
            File.Move(Path.Combine(Staging, file), target, overwrite: true);
        }

        Directory.Delete(Staging, recursive: true);
        _published = true;
    }

    /// <summary>Removes what was staged but not published.</summary>
    public void Dispose()
    {
        if (!_published && Directory.Exists(Staging))
        {
            Directory.Delete(Staging, recursive: true);
        }

        _published = true;
    }

    private static void RemoveLeftOvers(string output)
    {
        if (!Directory.Exists(output))
        {
            return;
        }

        // Best effort: a folder that cannot be removed (another owner, a busy file on NFS) stays, and the export goes on.
        var before = DateTime.UtcNow - LeftOverAge;
        foreach (var folder in Directory.EnumerateDirectories(output, ".staging*"))
        {
            try
            {
                if (LastWrite(folder) < before)
                {
                    Directory.Delete(folder, recursive: true);
                }
            }
            catch (Exception e) when (e is IOException or UnauthorizedAccessException)
            {
                // Removed by its writer meanwhile, or not ours to remove.
            }
        }
    }

    // The newest write in the folder or below it: a writer still busy with a large file is not idle.
    private static DateTime LastWrite(string folder)
    {
        var newest = Directory.GetLastWriteTimeUtc(folder);
        foreach (var entry in Directory.EnumerateFileSystemEntries(folder, "*", SearchOption.AllDirectories))
        {
            var written = File.GetLastWriteTimeUtc(entry);
            newest = written > newest ? written : newest;
        }

        return newest;
    }
}
