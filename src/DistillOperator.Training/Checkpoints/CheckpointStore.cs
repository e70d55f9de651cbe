using System.Security.Cryptography;
using System.Text.Json;
using System.Text.Json.Nodes;

namespace DistillOperator.Training.Checkpoints;

/// <summary>A checkpoint found on disk: its folder and the position it resumes from.</summary>
public sealed record StoredCheckpoint(string Folder, TrainingPosition Position)
{
    /// <summary>A file of the checkpoint.</summary>
    public string File(string name) => Path.Combine(Folder, name);
}

/// <summary>
/// Checkpoint folders <c>ckpt-STEP</c> under a root. A checkpoint is written into a temporary folder whose
/// state.json (written last) records the SHA-256 of every file, then renamed into place, so a folder that exists under
/// its final name with a matching state.json is complete. The newest valid one is resumed; a corrupt one is skipped
/// with a warning. The newest <see cref="Keep"/> are kept.
/// </summary>
public sealed class CheckpointStore(string root, int keep = 2)
{
    private const string StateFile = "state.json";
    private const string Prefix = "ckpt-";

    // A temporary folder older than this is not one another process is still writing.
    private static readonly TimeSpan LeftOverAge = TimeSpan.FromHours(1);

    /// <summary>The folder holding the checkpoints.</summary>
    public string Root { get; } = root;

    /// <summary>How many checkpoints are kept.</summary>
    public int Keep { get; } = Math.Max(1, keep);

    /// <summary>Writes a checkpoint: <paramref name="writeFiles"/> puts the files into the folder it is given.</summary>
    public string Save(TrainingPosition position, Action<CheckpointFolder> writeFiles)
    {
        ArgumentNullException.ThrowIfNull(position);
        ArgumentNullException.ThrowIfNull(writeFiles);
        Directory.CreateDirectory(Root);
        var final = Path.Combine(Root, $"{Prefix}{position.GlobalStep:D10}");
        var temporary = Path.Combine(Root, $".tmp-{Guid.NewGuid():N}");
        Directory.CreateDirectory(temporary);
        try
        {
            var folder = new CheckpointFolder(temporary);
            writeFiles(folder);
            var files = new JsonObject();
            foreach (var file in Directory.EnumerateFiles(temporary).Order(StringComparer.Ordinal))
            {
                var name = Path.GetFileName(file);
                files[name] = folder.CarriedHashes.TryGetValue(name, out var carried) ? carried : Hash(file);
            }

            var state = new JsonObject
            {
                ["version"] = 1,
                ["stage"] = position.Stage,
                ["epoch"] = position.Epoch,
                ["batch"] = position.Batch,
                ["globalStep"] = position.GlobalStep,
                ["stageStep"] = position.StageStep,
                ["files"] = files,
            };
            AtomicFile.WriteAllText(Path.Combine(temporary, StateFile), state.ToJsonString());
            if (Directory.Exists(final))
            {
                var old = final + $".old-{Guid.NewGuid():N}";
                Directory.Move(final, old);
                Directory.Move(temporary, final);
                Directory.Delete(old, recursive: true);
            }
            else
            {
                Directory.Move(temporary, final);
            }
        }
        finally
        {
            if (Directory.Exists(temporary))
            {
                Directory.Delete(temporary, recursive: true);
            }
        }

        Prune();
        return final;
    }

    /// <summary>The newest checkpoint that is complete and intact, or null; every newer broken one is reported to <paramref name="warn"/>.</summary>
    public StoredCheckpoint? Latest(Action<string> warn)
    {
        ArgumentNullException.ThrowIfNull(warn);
        foreach (var folder in Candidates())
        {
            var problem = Verify(folder, out var position);
            if (problem is null)
            {
                return new StoredCheckpoint(folder, position!);
            }

            warn($"checkpoint {folder} is unusable ({problem}); trying the one before it");
        }

        return null;
    }

    /// <summary>
    /// The SHA-256 that the state.json beside <paramref name="file"/> (a file of a saved checkpoint) records for it,
    /// or null when there is none to read.
    /// </summary>
    internal static string? RecordedHash(string file)
    {
        try
        {
            var state = JsonNode.Parse(File.ReadAllText(Path.Combine(Path.GetDirectoryName(file) ?? ".", StateFile))) as JsonObject;
            return state?["files"] is JsonObject files && files[Path.GetFileName(file)] is JsonValue value && value.TryGetValue<string>(out var hash) ? hash : null;
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException or JsonException)
        {
            return null; // pruned meanwhile, or unreadable: the caller writes the file instead
        }
    }

    private IEnumerable<string> Candidates() =>
        Directory.Exists(Root)
            ? Directory.EnumerateDirectories(Root, Prefix + "*").Where(d => !Path.GetFileName(d).Contains(".old-", StringComparison.Ordinal)).OrderDescending(StringComparer.Ordinal)
            : [];

    private static string? Verify(string folder, out TrainingPosition? position)
    {
        position = null;
        var statePath = Path.Combine(folder, StateFile);
        if (!File.Exists(statePath))
        {
            return "no state.json";
        }

        JsonObject state;
        try
        {
            state = JsonNode.Parse(File.ReadAllText(statePath)) as JsonObject ?? throw new JsonException("not an object");
        }
        catch (JsonException e)
        {
            return $"state.json is not valid JSON: {e.Message}";
        }

        if (state["files"] is not JsonObject files)
        {
            return "state.json lists no files";
        }

        foreach (var (name, hash) in files)
        {
            var file = Path.Combine(folder, name);
            try
            {
                if (!File.Exists(file))
                {
                    return $"{name} is missing";
                }

                if (Hash(file) != (string?)hash)
                {
                    return $"{name} does not match its recorded SHA-256 (truncated or changed)";
                }
            }
            catch (Exception e) when (e is IOException or UnauthorizedAccessException)
            {
                // Removed while being read (another pod pruning it), or unreadable: the one before it may do.
                return $"{name} cannot be read: {e.Message}";
            }
        }

        try
        {
            position = new TrainingPosition(Number<int>(state, "stage"), Number<int>(state, "epoch"), Number<int>(state, "batch"), Number<long>(state, "globalStep"), Number<long>(state, "stageStep"));
        }
        catch (Exception e) when (e is InvalidDataException or FormatException or InvalidOperationException)
        {
            return $"state.json: {e.Message}";
        }

        return null;
    }

    private static T Number<T>(JsonObject state, string key) =>
        state[key] is JsonValue value && value.TryGetValue<T>(out var number) ? number : throw new InvalidDataException($"no number {key}");

    // Keeps the newest Keep checkpoints, and removes what a process killed while saving left behind (its temporary
    // folder, or the previous checkpoint it was replacing), which would otherwise hold their size on the volume.
    private void Prune()
    {
        var leftOvers = Directory.EnumerateDirectories(Root, ".tmp-*")
            .Concat(Directory.EnumerateDirectories(Root, Prefix + "*.old-*"))
            .Where(d => Directory.GetLastWriteTimeUtc(d) < DateTime.UtcNow - LeftOverAge);
        foreach (var stale in Candidates().Skip(Keep).Concat(leftOvers).ToList())
        {
            try
            {
                Directory.Delete(stale, recursive: true);
            }
            catch (DirectoryNotFoundException)
            {
                // Pruned by another process meanwhile.
            }
        }
    }

    private static string Hash(string file)
    {
        using var stream = File.OpenRead(file);
        return Convert.ToHexStringLower(SHA256.HashData(stream));
    }
}
