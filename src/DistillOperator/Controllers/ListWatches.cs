using System.Runtime.CompilerServices;
using System.Text.Json;
using DistillOperator.Api.V1Alpha1;
using k8s;
using k8s.Models;

namespace DistillOperator.Controllers;

/// <summary>List and watch of the kinds the operator follows, over KubernetesClient; a null namespace means all namespaces.</summary>
public static class ListWatches
{
    /// <summary>DistillationJobs.</summary>
    public static IListWatch<DistillationJob> DistillationJobs(IKubernetes client, string? ns) => new DistillationJobListWatch(client, ns);

    /// <summary>batch/v1 Jobs matching <paramref name="labelSelector"/>.</summary>
    public static IListWatch<V1Job> Jobs(IKubernetes client, string? ns, string labelSelector) => new JobListWatch(client, ns, labelSelector);

    /// <summary>Pods matching <paramref name="labelSelector"/>.</summary>
    public static IListWatch<V1Pod> Pods(IKubernetes client, string? ns, string labelSelector) => new PodListWatch(client, ns, labelSelector);

    private static string Where(string? ns) => ns is null ? "all namespaces" : ns;

    private static void Throw(Exception e) => System.Runtime.ExceptionServices.ExceptionDispatchInfo.Throw(e);

    private sealed class DistillationJobListWatch(IKubernetes client, string? ns) : IListWatch<DistillationJob>
    {
        public string Description => $"{DistillationJob.Plural} in {Where(ns)}";

        public async Task<(IReadOnlyList<DistillationJob> Items, string? ResourceVersion)> ListAsync(CancellationToken cancellation)
        {
            var list = ns is null
                ? await client.CustomObjects.ListClusterCustomObjectAsync<DistillationJobList>(ApiGroup.Name, ApiGroup.Version, DistillationJob.Plural, cancellationToken: cancellation).ConfigureAwait(false)
                : await client.CustomObjects.ListNamespacedCustomObjectAsync<DistillationJobList>(ApiGroup.Name, ApiGroup.Version, ns, DistillationJob.Plural, cancellationToken: cancellation).ConfigureAwait(false);
            return ([.. list.Items], list.Metadata?.ResourceVersion);
        }

        public async IAsyncEnumerable<(WatchEventType Type, DistillationJob Object)> WatchAsync(string? resourceVersion, int timeoutSeconds, [EnumeratorCancellation] CancellationToken cancellation)
        {
            var events = ns is null
                ? client.CustomObjects.WatchListClusterCustomObjectAsync(ApiGroup.Name, ApiGroup.Version, DistillationJob.Plural, allowWatchBookmarks: true, resourceVersion: resourceVersion, timeoutSeconds: timeoutSeconds, onError: Throw, cancellationToken: cancellation)
                : client.CustomObjects.WatchListNamespacedCustomObjectAsync(ApiGroup.Name, ApiGroup.Version, ns, DistillationJob.Plural, allowWatchBookmarks: true, resourceVersion: resourceVersion, timeoutSeconds: timeoutSeconds, onError: Throw, cancellationToken: cancellation);
            await foreach (var (type, item) in events.ConfigureAwait(false))
            {
                yield return (type, KubernetesJson.Deserialize<DistillationJob>((JsonElement)item));
            }
        }
    }

    private sealed class JobListWatch(IKubernetes client, string? ns, string labelSelector) : IListWatch<V1Job>
    {
        public string Description => $"jobs ({labelSelector}) in {Where(ns)}";

        public async Task<(IReadOnlyList<V1Job> Items, string? ResourceVersion)> ListAsync(CancellationToken cancellation)
        {
            var list = ns is null
                ? await client.BatchV1.ListJobForAllNamespacesAsync(labelSelector: labelSelector, cancellationToken: cancellation).ConfigureAwait(false)
                : await client.BatchV1.ListNamespacedJobAsync(ns, labelSelector: labelSelector, cancellationToken: cancellation).ConfigureAwait(false);
            return ([.. list.Items], list.Metadata?.ResourceVersion);
        }

        public IAsyncEnumerable<(WatchEventType Type, V1Job Object)> WatchAsync(string? resourceVersion, int timeoutSeconds, CancellationToken cancellation) => ns is null
            ? client.BatchV1.WatchListJobForAllNamespacesAsync(allowWatchBookmarks: true, labelSelector: labelSelector, resourceVersion: resourceVersion, timeoutSeconds: timeoutSeconds, onError: Throw, cancellationToken: cancellation)
            : client.BatchV1.WatchListNamespacedJobAsync(ns, allowWatchBookmarks: true, labelSelector: labelSelector, resourceVersion: resourceVersion, timeoutSeconds: timeoutSeconds, onError: Throw, cancellationToken: cancellation);
    }

    private sealed class PodListWatch(IKubernetes client, string? ns, string labelSelector) : IListWatch<V1Pod>
    {
        public string Description => $"pods ({labelSelector}) in {Where(ns)}";

        public async Task<(IReadOnlyList<V1Pod> Items, string? ResourceVersion)> ListAsync(CancellationToken cancellation)
        {
            var list = ns is null
                ? await client.CoreV1.ListPodForAllNamespacesAsync(labelSelector: labelSelector, cancellationToken: cancellation).ConfigureAwait(false)
                : await client.CoreV1.ListNamespacedPodAsync(ns, labelSelector: labelSelector, cancellationToken: cancellation).ConfigureAwait(false);
            return ([.. list.Items], list.Metadata?.ResourceVersion);
        }

        public IAsyncEnumerable<(WatchEventType Type, V1Pod Object)> WatchAsync(string? resourceVersion, int timeoutSeconds, CancellationToken cancellation) => ns is null
            ? client.CoreV1.WatchListPodForAllNamespacesAsync(allowWatchBookmarks: true, labelSelector: labelSelector, resourceVersion: resourceVersion, timeoutSeconds: timeoutSeconds, onError: Throw, cancellationToken: cancellation)
            : client.CoreV1.WatchListNamespacedPodAsync(ns, allowWatchBookmarks: true, labelSelector: labelSelector, resourceVersion: resourceVersion, timeoutSeconds: timeoutSeconds, onError: Throw, cancellationToken: cancellation);
    }
}
