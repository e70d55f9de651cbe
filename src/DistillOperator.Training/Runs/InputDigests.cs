using System.Security.Cryptography;
using System.Text.Json;

namespace DistillOperator.Training.Runs;

/// <summary>
/// SHA-256 digests of a run's input files, remembered in a small file beside its checkpoints by path, size and
/// modification time. An unchanged file is not read again on the next start; a file copied or mounted afresh with the
/// same bytes (a new modification time) is read once and keeps its digest, so the run still resumes: checkpoints are
/// keyed by what the inputs contain, not by when they were written.
/// </summary>
public sealed class InputDigests
{
    private static readonly JsonSerializerOptions Json = new() { WriteIndented = true };
    private readonly string _file;
    private readonly Dictionary<string, Entry> _known;
    private readonly Dictionary<string, Entry> _used = [];
    private bool _changed;

    /// <summary>Reads the remembered digests from <paramref name="file"/>; a missing or unreadable file remembers none.</summary>
    public InputDigests(string file)
    {
        _file = file;
        try
        {
            var read = File.Exists(file) ? JsonSerializer.Deserialize<Dictionary<string, Entry?>>(File.ReadAllText(file)) : null;
            _known = read?.Where(e => e.Value is { Sha256.Length: > 0 }).ToDictionary(e => e.Key, e => e.Value!) ?? [];
        }
        catch (Exception e) when (e is JsonException or IOException or UnauthorizedAccessException)
        {
            _known = []; // a damaged cache costs one read of each input, nothing more
        }
    }

    /// <summary>
    /// The file's SHA-256 (lower-case hex), read only when its size or modification time is new. Size and time are
    /// those of the file opened (a symbolic link's target, not the link). A file that cannot be read (gone since it was
    /// listed, or not readable by the trainer's user) is described by its size and time instead: the run does not fail
    /// for a file it may never use.
    /// </summary>
    public string Of(string path)
    {
        var key = Path.GetFullPath(path);
        try
        {
            using var handle = File.OpenHandle(path, FileMode.Open, FileAccess.Read, FileShare.Read);
            var length = RandomAccess.GetLength(handle);
            var ticks = File.GetLastWriteTimeUtc(handle).Ticks;
            if (!_known.TryGetValue(key, out var entry) || entry.Length != length || entry.Ticks != ticks)
            {
                using var stream = new FileStream(handle, FileAccess.Read, 1 << 20);
                entry = new Entry(length, ticks, Convert.ToHexStringLower(SHA256.HashData(stream)));
                _changed = true;
            }

            _used[key] = entry;
            return entry.Sha256;
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            var info = new FileInfo(path);
            return info.Exists ? $"unread:{info.Length}:{info.LastWriteTimeUtc.Ticks}" : "missing";
        }
    }

    /// <summary>
    /// Remembers the digests of the files looked up since loading, and only those (atomically; best effort: an
    /// unwritable folder only costs a re-read next time).
    /// </summary>
    public void Save()
    {
        if (!_changed && _used.Count == _known.Count)
        {
            return;
        }

        try
        {
            AtomicFile.WriteAllText(_file, JsonSerializer.Serialize(_used, Json));
            _changed = false;
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
        }
    }

    private sealed record Entry(long Length, long Ticks, string Sha256);
}
