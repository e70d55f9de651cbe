using System.Net;
using k8s;
using k8s.Autorest;
using k8s.Models;

namespace DistillOperator.Testing.Tests;

/// <summary>Faults the emulator injects on request, seen through the real client.</summary>
public sealed class FaultInjectionTests : IAsyncLifetime
{
    private readonly EmulatorFixture _fixture = new();

    private Kubernetes Client => _fixture.Client;

    public Task InitializeAsync() => _fixture.InitializeAsync();

    public Task DisposeAsync() => _fixture.DisposeAsync();

    [Theory]
    [InlineData(409)]
    [InlineData(429)]
    [InlineData(500)]
    public async Task The_next_matching_requests_fail_with_the_injected_code_and_later_ones_succeed(int code)
    {
        await Client.CoreV1.CreateNamespacedConfigMapAsync(new V1ConfigMap { Metadata = new V1ObjectMeta { Name = "target" } }, "default");
        _fixture.Emulator.Faults.FailNext(code, count: 2, method: "GET", pathContains: "/configmaps/target");

        var first = await Assert.ThrowsAsync<HttpOperationException>(() => Client.CoreV1.ReadNamespacedConfigMapAsync("target", "default"));
        var second = await Assert.ThrowsAsync<HttpOperationException>(() => Client.CoreV1.ReadNamespacedConfigMapAsync("target", "default"));
        var third = await Client.CoreV1.ReadNamespacedConfigMapAsync("target", "default");

        Assert.Equal((HttpStatusCode)code, first.Response.StatusCode);
        Assert.Equal((HttpStatusCode)code, second.Response.StatusCode);
        Assert.Equal("target", third.Metadata.Name);
    }

    [Fact]
    public async Task A_dropped_watch_ends_and_resuming_from_its_last_version_misses_nothing()
    {
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(20));
        var version = (await Client.CoreV1.ListNamespacedConfigMapAsync("default")).Metadata.ResourceVersion;
        var seen = new List<string>();
        var ended = Task.Run(async () =>
        {
            await foreach (var (type, map) in Client.CoreV1.WatchListNamespacedConfigMapAsync("default", resourceVersion: version, cancellationToken: timeout.Token))
            {
                seen.Add(map.Metadata.Name);
                version = map.Metadata.ResourceVersion;
            }
        });
        await Client.CoreV1.CreateNamespacedConfigMapAsync(new V1ConfigMap { Metadata = new V1ObjectMeta { Name = "before-drop" } }, "default");
        while (seen.Count == 0)
        {
            await Task.Delay(10, timeout.Token);
        }

        _fixture.Emulator.Faults.DropWatches();
        await ended;
        await Client.CoreV1.CreateNamespacedConfigMapAsync(new V1ConfigMap { Metadata = new V1ObjectMeta { Name = "after-drop" } }, "default");
        await foreach (var (_, map) in Client.CoreV1.WatchListNamespacedConfigMapAsync("default", resourceVersion: version, cancellationToken: timeout.Token))
        {
            seen.Add(map.Metadata.Name);
            break;
        }

        Assert.Equal(["before-drop", "after-drop"], seen);
    }

    [Fact]
    public async Task A_delayed_request_is_served_after_the_delay_and_sees_writes_made_meanwhile()
    {
        _fixture.Emulator.Faults.Delay(TimeSpan.FromSeconds(1), count: 1, method: "GET", pathContains: "/configmaps");

        var delayedList = Client.CoreV1.ListNamespacedConfigMapAsync("default");
        await Client.CoreV1.CreateNamespacedConfigMapAsync(new V1ConfigMap { Metadata = new V1ObjectMeta { Name = "written-meanwhile" } }, "default");
        var list = await delayedList;

        Assert.Contains(list.Items, i => i.Metadata.Name == "written-meanwhile");
    }
}
