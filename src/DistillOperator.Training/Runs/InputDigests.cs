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
    private bool _changed;

    /// <summary>Reads the remembered digests from <paramref name="file"/>; a missing or unreadable file remembers none.</summary>
    public InputDigests(string file)
    {
        _file = file;
        try
        {
            _known = File.Exists(file) ? JsonSerializer.Deserialize<Dictionary<string, Entry>>(File.ReadAllText(file)) ?? [] : [];
        }
        catch (Exception e) when (e is JsonException or IOException or UnauthorizedAccessException)
        {
            _known = []; // a damaged cache costs one read of each input, nothing more
        }
    }

    /// <summary>The file's SHA-256 (lower-case hex), read only when its size or modification time is new.</summary>
    public string Of(string path)
    {
        var info = new FileInfo(path);
        var key = info.FullName;
        var ticks = info.LastWriteTimeUtc.Ticks;
        if (_known.TryGetValue(key, out var entry) && entry.Length == info.Length && entry.Ticks == ticks)
        {
            return entry.Sha256;
        }

        using var stream = new FileStream(path, FileMode.Open, FileAccess.Read, FileShare.Read, 1 << 20);
        var digest = Convert.ToHexStringLower(SHA256.HashData(stream));
        _known[key] = new Entry(info.Length, ticks, digest);
        _changed = true;
        return digest;
    }

    /// <summary>Remembers the digests read since loading (atomically; best effort: an unwritable folder only costs a re-read next time).</summary>
    public void Save()
    {
        if (!_changed)
        {
            return;
        }

        try
        {
            AtomicFile.WriteAllText(_file, JsonSerializer.Serialize(_known, Json));
            _changed = false;
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
        }
    }

    private sealed record Entry(long Length, long Ticks, string Sha256);
}
