using DistillOperator.Api.V1Alpha1;
using DistillOperator.Children;
using k8s.Models;

namespace DistillOperator.Reconciliation;

/// <summary>
/// One writer per output: two trainers writing the same folder (or one inside the other) would interleave checkpoints
/// and published files, and each would resume from the other's checkpoints. Before a job starts a run, its output
/// must be free of
/// <list type="bullet">
/// <item>another DistillationJob's trainer Job that has not finished (running, starting, queued or suspended),</item>
/// <item>a trainer pod still running or stopping (a deleted job's trainer writes its checkpoint as it stops), and</item>
/// <item>an unfinished, unsuspended job without a run that was created earlier (first come, first served: a job that
/// waits is itself ahead of later ones, so a queue forms in creation order).</item>
/// </list>
/// Whoever holds the output has a run or was created earlier, so two jobs never wait for each other.
/// </summary>
public static class OutputClaim
{
    /// <summary>What <paramref name="job"/> must wait for (a sentence naming it), or null when its output is free.</summary>
    /// <param name="job">The job about to start a run.</param>
    /// <param name="outputUri">Its spec.output.uri.</param>
    /// <param name="workloads">The DistillationJobs, trainer Jobs and trainer pods of its namespace.</param>
    public static string? HolderFor(DistillationJob job, string outputUri, NamespaceWorkloads workloads)
    {
        ArgumentNullException.ThrowIfNull(job);
        ArgumentNullException.ThrowIfNull(workloads);
        var mine = Normalize(outputUri);
        var outputsByJob = new Lazy<Dictionary<string, string>>(() => workloads.Jobs.GroupBy(j => j.Metadata.Name, StringComparer.Ordinal).ToDictionary(g => g.Key, g => g.First().Spec.Output.Uri, StringComparer.Ordinal));
        bool Others(V1ObjectMeta meta) => RunNames.JobOf(meta) is { } name && name != job.Metadata.Name;
        string? Output(V1ObjectMeta meta) => OutputOf(meta) ?? (RunNames.JobOf(meta) is { } name ? outputsByJob.Value.GetValueOrDefault(name) : null);
        bool Writes(V1ObjectMeta meta) => Output(meta) is { } uri && Nested(mine, Normalize(uri));

        // Sorted, so the message names the same holder on every look (no status write for a changed order alone).
        if (workloads.Runs.Where(r => Others(r.Metadata) && !Finished(r) && Writes(r.Metadata)).MinBy(r => r.Metadata.Name, StringComparer.Ordinal) is { } run)
        {
            return $"trainer Job {run.Metadata.Name} of DistillationJob {RunNames.JobOf(run.Metadata)} writes to {Output(run.Metadata)} and has not finished";
        }

        if (workloads.Pods.Where(p => Others(p.Metadata) && p.Status?.Phase is not ("Succeeded" or "Failed") && Writes(p.Metadata)).MinBy(p => p.Metadata.Name, StringComparer.Ordinal) is { } pod)
        {
            return $"trainer pod {pod.Metadata.Name} of DistillationJob {RunNames.JobOf(pod.Metadata)} still writes to {Output(pod.Metadata)}";
        }

        var earlier = workloads.Jobs
            .Where(other => other.Metadata.Name != job.Metadata.Name && other.Metadata.DeletionTimestamp is null)
            .Where(other => other.Status?.Phase is not (JobPhase.Succeeded or JobPhase.Failed or JobPhase.Suspended))
            .Where(other => CreatedBefore(other, job) && Nested(mine, Normalize(other.Spec.Output.Uri)))
            .OrderBy(other => other.Metadata.CreationTimestamp ?? DateTime.MinValue)
            .ThenBy(other => other.Metadata.Name, StringComparer.Ordinal)
            .FirstOrDefault();
        return earlier is null ? null : $"DistillationJob {earlier.Metadata.Name}, created earlier, writes to {earlier.Spec.Output.Uri} and has not finished";
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

    // Runs created before the annotation existed are matched through their DistillationJob's spec.
    private static string? OutputOf(V1ObjectMeta meta) => meta.Annotations?.TryGetValue(TrainerJobBuilder.OutputAnnotation, out var uri) == true ? uri : null;

    private static bool Finished(V1Job run) => run.Metadata.DeletionTimestamp is not null || RunNames.Finished(run);

    private static bool CreatedBefore(DistillationJob other, DistillationJob job)
    {
        var (mine, theirs) = (job.Metadata.CreationTimestamp ?? DateTime.MaxValue, other.Metadata.CreationTimestamp ?? DateTime.MaxValue);
        return theirs < mine || (theirs == mine && string.CompareOrdinal(other.Metadata.Name, job.Metadata.Name) < 0);
    }
}
