using k8s;
using k8s.Models;

namespace DistillOperator.Controllers;

/// <summary>The informers of one kind, one per watched namespace (or one for all namespaces, with a null namespace).</summary>
/// <typeparam name="T">The kind.</typeparam>
public sealed class InformerSet<T>(IReadOnlyList<(string? Namespace, Informer<T> Informer)> informers)
    where T : class, IKubernetesObject<V1ObjectMeta>
{
    /// <summary>The informers.</summary>
    public IEnumerable<Informer<T>> Informers => informers.Select(i => i.Informer);

    /// <summary>True when every informer has listed once.</summary>
    public bool HasSynced => informers.All(i => i.Informer.HasSynced);

    /// <summary>The cached object with this key, if any.</summary>
    public T? Get(ObjectKey key) => For(key.Namespace)?.Get(key);

    /// <summary>Every cached object of a namespace.</summary>
    public IEnumerable<T> InNamespace(string ns) => For(ns)?.Items.Where(i => i.Metadata.NamespaceProperty == ns) ?? [];

    /// <summary>Every cached object.</summary>
    public IEnumerable<T> Items => informers.SelectMany(i => i.Informer.Items);

    /// <summary>Puts an object this process wrote into the cache of its namespace (which keeps the newer version).</summary>
    public void Remember(T item)
    {
        ArgumentNullException.ThrowIfNull(item);
        For(item.Metadata.NamespaceProperty)?.Remember(item);
    }

    /// <summary>Runs every informer.</summary>
    public Task RunAsync(CancellationToken cancellation) => Task.WhenAll(informers.Select(i => i.Informer.RunAsync(cancellation)));

    /// <summary>Completes when every informer has listed once.</summary>
    public Task WaitForSyncAsync(CancellationToken cancellation) => Task.WhenAll(informers.Select(i => i.Informer.WaitForSyncAsync(cancellation)));

    private Informer<T>? For(string? ns) =>
        informers.FirstOrDefault(i => i.Namespace is null || i.Namespace == ns).Informer;
}
