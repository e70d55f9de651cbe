using DistillOperator.Api;

namespace DistillOperator.Training.Runs;

/// <summary>
/// Maps a job's storage URIs to local paths: plain paths relative to the manifest's folder, file:// as they are, and
/// pvc://CLAIM/PATH under the folder where the claim is mounted (/mnt/pvc/CLAIM in the trainer pod).
/// </summary>
public sealed class StoragePaths(string baseDirectory, Func<string, string?> claimFolder)
{
    /// <summary>Where the trainer pod has each claim mounted: /mnt/pvc/CLAIM, or under DISTILL_PVC_ROOT when set.</summary>
    public static string PodClaimRoot => Environment.GetEnvironmentVariable("DISTILL_PVC_ROOT") is { Length: > 0 } root ? root : "/mnt/pvc";

    /// <summary>Paths for the trainer pod: claims under /mnt/pvc.</summary>
    public static StoragePaths InPod(string baseDirectory) => new(baseDirectory, claim => Path.Combine(PodClaimRoot, claim));

    /// <summary>
    /// The storage URI a user can read for a path in the trainer pod: pvc://CLAIM/PATH for a path under a mounted claim,
    /// file://PATH otherwise (status.progress.lastCheckpoint names the checkpoint this way, not by the pod's mount).
    /// </summary>
    public static string PodUri(string path)
    {
        ArgumentException.ThrowIfNullOrEmpty(path);
        var full = Path.GetFullPath(path);
        var relative = Path.GetRelativePath(Path.GetFullPath(PodClaimRoot), full);
        return relative.Split('/', 2) is [var claim, var rest] && claim is not (".." or "." or "") && !Path.IsPathRooted(relative)
            ? $"pvc://{claim}/{rest}"
            : $"file://{full}";
    }

    /// <summary>The local path of <paramref name="uri"/>, read from spec field <paramref name="field"/>.</summary>
    /// <exception cref="InvalidDataException">The URI is malformed or names a claim with no local folder.</exception>
    public string Resolve(string uri, string field)
    {
        if (!StorageUri.TryParse(uri, out var parsed, out var error))
        {
            throw new InvalidDataException($"{field}: {error}");
        }

        return parsed!.Kind switch
        {
            StorageKind.File => parsed.Path,
            StorageKind.LocalPath => Path.GetFullPath(Path.Combine(baseDirectory, parsed.Path)),
            _ => claimFolder(parsed.Claim!) is { } folder
                ? Path.Combine(folder, parsed.Path)
                : throw new InvalidDataException($"{field}: claim \"{parsed.Claim}\" has no local folder; map it with --volume {parsed.Claim}=DIR"),
        };
    }
}
