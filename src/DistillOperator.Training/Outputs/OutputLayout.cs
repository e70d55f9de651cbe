using System.Globalization;
using System.Text.RegularExpressions;

namespace DistillOperator.Training.Outputs;

/// <summary>
/// The layout of a job's output folder. Every run exports into <c>versions/VERSION/</c>, a folder of its own that no
/// later run writes into; <c>current</c> (a relative symbolic link to <c>versions/VERSION</c>) and
/// <c>current.json</c> name the promoted version, the one a serving system reads; <c>.checkpoints/</c> holds the runs'
/// checkpoints. A version's name starts with the UTC time its run ended, so names sort in time.
/// </summary>
public static partial class OutputLayout
{
    /// <summary>The folder of the version folders.</summary>
    public const string VersionsFolder = "versions";

    /// <summary>The symbolic link to the promoted version.</summary>
    public const string CurrentLink = "current";

    /// <summary>The file naming the promoted version (for readers that do not follow links).</summary>
    public const string PointerFile = "current.json";

    /// <summary>
    /// A version's name: <c>YYYYMMDD-HHMMSS-gGENERATION-HASH</c> (<c>-local-</c> for a run outside a cluster), the hash
    /// being the first 8 digits of the run's checkpoint key (its training fields and inputs).
    /// </summary>
    public static string VersionName(DateTimeOffset endedAt, long? generation, string runHash)
    {
        ArgumentException.ThrowIfNullOrEmpty(runHash);
        var run = generation is { } g ? string.Create(CultureInfo.InvariantCulture, $"g{g}") : "local";
        return string.Create(CultureInfo.InvariantCulture, $"{endedAt.UtcDateTime:yyyyMMdd-HHmmss}-{run}-{runHash[..Math.Min(8, runHash.Length)]}");
    }

    /// <summary>Whether <paramref name="name"/> has the shape of a version's name (staging folders and strays do not).</summary>
    public static bool IsVersionName(string name) => VersionPattern().IsMatch(name);

    /// <summary>The folder of version <paramref name="version"/>.</summary>
    public static string VersionFolder(string output, string version) => Path.Combine(output, VersionsFolder, version);

    /// <summary>The versions in <paramref name="output"/>, oldest first.</summary>
    public static IReadOnlyList<string> Versions(string output)
    {
        var folder = Path.Combine(output, VersionsFolder);
        return Directory.Exists(folder)
            ? [.. Directory.EnumerateDirectories(folder).Select(Path.GetFileName).OfType<string>().Where(IsVersionName).Order(StringComparer.Ordinal)]
            : [];
    }

    /// <summary>The storage URI of a version, from the job's spec.output.uri.</summary>
    public static string VersionUri(string outputUri, string version) => $"{outputUri.TrimEnd('/')}/{VersionsFolder}/{version}";

    [GeneratedRegex(@"^\d{8}-\d{6}-(g\d+|local)-[0-9a-f]{1,8}(-\d+)?$")]
    private static partial Regex VersionPattern();
}
