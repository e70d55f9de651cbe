using k8s;
using k8s.Models;

namespace DistillOperator.Controllers;

/// <summary>How an informer lists and watches one kind (in one namespace or all), behind an interface so it can be faked.</summary>
/// <typeparam name="T">The kind.</typeparam>
public interface IListWatch<T>
    where T : IKubernetesObject<V1ObjectMeta>
{
    /// <summary>What is watched, for logs: "distillationjobs in ns1".</summary>
    string Description { get; }

    /// <summary>Lists every object and the list's resourceVersion.</summary>
    Task<(IReadOnlyList<T> Items, string? ResourceVersion)> ListAsync(CancellationToken cancellation);

    /// <summary>
    /// Watches from <paramref name="resourceVersion"/> with bookmarks until the server ends the stream after
    /// <paramref name="timeoutSeconds"/>. An ERROR event (410 Gone) is thrown as a <see cref="KubernetesException"/>.
    /// </summary>
    IAsyncEnumerable<(WatchEventType Type, T Object)> WatchAsync(string? resourceVersion, int timeoutSeconds, CancellationToken cancellation);
}
