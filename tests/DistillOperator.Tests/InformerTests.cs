using System.Net;
using System.Runtime.CompilerServices;
using System.Threading.Channels;
using DistillOperator.Controllers;
using k8s;
using k8s.Models;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Time.Testing;

namespace DistillOperator.Tests;

public sealed class InformerTests
{
    [Fact]
    public async Task It_lists_watches_and_after_a_410_lists_again_so_deletions_missed_meanwhile_are_seen()
    {
        var source = new ScriptedSource();
        source.Lists.Enqueue([Map("a", "1"), Map("b", "2")]);
        source.Lists.Enqueue([Map("b", "4"), Map("c", "5")]); // a was deleted while the watch was gone
        await using var running = await RunningInformer.StartAsync(source);
        var (informer, seen) = (running.Informer, running.Seen);

        Assert.Equal(["a@1", "b@2"], await Take(seen, 2));
        await source.Events.Writer.WriteAsync((WatchEventType.Modified, Map("b", "3")));
        Assert.Equal(["b@3"], await Take(seen, 1));
        await source.Events.Writer.WriteAsync((WatchEventType.Bookmark, Map("", "3")));
        source.Fail(new KubernetesException(new V1Status { Code = (int)HttpStatusCode.Gone, Message = "too old resource version" }));

        Assert.Equal(["a@1", "b@4", "c@5"], (await Take(seen, 3)).Order());
        Assert.Equal(["b", "c"], informer.Items.Select(m => m.Metadata.Name).Order());
        Assert.Equal(2, informer.Lists);
    }

    [Fact]
    public async Task A_watch_that_ends_with_no_event_and_a_failing_list_are_retried()
    {
        var source = new ScriptedSource { ListFailures = 1 };
        source.Lists.Enqueue([Map("a", "1")]);
        source.Lists.Enqueue([Map("a", "2")]);
        var informer = new Informer<V1ConfigMap>(source, NullLogger.Instance, TimeSpan.FromMinutes(5));
        using var stop = new CancellationTokenSource();
        var run = informer.RunAsync(stop.Token);
        await informer.WaitForSyncAsync(CancellationToken.None);

        source.Fail(new HttpRequestException(HttpRequestError.ResponseEnded, "The response ended prematurely."));
        var deadline = DateTime.UtcNow.AddSeconds(10);
        while (informer.Get(new ObjectKey("ns", "a"))?.Metadata.ResourceVersion != "2")
        {
            Assert.True(DateTime.UtcNow < deadline, "the informer did not list again");
            await Task.Delay(10);
        }

        await stop.CancelAsync();
        await run;
    }

    [Fact]
    public void An_older_version_never_replaces_a_newer_one_in_the_cache()
    {
        var informer = new Informer<V1ConfigMap>(new ScriptedSource(), NullLogger.Instance, TimeSpan.FromMinutes(5));
        informer.Remember(Map("a", "10"));
        informer.Remember(Map("a", "9"));
        Assert.Equal("10", informer.Get(new ObjectKey("ns", "a"))!.Metadata.ResourceVersion);
    }

    [Fact]
    public async Task A_write_answered_after_the_watch_reported_the_object_deleted_does_not_bring_it_back()
    {
        var source = new ScriptedSource();
        source.Lists.Enqueue([Map("a", "1", uid: "uid-a")]);
        await using var running = await RunningInformer.StartAsync(source);
        var (informer, seen) = (running.Informer, running.Seen);
        await Take(seen, 1);

        await source.Events.Writer.WriteAsync((WatchEventType.Deleted, Map("a", "3", uid: "uid-a")));
        await Take(seen, 1);
        informer.Remember(Map("a", "2", uid: "uid-a")); // the answer to a status patch made just before the delete
        Assert.Null(informer.Get(new ObjectKey("ns", "a")));

        informer.Remember(Map("a", "4", uid: "uid-a2")); // a new object of the same name is another uid
        Assert.Equal("4", informer.Get(new ObjectKey("ns", "a"))!.Metadata.ResourceVersion);
    }

    [Fact]
    public async Task An_object_written_while_a_list_was_in_flight_stays_in_the_cache_and_later_writes_of_it_count()
    {
        var source = new ScriptedSource();
        source.Lists.Enqueue([Map("a", "1", uid: "uid-a")]);
        source.Lists.Enqueue([Map("a", "2", uid: "uid-a")]); // served before b was created
        await using var running = await RunningInformer.StartAsync(source);
        var (informer, seen) = (running.Informer, running.Seen);
        await Take(seen, 1);

        informer.Remember(Map("b", "3", uid: "uid-b")); // this process created b; the answer came before the relist
        source.Fail(new HttpRequestException(HttpRequestError.ResponseEnded, "The response ended prematurely."));
        Assert.Equal(["a@2"], await Take(seen, 1));
        Assert.Equal("3", informer.Get(new ObjectKey("ns", "b"))?.Metadata.ResourceVersion);

        informer.Remember(Map("b", "4", uid: "uid-b")); // a later write of b (a suspend patch, say)
        Assert.Equal("4", informer.Get(new ObjectKey("ns", "b"))?.Metadata.ResourceVersion);
    }

    [Fact]
    public async Task Watches_that_keep_ending_at_once_are_listed_again_after_a_growing_wait_and_a_long_watch_resets_it()
    {
        var source = new ScriptedSource { WatchesEndAtOnce = true };
        source.Lists.Enqueue([Map("a", "1")]);
        var time = new FakeTimeProvider();
        var informer = new Informer<V1ConfigMap>(source, NullLogger.Instance, TimeSpan.FromMinutes(5), time);
        using var stop = new CancellationTokenSource();
        var run = informer.RunAsync(stop.Token);
        await informer.WaitForSyncAsync(CancellationToken.None);

        await Task.Delay(200);
        Assert.Equal(1, informer.Lists); // with no wait it would have listed thousands of times by now
        time.Advance(TimeSpan.FromSeconds(1)); // the first wait is 0.5-0.75 s
        await WaitUntil(() => informer.Lists == 2);

        await Task.Delay(100);
        time.Advance(TimeSpan.FromSeconds(0.8)); // the second is 1-1.5 s: not over yet
        await Task.Delay(200);
        Assert.Equal(2, informer.Lists);

        source.WatchesEndAtOnce = false;
        time.Advance(TimeSpan.FromSeconds(1));
        await WaitUntil(() => informer.Lists == 3);
        time.Advance(TimeSpan.FromSeconds(5)); // this watch stays open a while, then ends normally
        source.Fail(new HttpRequestException(HttpRequestError.ResponseEnded, "The response ended prematurely."));
        await WaitUntil(() => informer.Lists == 4); // at once: the fake clock does not move

        // Watches refused at once (list allowed, watch forbidden) back off the same way, growing with each refusal.
        source.WatchFailure = new HttpRequestException("403 Forbidden: cannot watch configmaps");
        source.Fail(new HttpRequestException(HttpRequestError.ResponseEnded, "The response ended prematurely.")); // ends the open watch after 0 s
        await Task.Delay(100);
        time.Advance(TimeSpan.FromSeconds(1));
        await WaitUntil(() => informer.Lists == 5);
        await Task.Delay(100);
        time.Advance(TimeSpan.FromSeconds(0.8)); // a second refusal in a row waits 1-1.5 s
        await Task.Delay(200);
        Assert.Equal(5, informer.Lists);

        await stop.CancelAsync();
        await run;
    }

    private static async Task WaitUntil(Func<bool> condition)
    {
        var deadline = DateTime.UtcNow.AddSeconds(10);
        while (!condition())
        {
            Assert.True(DateTime.UtcNow < deadline, "the condition did not hold within 10 s");
            await Task.Delay(10);
        }
    }

    private static V1ConfigMap Map(string name, string version, string? uid = null) => new() { Metadata = new V1ObjectMeta { Name = name, NamespaceProperty = "ns", ResourceVersion = version, Uid = uid } };

    private static async Task<List<string>> Take(Channel<string> seen, int count)
    {
        var items = new List<string>();
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(10));
        while (items.Count < count)
        {
            items.Add(await seen.Reader.ReadAsync(timeout.Token));
        }

        return items;
    }

    // An informer listing and watching a scripted source, its Changed calls written to Seen as name@version.
    private sealed class RunningInformer : IAsyncDisposable
    {
        private readonly CancellationTokenSource _stop = new();
        private Task _run = Task.CompletedTask;

        private RunningInformer(ScriptedSource source)
        {
            Informer = new Informer<V1ConfigMap>(source, NullLogger.Instance, TimeSpan.FromMinutes(5));
            Informer.Changed += m => Seen.Writer.TryWrite($"{m.Metadata.Name}@{m.Metadata.ResourceVersion}");
        }

        public Informer<V1ConfigMap> Informer { get; }

        public Channel<string> Seen { get; } = Channel.CreateUnbounded<string>();

        public static async Task<RunningInformer> StartAsync(ScriptedSource source)
        {
            var running = new RunningInformer(source);
            running._run = running.Informer.RunAsync(running._stop.Token);
            await running.Informer.WaitForSyncAsync(CancellationToken.None);
            return running;
        }

        public async ValueTask DisposeAsync()
        {
            await _stop.CancelAsync();
            await _run;
            _stop.Dispose();
        }
    }

    // Lists come from a queue; each watch reads events until the test fails it.
    private sealed class ScriptedSource : IListWatch<V1ConfigMap>
    {
        private bool _endAtOnce;
        private TaskCompletionSource<Exception> _failure = new(TaskCreationOptions.RunContinuationsAsynchronously);

        public Queue<List<V1ConfigMap>> Lists { get; } = new();

        public Channel<(WatchEventType, V1ConfigMap)> Events { get; private set; } = Channel.CreateUnbounded<(WatchEventType, V1ConfigMap)>();

        public int ListFailures { get; set; }

        // When set, every watch fails at once with it.
        public Exception? WatchFailure { get; set; }

        // When set, every watch ends at once with no event, as behind a proxy that closes streams.
        public bool WatchesEndAtOnce
        {
            get => Volatile.Read(ref _endAtOnce);
            set => Volatile.Write(ref _endAtOnce, value);
        }

        public string Description => "configmaps";

        public void Fail(Exception e) => _failure.TrySetResult(e);

        public Task<(IReadOnlyList<V1ConfigMap> Items, string? ResourceVersion)> ListAsync(CancellationToken cancellation)
        {
            if (ListFailures-- > 0)
            {
                throw new HttpRequestException("connection refused");
            }

            var items = Lists.Count > 1 ? Lists.Dequeue() : Lists.Peek();
            return Task.FromResult<(IReadOnlyList<V1ConfigMap>, string?)>((items, items.Max(i => i.Metadata.ResourceVersion)));
        }

        public async IAsyncEnumerable<(WatchEventType Type, V1ConfigMap Object)> WatchAsync(string? resourceVersion, int timeoutSeconds, [EnumeratorCancellation] CancellationToken cancellation)
        {
            if (WatchFailure is { } refused)
            {
                throw refused;
            }

            while (!WatchesEndAtOnce)
            {
                var next = Events.Reader.WaitToReadAsync(cancellation).AsTask();
                var failed = _failure.Task;
                if (await Task.WhenAny(next, failed) == failed)
                {
                    _failure = new TaskCompletionSource<Exception>(TaskCreationOptions.RunContinuationsAsynchronously);
                    Events = Channel.CreateUnbounded<(WatchEventType, V1ConfigMap)>();
                    throw failed.Result;
                }

                await next; // throws when cancelled

                while (Events.Reader.TryRead(out var item))
                {
                    yield return item;
                }
            }
        }
    }
}
