namespace DistillOperator.Training.Checkpoints;

/// <summary>
/// A checkpoint being written: the folder its files go into, and which of them were taken unchanged from an earlier
/// checkpoint. Such a file is a hard link to the earlier one, and its SHA-256 is the one the earlier checkpoint
/// recorded, not read again: a 440 MB frozen teacher is neither rewritten nor re-read per checkpoint, and a file
/// damaged since the earlier checkpoint was written fails verification in both instead of being recorded as sound.
/// </summary>
public sealed class CheckpointFolder
{
    private readonly Dictionary<string, string> _carriedHashes = new(StringComparer.Ordinal);

    internal CheckpointFolder(string path) => Path = path;

    /// <summary>The folder being written.</summary>
    public string Path { get; }

    /// <summary>The SHA-256 of each file carried over from an earlier checkpoint, by file name.</summary>
    internal IReadOnlyDictionary<string, string> CarriedHashes => _carriedHashes;

    /// <summary>A file of the checkpoint.</summary>
    public string File(string name) => System.IO.Path.Combine(Path, name);

    /// <summary>
    /// Puts the content of <paramref name="earlier"/> (a file of a saved checkpoint that has not changed since) under
    /// <paramref name="name"/> by linking it; when there is no earlier file, its checkpoint records no hash for it, or
    /// the volume cannot link it, calls <paramref name="write"/> with the path to write instead.
    /// </summary>
    public void LinkOrWrite(string? earlier, string name, Action<string> write)
    {
        ArgumentException.ThrowIfNullOrEmpty(name);
        ArgumentNullException.ThrowIfNull(write);
        var file = File(name);
        if (earlier is not null && CheckpointStore.RecordedHash(earlier) is { } hash && HardLink.TryCreate(earlier, file))
        {
            _carriedHashes[name] = hash;
            return;
        }

        write(file);
    }
}
