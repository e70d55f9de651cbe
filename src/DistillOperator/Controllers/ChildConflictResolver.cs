using System.Net;
using DistillOperator.Api.V1Alpha1;
using DistillOperator.Reconciliation;
using k8s;
using k8s.Autorest;
using k8s.Models;

namespace DistillOperator.Controllers;

/// <summary>
/// Decides what a 409 on creating a job's trainer identity or spec ConfigMap means (a trainer Job's own 409 is
/// settled by the reconciler from the cache). Owned by the same job (same uid): made by an earlier reconcile
/// or replica, nothing to do. Owned by an earlier DistillationJob of the same name (deleted and re-created before the
/// garbage collector removed its children): it may hold that job's spec or grant its identity, so it is deleted and the
/// reconcile retries. Anything else (made by hand, another owner) is a clash a person must resolve.
/// </summary>
public sealed class ChildConflictResolver(IKubernetes client)
{
    /// <summary>Returns when the existing object is the job's own; throws <see cref="ChildNameConflictException"/> otherwise.</summary>
    public async Task ResolveAsync(IKubernetesObject<V1ObjectMeta> child, CancellationToken cancellation)
    {
        ArgumentNullException.ThrowIfNull(child);
        var (kind, ns, name) = (KindOf(child), child.Metadata.NamespaceProperty, child.Metadata.Name);
        var owner = child.Metadata.OwnerReferences?.SingleOrDefault(o => o.Controller == true)
            ?? throw new ArgumentException($"{kind} {ns}/{name} has no controller owner", nameof(child));
        V1ObjectMeta? existing;
        try
        {
            existing = await ReadAsync(child, cancellation).ConfigureAwait(false);
        }
        catch (HttpOperationException e) when (e.Response.StatusCode == HttpStatusCode.NotFound)
        {
            throw new ChildNameConflictException($"{kind} {ns}/{name} was deleted while it was being created; creating it again", leftOver: true);
        }

        var holder = existing.OwnerReferences?.SingleOrDefault(o => o.Controller == true);
        if (holder?.Uid == owner.Uid)
        {
            return;
        }

        if (holder is { Kind: DistillationJob.KindName } && holder.Name == owner.Name)
        {
            if (existing.DeletionTimestamp is not null)
            {
                // Already going; finalizers can hold it indefinitely, and then a person should know why the job waits.
                // The garbage collector's own finalizers (foreground or orphan deletion) go by themselves, soon.
                var finalizers = existing.Finalizers?.Where(f => f is not ("foregroundDeletion" or "orphan")).ToList() ?? [];
                throw finalizers.Count > 0
                    ? new ChildNameConflictException($"{kind} {ns}/{name}, left by an earlier DistillationJob {owner.Name} (uid {holder.Uid}), is being deleted but finalizer(s) {string.Join(", ", finalizers)} hold it; the job starts once it is gone", leftOver: false)
                    : new ChildNameConflictException($"{kind} {ns}/{name}, left by an earlier DistillationJob {owner.Name} (uid {holder.Uid}), is being deleted; creating it again once it is gone", leftOver: true);
            }

            // Only the live job of that name may clear its predecessor's objects: a reconcile from a stale cache (the
            // predecessor itself, or a replica that lost its lease) must not delete the live job's.
            if (!await IsLiveAsync(ns, owner, cancellation).ConfigureAwait(false))
            {
                throw new ChildNameConflictException($"{kind} {ns}/{name} belongs to DistillationJob {owner.Name} uid {holder.Uid}, and uid {owner.Uid} is not that job any more; looking again", leftOver: true);
            }

            await DeleteAsync(child, existing.Uid, cancellation).ConfigureAwait(false);
            throw new ChildNameConflictException($"{kind} {ns}/{name} was left by an earlier DistillationJob {owner.Name} (uid {holder.Uid}); deleted it, creating it again", leftOver: true);
        }

        var held = holder is null ? "has no owner" : $"belongs to {holder.Kind} {holder.Name}";
        throw new ChildNameConflictException($"{kind} {ns}/{name} already exists and {held}; the job needs that name for its trainer: delete the object or rename the DistillationJob", leftOver: false);
    }

    private async Task<bool> IsLiveAsync(string ns, V1OwnerReference owner, CancellationToken cancellation)
    {
        try
        {
            var job = await client.CustomObjects.GetNamespacedCustomObjectAsync<DistillationJob>(ApiGroup.Name, ApiGroup.Version, ns, DistillationJob.Plural, owner.Name, cancellation).ConfigureAwait(false);
            return job.Metadata.Uid == owner.Uid && job.Metadata.DeletionTimestamp is null;
        }
        catch (HttpOperationException e) when (e.Response.StatusCode == HttpStatusCode.NotFound)
        {
            return false;
        }
    }

    private static string KindOf(IKubernetesObject<V1ObjectMeta> child) => child switch
    {
        V1ServiceAccount => "ServiceAccount",
        V1Role => "Role",
        V1RoleBinding => "RoleBinding",
        V1ConfigMap => "ConfigMap",
        _ => child.GetType().Name,
    };

    private async Task<V1ObjectMeta> ReadAsync(IKubernetesObject<V1ObjectMeta> child, CancellationToken cancellation)
    {
        var (ns, name) = (child.Metadata.NamespaceProperty, child.Metadata.Name);
        return child switch
        {
            V1ServiceAccount => (await client.CoreV1.ReadNamespacedServiceAccountAsync(name, ns, cancellationToken: cancellation).ConfigureAwait(false)).Metadata,
            V1Role => (await client.RbacAuthorizationV1.ReadNamespacedRoleAsync(name, ns, cancellationToken: cancellation).ConfigureAwait(false)).Metadata,
            V1RoleBinding => (await client.RbacAuthorizationV1.ReadNamespacedRoleBindingAsync(name, ns, cancellationToken: cancellation).ConfigureAwait(false)).Metadata,
            V1ConfigMap => (await client.CoreV1.ReadNamespacedConfigMapAsync(name, ns, cancellationToken: cancellation).ConfigureAwait(false)).Metadata,
            _ => throw new ArgumentException($"the operator does not create {child.GetType().Name} objects", nameof(child)),
        };
    }

    // The uid precondition deletes exactly the left-over object, never one created in the meantime.
    private async Task DeleteAsync(IKubernetesObject<V1ObjectMeta> child, string uid, CancellationToken cancellation)
    {
        var (ns, name) = (child.Metadata.NamespaceProperty, child.Metadata.Name);
        var options = new V1DeleteOptions { Preconditions = new V1Preconditions { Uid = uid }, PropagationPolicy = "Background" };
        try
        {
            Task delete = child switch
            {
                V1ServiceAccount => client.CoreV1.DeleteNamespacedServiceAccountAsync(name, ns, options, cancellationToken: cancellation),
                V1Role => client.RbacAuthorizationV1.DeleteNamespacedRoleAsync(name, ns, options, cancellationToken: cancellation),
                V1RoleBinding => client.RbacAuthorizationV1.DeleteNamespacedRoleBindingAsync(name, ns, options, cancellationToken: cancellation),
                V1ConfigMap => client.CoreV1.DeleteNamespacedConfigMapAsync(name, ns, options, cancellationToken: cancellation),
                _ => throw new ArgumentException($"the operator does not create {child.GetType().Name} objects", nameof(child)),
            };
            await delete.ConfigureAwait(false);
        }
        catch (HttpOperationException e) when (e.Response.StatusCode is HttpStatusCode.NotFound or HttpStatusCode.Conflict)
        {
            // Gone already, or replaced (uid precondition failed): the next attempt looks again.
        }
    }
}
