using System.Text.RegularExpressions;

namespace DistillOperator.Api;

/// <summary>Kinds of storage location a job's URIs may name.</summary>
public enum StorageKind
{
    /// <summary><c>pvc://CLAIM/PATH</c>: a path inside a PersistentVolumeClaim, mounted into the trainer pod.</summary>
    PersistentVolumeClaim,

    /// <summary><c>file:///PATH</c>: an absolute path on the machine (or in the container) that runs the trainer.</summary>
    File,

    /// <summary>A path without a scheme, absolute or relative to the manifest's folder; local runs only.</summary>
    LocalPath,
}

/// <summary>A parsed storage URI of a DistillationJob (model, data, vocabulary or output location).</summary>
public sealed partial record StorageUri(StorageKind Kind, string Path, string? Claim)
{
    /// <summary>Parses <paramref name="text"/>; on failure, <paramref name="error"/> says what a valid URI looks like.</summary>
    public static bool TryParse(string? text, out StorageUri? uri, out string? error)
    {
        uri = null;
        error = null;
        if (string.IsNullOrWhiteSpace(text))
        {
            error = "must not be empty";
            return false;
        }

        var scheme = SchemePrefix().Match(text);
        if (!scheme.Success)
        {
            uri = new StorageUri(StorageKind.LocalPath, text, null);
            return true;
        }

        var rest = text[scheme.Length..];
        switch (scheme.Groups["scheme"].Value.ToLowerInvariant())
        {
            case "pvc":
                var slash = rest.IndexOf('/', StringComparison.Ordinal);
                var claim = slash < 0 ? rest : rest[..slash];
                var path = slash < 0 ? "" : rest[(slash + 1)..];
                if (!ClaimName().IsMatch(claim) || claim.Length > 253)
                {
                    error = $"names claim \"{claim}\", which is not a valid PersistentVolumeClaim name (lower-case letters, digits, '-' and '.'); write pvc://CLAIM/PATH";
                    return false;
                }

                if (path.Split('/').Contains(".."))
                {
                    error = $"must not contain '..' segments, got \"{text}\"";
                    return false;
                }

                uri = new StorageUri(StorageKind.PersistentVolumeClaim, path.Trim('/'), claim);
                return true;
            case "file":
                if (!rest.StartsWith('/'))
                {
                    error = $"must be an absolute file URI such as file:///data/train.tsv, got \"{text}\"";
                    return false;
                }

                uri = new StorageUri(StorageKind.File, rest, null);
                return true;
            default:
                error = $"uses unsupported scheme \"{scheme.Groups["scheme"].Value}\"; use pvc://CLAIM/PATH in a cluster, or file:///PATH or a relative path for local runs";
                return false;
        }
    }

    /// <summary>The URI in its canonical written form.</summary>
    public override string ToString() => Kind switch
    {
        StorageKind.PersistentVolumeClaim => $"pvc://{Claim}/{Path}",
        StorageKind.File => "file://" + Path,
        _ => Path,
    };

    [GeneratedRegex("^(?<scheme>[A-Za-z][A-Za-z0-9+.-]*)://")]
    private static partial Regex SchemePrefix();

    [GeneratedRegex("^[a-z0-9]([-a-z0-9]*[a-z0-9])?(\\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*$")]
    private static partial Regex ClaimName();
}
