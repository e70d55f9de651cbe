using System.Collections.Concurrent;
using System.Net;
using k8s;
using k8s.Autorest;
using k8s.Models;
using Microsoft.Extensions.Logging;

namespace DistillOperator.Controllers;

/// <summary>
/// Keeps a local cache of one kind by list + watch: lists, then watches from the list's resourceVersion with
/// bookmarks and a server-side timeout; when the stream ends for any reason (timeout, dropped connection, 410 Gone)
/// it lists again, so the cache converges and every object is handed to <see cref="Changed"/> again (the resync).
/// Failures back off exponentially with jitter, and so do watches that keep failing or ending within a second of
/// starting (a proxy closing every stream, RBAC that allows list but not watch), so a misbehaving server is not relisted
/// in a hot loop. Deleted objects are handed over too, after leaving the cache.
/// </summary>
/// <typeparam name="T">The kind.</typeparam>
public sealed class Informer<T>(IListWatch<T> source, ILogger logger, TimeSpan resync, TimeProvider? time = null)
    where T : class, IKubernetesObject<V1ObjectMeta>
{
    private static readonly TimeSpan MaxBackoff = TimeSpan.FromSeconds(30);

    // A watch that ends sooner than this after it started counts as a quick end: the next list waits (backs off).
    private static readonly TimeSpan QuickWatchEnd = TimeSpan.FromSeconds(1);

    // How long a deleted object's uid is remembered: far longer than any write's answer can take to arrive.
    private static readonly TimeSpan TombstoneAge = TimeSpan.FromMinutes(10);
    private readonly ConcurrentDictionary<ObjectKey, T> _items = new();
    private readonly ConcurrentDictionary<string, DateTimeOffset> _deleted = new();
    private DateTimeOffset _pruned = DateTimeOffset.MinValue;
    private readonly TimeProvider _time = time ?? TimeProvider.System;
    private readonly TaskCompletionSource _synced = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private long _lists;

    /// <summary>Called for every added, changed, deleted or relisted object.</summary>
    public event Action<T>? Changed;

    /// <summary>True after the first complete list.</summary>
    public bool HasSynced => _synced.Task.IsCompleted;

    /// <summary>How many times the informer has listed.</summary>
    public long Lists => Interlocked.Read(ref _lists);

    /// <summary>The cached objects.</summary>
    public ICollection<T> Items => _items.Values;

    /// <summary>Completes after the first complete list.</summary>
    public Task WaitForSyncAsync(CancellationToken cancellation) => _synced.Task.WaitAsync(cancellation);

    /// <summary>The cached object with this key, if any.</summary>
    public T? Get(ObjectKey key) => _items.TryGetValue(key, out var item) ? item : null;

    /// <summary>
    /// Puts an object this process just wrote (the API server's answer) into the cache, unless the cache already
    /// holds a newer version, so the next reconcile does not act on the state from before its own write. An answer
    /// that arrives after the watch reported the object deleted is dropped: it would bring a ghost back until the next list.
    /// </summary>
    public void Remember(T item)
    {
        ArgumentNullException.ThrowIfNull(item);
        Store(item);

        // Checked after storing: a deletion handled in between tombstones the uid before it removes the key, so one of
        // the two always sees the other.
        if (item.Metadata.Uid is { } uid && _deleted.ContainsKey(uid))
        {
            _items.TryRemove(KeyValuePair.Create(KeyOf(item), item));
        }
    }

    /// <summary>Lists and watches until <paramref name="cancellation"/> fires.</summary>
    public async Task RunAsync(CancellationToken cancellation)
    {
        // Failed lists, failed watches and watches that ended at once, in a row: a watch that ran a while resets it.
        var failures = 0;
        while (!cancellation.IsCancellationRequested)
        {
            var watchStarted = (DateTimeOffset?)null;
            TimeSpan delay;
            try
            {
                var (items, resourceVersion) = await source.ListAsync(cancellation).ConfigureAwait(false);
                Interlocked.Increment(ref _lists);
                Replace(items, resourceVersion);
                _synced.TrySetResult();
                watchStarted = _time.GetUtcNow();
                await WatchAsync(resourceVersion, cancellation).ConfigureAwait(false);
                logger.LogDebug("Watch of {Source} ended; listing again", source.Description);
                delay = AfterWatchEnded(watchStarted.Value, ref failures, failed: false);
            }
            catch (OperationCanceledException) when (cancellation.IsCancellationRequested)
            {
                break;
            }
            catch (KubernetesException e) when (e.Status?.Code == (int)HttpStatusCode.Gone)
            {
                logger.LogInformation("Watch of {Source} expired ({Message}); listing again", source.Description, e.Status.Message);
                delay = watchStarted is { } started ? AfterWatchEnded(started, ref failures, failed: false) : Backoff(++failures);
            }
            catch (HttpRequestException e) when (e.HttpRequestError is HttpRequestError.ResponseEnded && watchStarted is not null)
            {
                // KubernetesClient throws this when a watch stream ends without any event: a normal end.
                logger.LogDebug("Watch of {Source} ended with no event; listing again", source.Description);
                delay = AfterWatchEnded(watchStarted.Value, ref failures, failed: false);
            }
            catch (Exception e) when (!cancellation.IsCancellationRequested)
            {
                // Anything else (a timeout, a refused connection, a 403 or 5xx, a bad payload): back off and list again;
                // an informer that stopped would leave the reconciler working on a frozen cache.
                delay = watchStarted is { } started ? AfterWatchEnded(started, ref failures, failed: true) : Backoff(++failures);
                logger.LogWarning(e, "List or watch of {Source} failed ({Failures} in a row); retrying in {Delay}", source.Description, failures, delay);
            }

            if (delay <= TimeSpan.Zero)
            {
                continue;
            }

            try
            {
                await Task.Delay(delay, _time, cancellation).ConfigureAwait(false);
            }
            catch (OperationCanceledException)
            {
                break;
            }
        }
    }

    // A watch that ran a while starts the count of failures in a row again, and after a normal end there is no wait;
    // a watch that failed, or ended at once, counts as a failure and waits as one.
    private TimeSpan AfterWatchEnded(DateTimeOffset started, ref int failures, bool failed)
    {
        var quick = _time.GetUtcNow() - started < QuickWatchEnd;
        if (!quick)
        {
            failures = 0;
            if (!failed)
            {
                return TimeSpan.Zero;
            }
        }

        failures++;
        var delay = Backoff(failures);
        if (!failed)
        {
            logger.LogDebug("Watch of {Source} ended within {Quick} ({Failures} in a row); listing again in {Delay}", source.Description, QuickWatchEnd, failures, delay);
        }

        return delay;
    }

    // Exponential from 0.5 s, at most 30 s, with up to 50% jitter so replicas do not retry in step.
    private static TimeSpan Backoff(int failures)
    {
        var seconds = Math.Min(0.5 * Math.Pow(2, Math.Min(failures - 1, 10)), MaxBackoff.TotalSeconds);
        return TimeSpan.FromSeconds(seconds * (1 + (Random.Shared.NextDouble() * 0.5)));
    }

    private static ObjectKey KeyOf(T item) => new(item.Metadata.NamespaceProperty ?? "", item.Metadata.Name);

    private async Task WatchAsync(string? resourceVersion, CancellationToken cancellation)
    {
        var timeout = (int)Math.Max(1, resync.TotalSeconds);
        await foreach (var (type, item) in source.WatchAsync(resourceVersion, timeout, cancellation).ConfigureAwait(false))
        {
            switch (type)
            {
                case WatchEventType.Added or WatchEventType.Modified:
                    Revive(item);
                    Store(item);
                    Changed?.Invoke(item);
                    break;
                case WatchEventType.Deleted:
                    Forget(KeyOf(item), item);
                    Changed?.Invoke(item);
                    break;
                default:
                    break; // bookmarks only move the resourceVersion; errors are thrown by the source
            }
        }
    }

    private void Replace(IReadOnlyList<T> items, string? listVersion)
    {
        var listed = items.ToDictionary(KeyOf);
        foreach (var (key, gone) in _items.Where(i => !listed.ContainsKey(i.Key)).ToList())
        {
            if (NewerThan(gone, listVersion))
            {
                continue; // remembered from this process's own write after the list was served: the watch will report it
            }

            Forget(key, gone);
            Changed?.Invoke(gone);
        }

        foreach (var item in listed.Values)
        {
            Revive(item);
            Store(item);
            Changed?.Invoke(item);
        }
    }

    private static bool NewerThan(T item, string? version) =>
        long.TryParse(item.Metadata.ResourceVersion, out var have) && long.TryParse(version, out var listed) && have > listed;

    // The API server says the object exists: a tombstone of its uid (a mistaken one) must not hide it.
    private void Revive(T item)
    {
        if (item.Metadata.Uid is { } uid)
        {
            _deleted.TryRemove(uid, out _);
        }
    }

    private void Forget(ObjectKey key, T gone)
    {
        var now = _time.GetUtcNow();
        if (gone.Metadata.Uid is { } uid)
        {
            _deleted[uid] = now;
        }

        _items.TryRemove(key, out _);
        if (now - _pruned < TimeSpan.FromMinutes(1))
        {
            return;
        }

        _pruned = now;
        foreach (var (old, at) in _deleted)
        {
            if (now - at > TombstoneAge)
            {
                _deleted.TryRemove(old, out _);
            }
        }
    }

    // Keeps the newer of two versions when both resourceVersions are numbers (as etcd's revisions are).
    private void Store(T item) => _items.AddOrUpdate(KeyOf(item), item, (_, cached) =>
        long.TryParse(cached.Metadata.ResourceVersion, out var have) && long.TryParse(item.Metadata.ResourceVersion, out var got) && got < have ? cached : item);
}
