using DistillOperator.Api.V1Alpha1;

namespace DistillOperator.Reconciliation;

/// <summary>
/// One writer per output: two DistillationJobs whose <c>spec.output.uri</c> is the same folder (or one inside the
/// other) would interleave checkpoints and published files, and each would resume from the other's checkpoints. A
/// job starts a run only when no other unfinished job of its namespace with an overlapping output is ahead of it:
/// one whose trainer is starting or running, or one created earlier (first come, first served; a job that waits
/// is itself ahead of later ones, so a queue forms in creation order).
/// </summary>
public static class OutputClaim
{
    /// <summary>The job <paramref name="job"/> must wait for, or null when its output is free.</summary>
    public static DistillationJob? HolderFor(DistillationJob job, string outputUri, IEnumerable<DistillationJob> namespaceJobs)
    {
        ArgumentNullException.ThrowIfNull(job);
        ArgumentNullException.ThrowIfNull(namespaceJobs);
        var mine = Normalize(outputUri);
        return namespaceJobs
            .Where(other => other.Metadata.Name != job.Metadata.Name && other.Metadata.DeletionTimestamp is null)
            .Where(other => other.Status?.Phase is not (JobPhase.Succeeded or JobPhase.Failed))
            .Where(other => Nested(mine, Normalize(other.Spec.Output.Uri)))
            .Where(other => other.Status?.Phase is JobPhase.Initializing or JobPhase.Running || CreatedBefore(other, job))
            .OrderBy(other => other.Status?.Phase is JobPhase.Initializing or JobPhase.Running ? 0 : 1)
            .ThenBy(other => other.Metadata.CreationTimestamp ?? DateTime.MinValue)
            .ThenBy(other => other.Metadata.Name, StringComparer.Ordinal)
            .FirstOrDefault();
    }

    /// <summary>True when the two storage URIs name the same folder or one lies inside the other.</summary>
    public static bool Overlap(string a, string b)
    {
        ArgumentNullException.ThrowIfNull(a);
        ArgumentNullException.ThrowIfNull(b);
        return Nested(Normalize(a), Normalize(b));
    }

    private static bool Nested(string x, string y) =>
        x == y || (x.Length > y.Length ? x.StartsWith(y + "/", StringComparison.Ordinal) : y.StartsWith(x + "/", StringComparison.Ordinal));

    // pvc://claim//runs/./a/ and pvc://claim/runs/a are the same folder.
    private static string Normalize(string uri)
    {
        var separator = uri.IndexOf("://", StringComparison.Ordinal);
        var (scheme, path) = separator < 0 ? ("", uri) : (uri[..(separator + 3)].ToLowerInvariant(), uri[(separator + 3)..]);
        var segments = path.Split('/', StringSplitOptions.RemoveEmptyEntries).Where(s => s != ".");
        return scheme + string.Join('/', segments);
    }

    private static bool CreatedBefore(DistillationJob other, DistillationJob job)
    {
        var (mine, theirs) = (job.Metadata.CreationTimestamp ?? DateTime.MaxValue, other.Metadata.CreationTimestamp ?? DateTime.MaxValue);
        return theirs < mine || (theirs == mine && string.CompareOrdinal(other.Metadata.Name, job.Metadata.Name) < 0);
    }
}
