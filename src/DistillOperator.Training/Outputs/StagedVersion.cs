namespace DistillOperator.Training.Outputs;

/// <summary>
/// A run's version folder while it is written: files go into <c>versions/.staging-HOST-PID/</c>, which becomes
/// <c>versions/VERSION/</c> with one rename once every file is in. A version folder therefore exists only whole; a
/// run that dies while exporting leaves a staging folder, which its next attempt (or, an hour later, any writer)
/// removes.
/// </summary>
public sealed class StagedVersion : IDisposable
{
    private const string StagingPrefix = ".staging-";

    // Another writer's staging folder untouched this long was left by a killed export.
    private static readonly TimeSpan LeftOverAge = TimeSpan.FromHours(1);

    private readonly string _output;
    private bool _done;

    private StagedVersion(string output)
    {
        _output = output;
        var versions = Path.Combine(output, OutputLayout.VersionsFolder);
        Folder = Path.Combine(versions, $"{StagingPrefix}{Environment.MachineName}-{Environment.ProcessId}");
        if (Directory.Exists(Folder))
        {
            // An export of this process (or this pod before a restart: same name, same pid) that died half-way.
            Directory.Delete(Folder, recursive: true);
        }

        RemoveLeftOvers(versions);
        Directory.CreateDirectory(Folder);
    }

    /// <summary>Where the version's files are written.</summary>
    public string Folder { get; }

    /// <summary>Starts a version in <paramref name="output"/>.</summary>
    public static StagedVersion Begin(string output) => new(output);

    /// <summary><paramref name="name"/>, or with <c>-2</c>, <c>-3</c>… appended should a version of that name exist.</summary>
    public string FreeName(string name)
    {
        var chosen = name;
        for (var n = 2; Directory.Exists(OutputLayout.VersionFolder(_output, chosen)); n++)
        {
            chosen = $"{name}-{n}";
        }

        return chosen;
    }

    /// <summary>Moves the staged files in, with one rename, as version <paramref name="name"/> (see <see cref="FreeName"/>).</summary>
    public void Commit(string name)
    {
        ObjectDisposedException.ThrowIf(_done, this);
        FailPoints.Reach("version.before-commit");
        Directory.Move(Folder, OutputLayout.VersionFolder(_output, name));
        _done = true;
    }

    /// <summary>Removes what was staged but not committed.</summary>
    public void Dispose()
    {
        if (!_done && Directory.Exists(Folder))
        {
            Directory.Delete(Folder, recursive: true);
        }

        _done = true;
    }

    private static void RemoveLeftOvers(string versions)
    {
        if (!Directory.Exists(versions))
        {
            return;
        }

        // Best effort: a folder that cannot be removed (another owner, a busy file on NFS) stays, and the export goes on.
        var before = DateTime.UtcNow - LeftOverAge;
        foreach (var folder in Directory.EnumerateDirectories(versions, StagingPrefix + "*"))
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
