using k8s;
using k8s.Models;

namespace DistillOperator.Testing.Tests;

/// <summary>Watches through the real KubernetesClient: events in order, resumption, bookmarks, 410 Gone.</summary>
public sealed class WatchTests : IAsyncLifetime
{
    private static readonly TimeSpan Limit = TimeSpan.FromSeconds(20);
    private readonly EmulatorFixture _fixture = new();

    private Kubernetes Client => _fixture.Client;

    public Task InitializeAsync() => _fixture.InitializeAsync();

    public Task DisposeAsync() => _fixture.DisposeAsync();

    private static V1ConfigMap Map(string name, string value = "1") =>
        new() { Metadata = new V1ObjectMeta { Name = name }, Data = new Dictionary<string, string> { ["v"] = value } };

    private static async Task<List<(WatchEventType Type, string Name, string ResourceVersion)>> Collect(IAsyncEnumerable<(WatchEventType, V1ConfigMap)> stream, int count, CancellationToken cancellation)
    {
        var seen = new List<(WatchEventType, string, string)>();
        await foreach (var (type, map) in stream.WithCancellation(cancellation))
        {
            if (type != WatchEventType.Bookmark)
            {
                seen.Add((type, map.Metadata.Name, map.Metadata.ResourceVersion));
            }

            if (seen.Count == count)
            {
                break;
            }
        }

        return seen;
    }

    [Fact]
    public async Task A_watch_from_a_list_version_sees_every_later_change_in_order()
    {
        using var timeout = new CancellationTokenSource(Limit);
        await Client.CoreV1.CreateNamespacedConfigMapAsync(Map("before"), "default");
        var list = await Client.CoreV1.ListNamespacedConfigMapAsync("default");
        var watching = Collect(Client.CoreV1.WatchListNamespacedConfigMapAsync("default", resourceVersion: list.Metadata.ResourceVersion, onError: e => throw e, cancellationToken: timeout.Token), 3, timeout.Token);

        await Client.CoreV1.CreateNamespacedConfigMapAsync(Map("after"), "default");
        await Client.CoreV1.PatchNamespacedConfigMapAsync(new V1Patch("""{"data": {"v": "2"}}""", V1Patch.PatchType.MergePatch), "after", "default");
        await Client.CoreV1.DeleteNamespacedConfigMapAsync("before", "default");
        var events = await watching;

        Assert.Equal([(WatchEventType.Added, "after"), (WatchEventType.Modified, "after"), (WatchEventType.Deleted, "before")], events.Select(e => (e.Type, e.Name)));
        Assert.True(events.Select(e => long.Parse(e.ResourceVersion)).SequenceEqual(events.Select(e => long.Parse(e.ResourceVersion)).Order()));
    }

    [Fact]
    public async Task A_dropped_watch_resumed_from_its_last_version_misses_no_event()
    {
        using var timeout = new CancellationTokenSource(Limit);
        var start = (await Client.CoreV1.ListNamespacedConfigMapAsync("default")).Metadata.ResourceVersion;
        using (var first = CancellationTokenSource.CreateLinkedTokenSource(timeout.Token))
        {
            var watching = Collect(Client.CoreV1.WatchListNamespacedConfigMapAsync("default", resourceVersion: start, cancellationToken: first.Token), 1, timeout.Token);
            await Client.CoreV1.CreateNamespacedConfigMapAsync(Map("one"), "default");
            start = (await watching).Single().ResourceVersion;
            await first.CancelAsync(); // the stream drops
        }

        // Changes while no one watches.
        await Client.CoreV1.CreateNamespacedConfigMapAsync(Map("two"), "default");
        await Client.CoreV1.CreateNamespacedConfigMapAsync(Map("three"), "default");
        var resumed = await Collect(Client.CoreV1.WatchListNamespacedConfigMapAsync("default", resourceVersion: start, onError: e => throw e, cancellationToken: timeout.Token), 2, timeout.Token);

        Assert.Equal(["two", "three"], resumed.Select(e => e.Name));
    }

    [Fact]
    public async Task A_version_older_than_the_retained_history_gets_410_Gone_and_a_relist_recovers()
    {
        using var timeout = new CancellationTokenSource(Limit);
        var old = (await Client.CoreV1.ListNamespacedConfigMapAsync("default")).Metadata.ResourceVersion;
        await Client.CoreV1.CreateNamespacedConfigMapAsync(Map("kept"), "default");
        _fixture.Emulator.Store.CompactHistory();

        var error = await Assert.ThrowsAsync<KubernetesException>(() =>
            Collect(Client.CoreV1.WatchListNamespacedConfigMapAsync("default", resourceVersion: old, onError: e => throw e, cancellationToken: timeout.Token), 1, timeout.Token));
        var relist = await Client.CoreV1.ListNamespacedConfigMapAsync("default");

        Assert.Equal(410, error.Status.Code);
        Assert.Equal("Expired", error.Status.Reason);
        Assert.Equal(["kept"], relist.Items.Select(i => i.Metadata.Name));
    }

    [Fact]
    public async Task A_watch_that_allows_bookmarks_gets_them_with_the_current_version()
    {
        using var timeout = new CancellationTokenSource(Limit);
        _fixture.Emulator.BookmarkInterval = TimeSpan.FromMilliseconds(100);
        var version = (await Client.CoreV1.ListNamespacedConfigMapAsync("default")).Metadata.ResourceVersion;

        await foreach (var (type, map) in Client.CoreV1.WatchListNamespacedConfigMapAsync("default", resourceVersion: version, allowWatchBookmarks: true, cancellationToken: timeout.Token))
        {
            Assert.Equal(WatchEventType.Bookmark, type);
            Assert.Equal(version, map.Metadata.ResourceVersion);
            break;
        }
    }

    [Fact]
    public async Task TimeoutSeconds_ends_the_stream_as_a_real_server_does()
    {
        using var timeout = new CancellationTokenSource(Limit);
        await Client.CoreV1.CreateNamespacedConfigMapAsync(Map("existing"), "default");
        var events = new List<WatchEventType>();

        // KubernetesClient reads the first line eagerly and fails on a stream that ends empty, so give it one event.
        await foreach (var (type, _) in Client.CoreV1.WatchListNamespacedConfigMapAsync("default", resourceVersion: "0", timeoutSeconds: 1, cancellationToken: timeout.Token))
        {
            events.Add(type);
        }

        Assert.False(timeout.IsCancellationRequested);
        Assert.Equal([WatchEventType.Added], events);
    }
}
