using System.Globalization;
using System.Text.Json;
using System.Text.Json.Nodes;

namespace DistillOperator.Training.Outputs;

/// <summary>
/// Which version of an output folder is promoted, and the switch to another. <c>current</c> is a relative symbolic
/// link to <c>versions/VERSION</c>, replaced with one rename(2), so a reader that opens <c>current/…</c> finds the old
/// complete student or the new one, never a mix or nothing; <c>current.json</c> names the same version for readers
/// that do not follow links, written after the link (atomically). A crash between the two leaves the link ahead;
/// <see cref="RepairPointer"/>, called at the start of every run, brings the file in line.
/// </summary>
public static class Promotion
{
    /// <summary>The promoted version of <paramref name="output"/>, or null when none is (or its folder is gone).</summary>
    public static PromotedVersion? Current(string output)
    {
        ArgumentException.ThrowIfNullOrEmpty(output);
        var link = new FileInfo(Path.Combine(output, OutputLayout.CurrentLink));
        var name = link.LinkTarget is { } target ? Path.GetFileName(target.TrimEnd('/')) : PointerVersion(output);
        if (name is null || !OutputLayout.IsVersionName(name))
        {
            return null;
        }

        var folder = OutputLayout.VersionFolder(output, name);
        return Directory.Exists(folder) ? new PromotedVersion(name, folder) : null;
    }

    /// <summary>
    /// Checks that the trainer can manage <c>current</c> in <paramref name="output"/>: absent, or a symbolic link. A
    /// real folder or file of that name (made by hand) would be lost to the switch, so the run stops first.
    /// </summary>
    /// <exception cref="InvalidDataException">current is not a link; the message names it.</exception>
    public static void EnsureManageable(string output)
    {
        var path = Path.Combine(output, OutputLayout.CurrentLink);
        var info = new FileInfo(path);
        if ((info.Exists || Directory.Exists(path)) && info.LinkTarget is null)
        {
            throw new InvalidDataException($"spec.output.uri: {path} is a {(Directory.Exists(path) ? "folder" : "file")}, not the link to the promoted version the trainer manages; move it away (the trainer replaces current when it promotes)");
        }
    }

    /// <summary>Makes <paramref name="version"/> (a committed version folder) the promoted one.</summary>
    public static void Promote(string output, string version, DateTimeOffset at)
    {
        ArgumentException.ThrowIfNullOrEmpty(version);
        if (!Directory.Exists(OutputLayout.VersionFolder(output, version)))
        {
            throw new DirectoryNotFoundException($"no version folder {OutputLayout.VersionFolder(output, version)} to promote");
        }

        FailPoints.Reach("promote.before-switch");
        var staged = Path.Combine(output, $".{OutputLayout.CurrentLink}-{Environment.MachineName}-{Environment.ProcessId}.tmp");
        var left = new FileInfo(staged); // a link staged by this process (or pod) before it was killed
        if (left.Exists || left.LinkTarget is not null)
        {
            File.Delete(staged);
        }

        File.CreateSymbolicLink(staged, $"{OutputLayout.VersionsFolder}/{version}");
        FailPoints.Reach("promote.link-staged");
        AtomicRename.Replace(staged, Path.Combine(output, OutputLayout.CurrentLink));
        FailPoints.Reach("promote.after-switch");
        WritePointer(output, version, at);
        FailPoints.Reach("promote.after-pointer");
    }

    /// <summary>Rewrites current.json when it does not name the version current links to (a crash between the two writes).</summary>
    public static void RepairPointer(string output)
    {
        var link = new FileInfo(Path.Combine(output, OutputLayout.CurrentLink));
        if (link.LinkTarget is null || Current(output) is not { } promoted || PointerVersion(output) == promoted.Name)
        {
            return;
        }

        WritePointer(output, promoted.Name, new DateTimeOffset(link.LastWriteTimeUtc, TimeSpan.Zero));
    }

    private static void WritePointer(string output, string version, DateTimeOffset at)
    {
        var pointer = new JsonObject
        {
            ["version"] = version,
            ["path"] = $"{OutputLayout.VersionsFolder}/{version}",
            ["promotedAt"] = at.UtcDateTime.ToString("yyyy-MM-dd'T'HH:mm:ss'Z'", CultureInfo.InvariantCulture),
        };
        AtomicFile.WriteAllText(Path.Combine(output, OutputLayout.PointerFile), pointer.ToJsonString(new JsonSerializerOptions { WriteIndented = true }) + "\n");
    }

    private static string? PointerVersion(string output)
    {
        var path = Path.Combine(output, OutputLayout.PointerFile);
        try
        {
            return File.Exists(path) && JsonNode.Parse(File.ReadAllText(path))?["version"] is JsonValue value && value.TryGetValue<string>(out var name) ? name : null;
        }
        catch (JsonException)
        {
            return null; // damaged: the link is the authority, and the next promotion rewrites the file
        }
    }
}

/// <summary>The promoted version of an output folder.</summary>
/// <param name="Name">The version's name.</param>
/// <param name="Folder">Its folder (under versions/).</param>
public sealed record PromotedVersion(string Name, string Folder);
