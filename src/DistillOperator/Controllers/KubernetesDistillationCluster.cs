using System.Net;
using System.Text.Json.Nodes;
using DistillOperator.Api.V1Alpha1;
using DistillOperator.Children;
using DistillOperator.Reconciliation;
using k8s;
using k8s.Autorest;
using k8s.Models;

namespace DistillOperator.Controllers;

/// <summary>
/// The reconciler's view of the cluster over KubernetesClient: DistillationJobs, runs and pods from the informers'
/// caches, with this process's own writes remembered in them at once (so a reconcile right after a write sees it,
/// and a Job created a moment ago is not created twice), and writes through the API. A reconcile that finds nothing
/// to change makes no API call.
/// </summary>
public sealed class KubernetesDistillationCluster(IKubernetes client, InformerSet<DistillationJob> jobs, InformerSet<V1Job> runs, InformerSet<V1Pod> pods, EventRecorder events) : IDistillationCluster
{
    /// <summary>The field manager of the operator's writes.</summary>
    public const string FieldManager = "distill-operator";

    private readonly ChildConflictResolver _conflicts = new(client);

    /// <inheritdoc />
    public Task<DistillationJob?> GetJobAsync(ObjectKey key, CancellationToken cancellation) => Task.FromResult(jobs.Get(key));

    /// <inheritdoc />
    public async Task<bool> StillExistsAsync(DistillationJob job, CancellationToken cancellation)
    {
        ArgumentNullException.ThrowIfNull(job);
        try
        {
            var current = await client.CustomObjects.GetNamespacedCustomObjectAsync<DistillationJob>(ApiGroup.Name, ApiGroup.Version, job.Metadata.NamespaceProperty, DistillationJob.Plural, job.Metadata.Name, cancellation).ConfigureAwait(false);
            return current.Metadata.Uid == job.Metadata.Uid && current.Metadata.DeletionTimestamp is null;
        }
        catch (HttpOperationException e) when (e.Response.StatusCode == HttpStatusCode.NotFound)
        {
            return false;
        }
    }

    /// <inheritdoc />
    public Task<NamespaceWorkloads> ListWorkloadsAsync(string ns, CancellationToken cancellation) =>
        Task.FromResult(new NamespaceWorkloads([.. jobs.InNamespace(ns)], [.. runs.InNamespace(ns)], [.. pods.InNamespace(ns)]));

    /// <inheritdoc />
    public Task<IReadOnlyList<V1Job>> ListRunsAsync(DistillationJob job, CancellationToken cancellation)
    {
        ArgumentNullException.ThrowIfNull(job);
        IReadOnlyList<V1Job> owned = [.. runs.InNamespace(job.Metadata.NamespaceProperty)
            .Where(r => RunNames.JobOf(r.Metadata) == job.Metadata.Name)
            .Where(r => r.Metadata.OwnerReferences?.Any(o => o.Uid == job.Metadata.Uid && o.Controller == true) == true)];
        return Task.FromResult(owned);
    }

    /// <inheritdoc />
    public Task<IReadOnlyList<V1Pod>> ListPodsAsync(V1Job run, CancellationToken cancellation)
    {
        ArgumentNullException.ThrowIfNull(run);
        IReadOnlyList<V1Pod> owned = [.. pods.InNamespace(run.Metadata.NamespaceProperty)
            .Where(p => p.Metadata.OwnerReferences?.Any(o => o.Uid == run.Metadata.Uid) == true)
            .OrderBy(p => p.Metadata.CreationTimestamp ?? DateTime.MinValue)
            .ThenBy(p => p.Metadata.Name, StringComparer.Ordinal)];
        return Task.FromResult(owned);
    }

    /// <inheritdoc />
    public Task<IReadOnlyList<V1Pod>> ListPredecessorPodsAsync(DistillationJob job, IReadOnlyList<V1Job> runs, CancellationToken cancellation)
    {
        ArgumentNullException.ThrowIfNull(job);
        ArgumentNullException.ThrowIfNull(runs);
        var ours = runs.Select(r => r.Metadata.Uid).ToHashSet(StringComparer.Ordinal);
        IReadOnlyList<V1Pod> left = [.. pods.InNamespace(job.Metadata.NamespaceProperty)
            .Where(p => RunNames.JobOf(p.Metadata) == job.Metadata.Name)
            .Where(p => p.Status?.Phase is not ("Succeeded" or "Failed"))
            .Where(p => p.Metadata.OwnerReferences?.Any(o => ours.Contains(o.Uid)) != true)];
        return Task.FromResult(left);
    }

    /// <inheritdoc />
    public async Task<bool> CreateAsync(IKubernetesObject<V1ObjectMeta> child, CancellationToken cancellation)
    {
        ArgumentNullException.ThrowIfNull(child);
        var ns = child.Metadata.NamespaceProperty;
        try
        {
            Task create = child switch
            {
                V1ServiceAccount account => client.CoreV1.CreateNamespacedServiceAccountAsync(account, ns, fieldManager: FieldManager, cancellationToken: cancellation),
                V1Role role => client.RbacAuthorizationV1.CreateNamespacedRoleAsync(role, ns, fieldManager: FieldManager, cancellationToken: cancellation),
                V1RoleBinding binding => client.RbacAuthorizationV1.CreateNamespacedRoleBindingAsync(binding, ns, fieldManager: FieldManager, cancellationToken: cancellation),
                V1ConfigMap map => client.CoreV1.CreateNamespacedConfigMapAsync(map, ns, fieldManager: FieldManager, cancellationToken: cancellation),
                V1Job job => CreateRunAsync(job, ns, cancellation),
                _ => throw new ArgumentException($"the operator does not create {child.GetType().Name} objects", nameof(child)),
            };
            await create.ConfigureAwait(false);
            return true;
        }
        catch (HttpOperationException e) when (e.Response.StatusCode == HttpStatusCode.Conflict)
        {
            if (child is not V1Job)
            {
                // Ours (a previous reconcile or replica made it), or an earlier job's left-over: removed, then retried.
                await _conflicts.ResolveAsync(child, cancellation).ConfigureAwait(false);
            }

            return false;
        }
    }

    private async Task CreateRunAsync(V1Job job, string ns, CancellationToken cancellation) =>
        runs.Remember(await client.BatchV1.CreateNamespacedJobAsync(job, ns, fieldManager: FieldManager, cancellationToken: cancellation).ConfigureAwait(false));

    /// <inheritdoc />
    public async Task SetSuspendAsync(V1Job run, bool suspend, CancellationToken cancellation)
    {
        ArgumentNullException.ThrowIfNull(run);
        var body = suspend ? """{"spec":{"suspend":true}}""" : """{"spec":{"suspend":false}}""";
        runs.Remember(await client.BatchV1.PatchNamespacedJobAsync(new V1Patch(body, V1Patch.PatchType.MergePatch), run.Metadata.Name, run.Metadata.NamespaceProperty, fieldManager: FieldManager, cancellationToken: cancellation).ConfigureAwait(false));
    }

    /// <inheritdoc />
    public async Task DeleteRunAsync(V1Job run, CancellationToken cancellation)
    {
        ArgumentNullException.ThrowIfNull(run);
        var ns = run.Metadata.NamespaceProperty;
        // Foreground: the Job stays until its pods are gone, so the next run starts after the old trainer stopped.
        await IgnoreNotFound(client.BatchV1.DeleteNamespacedJobAsync(run.Metadata.Name, ns, propagationPolicy: "Foreground", cancellationToken: cancellation)).ConfigureAwait(false);
        RememberDeleting(run);
        await IgnoreNotFound(client.CoreV1.DeleteNamespacedConfigMapAsync(run.Metadata.Name + "-spec", ns, cancellationToken: cancellation)).ConfigureAwait(false);
    }

    // The cache holds the run as being deleted at once, as the watch will report it: a reconcile before that report
    // neither deletes it again nor announces the stop twice. A watch or list that knows better replaces this copy.
    private void RememberDeleting(V1Job run)
    {
        var cached = runs.Get(new ObjectKey(run.Metadata.NamespaceProperty ?? "", run.Metadata.Name)) ?? run;
        if (cached.Metadata.Uid != run.Metadata.Uid || cached.Metadata.DeletionTimestamp is not null)
        {
            return;
        }

        var deleting = KubernetesJson.Deserialize<V1Job>(KubernetesJson.Serialize(cached));
        deleting.Metadata.DeletionTimestamp = DateTime.UtcNow;
        runs.Remember(deleting);
    }

    /// <inheritdoc />
    public async Task DeleteJobAsync(DistillationJob job, CancellationToken cancellation)
    {
        ArgumentNullException.ThrowIfNull(job);
        // The uid precondition keeps a job re-created under the same name safe.
        var options = new V1DeleteOptions { PropagationPolicy = "Background", Preconditions = new V1Preconditions { Uid = job.Metadata.Uid } };
        await IgnoreNotFound(client.CustomObjects.DeleteNamespacedCustomObjectAsync(ApiGroup.Name, ApiGroup.Version, job.Metadata.NamespaceProperty, DistillationJob.Plural, job.Metadata.Name, options, cancellationToken: cancellation)).ConfigureAwait(false);
    }

    /// <inheritdoc />
    public async Task PatchStatusAsync(DistillationJob job, JsonObject status, CancellationToken cancellation)
    {
        ArgumentNullException.ThrowIfNull(job);
        var body = StatusPatch.ForJob(job.Metadata.Uid, job.Status is null, status).ToJsonString();
        var updated = await client.CustomObjects.PatchNamespacedCustomObjectStatusAsync<DistillationJob>(new V1Patch(body, V1Patch.PatchType.JsonPatch), ApiGroup.Name, ApiGroup.Version, job.Metadata.NamespaceProperty, DistillationJob.Plural, job.Metadata.Name, fieldManager: FieldManager, cancellationToken: cancellation).ConfigureAwait(false);
        jobs.Remember(updated);
    }

    /// <inheritdoc />
    public Task RecordEventAsync(DistillationJob job, string type, string reason, string message, CancellationToken cancellation)
    {
        events.Record(job, type, reason, message);
        return Task.CompletedTask;
    }

    private static async Task IgnoreNotFound(Task call)
    {
        try
        {
            await call.ConfigureAwait(false);
        }
        catch (HttpOperationException e) when (e.Response.StatusCode == HttpStatusCode.NotFound)
        {
        }
    }
}
