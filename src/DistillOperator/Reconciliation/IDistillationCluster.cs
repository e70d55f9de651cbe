using System.Text.Json.Nodes;
using DistillOperator.Api.V1Alpha1;
using DistillOperator.Controllers;
using k8s;
using k8s.Models;

namespace DistillOperator.Reconciliation;

/// <summary>
/// What the reconciler reads and does in the cluster, and nothing more: the seam its decisions are unit-tested
/// through (with Moq), and that <see cref="KubernetesDistillationCluster"/> implements over informer caches and
/// KubernetesClient.
/// </summary>
public interface IDistillationCluster
{
    /// <summary>The DistillationJob, or null when it no longer exists.</summary>
    Task<DistillationJob?> GetJobAsync(ObjectKey key, CancellationToken cancellation);

    /// <summary>
    /// Reads the DistillationJob from the API server, not a cache: true when it still exists with the same uid and is
    /// not being deleted. Asked before creating a run, so a job deleted a moment ago does not get orphaned children.
    /// </summary>
    Task<bool> StillExistsAsync(DistillationJob job, CancellationToken cancellation);

    /// <summary>The DistillationJobs, trainer Jobs and trainer pods of a namespace (to find another writer of the same output).</summary>
    Task<NamespaceWorkloads> ListWorkloadsAsync(string ns, CancellationToken cancellation);

    /// <summary>The trainer Jobs (runs) the DistillationJob owns, of any generation.</summary>
    Task<IReadOnlyList<V1Job>> ListRunsAsync(DistillationJob job, CancellationToken cancellation);

    /// <summary>The pods of a run, oldest first.</summary>
    Task<IReadOnlyList<V1Pod>> ListPodsAsync(V1Job run, CancellationToken cancellation);

    /// <summary>
    /// Trainer pods still running (or stopping) under the job's name that none of its runs owns: those of an earlier
    /// DistillationJob of the same name, deleted a moment ago, whose trainer may still be writing its checkpoint.
    /// </summary>
    Task<IReadOnlyList<V1Pod>> ListPredecessorPodsAsync(DistillationJob job, IReadOnlyList<V1Job> runs, CancellationToken cancellation);

    /// <summary>
    /// Creates a child; returns false when this job already has it. An object of that name that is not this job's
    /// throws <see cref="ChildNameConflictException"/> (after deleting it when an earlier job of the same name left it).
    /// </summary>
    Task<bool> CreateAsync(IKubernetesObject<V1ObjectMeta> child, CancellationToken cancellation);

    /// <summary>Sets a run's spec.suspend.</summary>
    Task SetSuspendAsync(V1Job run, bool suspend, CancellationToken cancellation);

    /// <summary>Deletes a run (its pods go with it) and the ConfigMap holding its spec.</summary>
    Task DeleteRunAsync(V1Job run, CancellationToken cancellation);

    /// <summary>Deletes the DistillationJob (its TTL has passed); its children are collected by their owner references.</summary>
    Task DeleteJobAsync(DistillationJob job, CancellationToken cancellation);

    /// <summary>
    /// Sets the fields of <paramref name="status"/> (null removes one) on the DistillationJob's status subresource, only
    /// if the job is still the one with <paramref name="job"/>'s uid (a job re-created under its name refuses the write).
    /// </summary>
    Task PatchStatusAsync(DistillationJob job, JsonObject status, CancellationToken cancellation);

    /// <summary>Records a Kubernetes Event about the DistillationJob (Normal or Warning).</summary>
    Task RecordEventAsync(DistillationJob job, string type, string reason, string message, CancellationToken cancellation);
}
