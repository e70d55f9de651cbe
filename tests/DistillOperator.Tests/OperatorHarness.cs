using System.Text.Json;
using DistillOperator.Api.Schema;
using DistillOperator.Api.V1Alpha1;
using DistillOperator.Children;
using DistillOperator.Controllers;
using DistillOperator.Hosting;
using DistillOperator.Testing;
using DistillOperator.Testing.Emulator;
using DistillOperator.Testing.Emulator.Workloads;
using k8s;
using k8s.Models;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging.Abstractions;

namespace DistillOperator.Tests;

/// <summary>
/// An emulated cluster with the CRD installed, a Job controller and a scripted kubelet, and operator replicas
/// running in this process through the real KubernetesClient and HTTP.
/// </summary>
public sealed class OperatorHarness : IAsyncDisposable
{
    private readonly List<WebApplication> _replicas = [];
    private readonly string _folder;

    private OperatorHarness(KubernetesEmulator emulator, string folder)
    {
        Emulator = emulator;
        _folder = folder;
        Client = emulator.CreateClient();
    }

    /// <summary>The API emulator.</summary>
    public KubernetesEmulator Emulator { get; }

    /// <summary>An administrator's client, for the test's own reads and writes.</summary>
    public Kubernetes Client { get; }

    /// <summary>The Job controller and kubelet, when started.</summary>
    public WorkloadLoop? Workloads { get; private set; }

    /// <summary>The scripted kubelet.</summary>
    public ScriptedKubelet Kubelet => Workloads!.Kubelet;

    /// <summary>A temporary folder that goes with the harness.</summary>
    public string Folder => _folder;

    /// <summary>Starts the emulator with the CRD and, unless <paramref name="workloads"/> is false, a scripted kubelet.</summary>
    public static async Task<OperatorHarness> StartAsync(bool workloads = true)
    {
        var emulator = await KubernetesEmulator.StartAsync();
        var harness = new OperatorHarness(emulator, Directory.CreateTempSubdirectory("distill-operator-").FullName);
        await CommittedCrd.InstallAsync(harness.Client);
        if (workloads)
        {
            harness.Workloads = new WorkloadLoop(emulator.Store);
        }

        return harness;
    }

    /// <summary>Options for a replica talking to the emulator as <paramref name="token"/>.</summary>
    public OperatorOptions Options(string? token = null, string identity = "operator-0")
    {
        var kubeconfig = Path.Combine(_folder, $"kubeconfig-{identity}-{Guid.NewGuid():N}");
        Emulator.WriteKubeconfig(kubeconfig, token ?? KubernetesEmulator.AdminToken);
        return new OperatorOptions { Kubeconfig = kubeconfig, MetricsPort = 0, Identity = identity, Resync = TimeSpan.FromSeconds(30), LeaseDuration = TimeSpan.FromSeconds(3), Workers = 2 };
    }

    /// <summary>Starts an operator replica.</summary>
    public async Task<WebApplication> StartOperatorAsync(OperatorOptions? options = null, TimeProvider? time = null)
    {
        var app = OperatorHost.Build(options ?? Options(), time);
        await app.StartAsync();
        _replicas.Add(app);
        return app;
    }

    /// <summary>Stops a replica as a rollout would (graceful shutdown).</summary>
    public async Task StopOperatorAsync(WebApplication app)
    {
        ArgumentNullException.ThrowIfNull(app);
        _replicas.Remove(app);
        await app.StopAsync();
        await app.DisposeAsync();
    }

    /// <summary>The replica's http://127.0.0.1:PORT for /metrics, /healthz and /readyz.</summary>
    public static Uri Address(WebApplication app)
    {
        ArgumentNullException.ThrowIfNull(app);
        var address = app.Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()!.Addresses.First();
        return new Uri(address.Replace("0.0.0.0", "127.0.0.1", StringComparison.Ordinal).Replace("[::]", "127.0.0.1", StringComparison.Ordinal));
    }

    /// <summary>The replica's state (leading, synced).</summary>
    public static OperatorState State(WebApplication app) => app.Services.GetRequiredService<OperatorState>();

    /// <summary>
    /// The operator's view of the cluster over the administrator's client, with informers that are never run: their
    /// caches hold only what this view wrote itself, so a test sees exactly what the operator's own writes remember.
    /// </summary>
    public KubernetesDistillationCluster ClusterWithIdleInformers() => new(
        Client,
        new InformerSet<DistillationJob>([(null, new Informer<DistillationJob>(ListWatches.DistillationJobs(Client, null), NullLogger.Instance, TimeSpan.FromMinutes(10)))]),
        new InformerSet<V1Job>([(null, new Informer<V1Job>(ListWatches.Jobs(Client, null, RunNames.JobLabel), NullLogger.Instance, TimeSpan.FromMinutes(10)))]),
        new InformerSet<V1Pod>([(null, new Informer<V1Pod>(ListWatches.Pods(Client, null, RunNames.JobLabel), NullLogger.Instance, TimeSpan.FromMinutes(10)))]),
        new EventRecorder(Client, "test", TimeProvider.System, NullLogger.Instance));

    /// <summary>Creates a DistillationJob as a user would.</summary>
    public async Task<DistillationJob> CreateAsync(DistillationJob job)
    {
        ArgumentNullException.ThrowIfNull(job);
        job.Metadata.Generation = null;
        return await Client.CustomObjects.CreateNamespacedCustomObjectAsync<DistillationJob>(job, ApiGroup.Name, ApiGroup.Version, job.Metadata.NamespaceProperty, DistillationJob.Plural);
    }

    /// <summary>
    /// What an earlier DistillationJob of this name left behind when the garbage collector has not run yet: its
    /// trainer ServiceAccount, Role and RoleBinding, and its generation-1 spec ConfigMap (with a seed of 999), all owned
    /// by a uid that no longer exists. Returns that uid.
    /// </summary>
    public async Task<string> CreateLeftOversAsync(string name, string ns = "default")
    {
        var earlier = TestJobs.Named(name).With(j =>
        {
            j.Metadata.NamespaceProperty = ns;
            j.Metadata.Uid = Guid.NewGuid().ToString();
            j.Spec.Training.Seed = 999;
        }).Build();
        await Client.CoreV1.CreateNamespacedServiceAccountAsync(TrainerRbacBuilder.ServiceAccount(earlier), ns);
        await Client.RbacAuthorizationV1.CreateNamespacedRoleAsync(TrainerRbacBuilder.Role(earlier), ns);
        await Client.RbacAuthorizationV1.CreateNamespacedRoleBindingAsync(TrainerRbacBuilder.RoleBinding(earlier), ns);
        await Client.CoreV1.CreateNamespacedConfigMapAsync(RunSpecBuilder.Build(earlier), ns);
        return earlier.Metadata.Uid;
    }

    /// <summary>The DistillationJob, or null when it does not exist.</summary>
    public async Task<DistillationJob?> GetAsync(string name, string ns = "default")
    {
        try
        {
            return await Client.CustomObjects.GetNamespacedCustomObjectAsync<DistillationJob>(ApiGroup.Name, ApiGroup.Version, ns, DistillationJob.Plural, name);
        }
        catch (k8s.Autorest.HttpOperationException e) when (e.Response.StatusCode == System.Net.HttpStatusCode.NotFound)
        {
            return null;
        }
    }

    /// <summary>Merge-patches the job's spec (a user's edit, a GitOps sync).</summary>
    public Task PatchSpecAsync(string name, object spec, string ns = "default") =>
        Client.CustomObjects.PatchNamespacedCustomObjectAsync(new V1Patch(JsonSerializer.Serialize(new { spec }), V1Patch.PatchType.MergePatch), ApiGroup.Name, ApiGroup.Version, ns, DistillationJob.Plural, name);

    /// <summary>Polls the job until <paramref name="done"/> holds; fails with its status after <paramref name="timeout"/>.</summary>
    public async Task<DistillationJob> WaitAsync(string name, Func<DistillationJob, bool> done, TimeSpan? timeout = null, string ns = "default")
    {
        ArgumentNullException.ThrowIfNull(done);
        var deadline = DateTime.UtcNow + (timeout ?? TimeSpan.FromSeconds(30));
        while (true)
        {
            var job = await GetAsync(name, ns);
            if (job is not null && done(job))
            {
                return job;
            }

            if (DateTime.UtcNow > deadline)
            {
                throw new TimeoutException($"DistillationJob {ns}/{name} did not get there: {(job is null ? "it does not exist" : job.Status is null ? "no status" : KubernetesJson.Serialize(job.Status))}");
            }

            await Task.Delay(25);
        }
    }

    /// <summary>Waits until the job is in <paramref name="phase"/>.</summary>
    public Task<DistillationJob> WaitForPhaseAsync(string name, JobPhase phase, TimeSpan? timeout = null) =>
        WaitAsync(name, j => j.Status?.Phase == phase, timeout);

    /// <summary>The batch/v1 Jobs of a DistillationJob.</summary>
    public async Task<IList<V1Job>> RunsAsync(string name, string ns = "default") =>
        (await Client.BatchV1.ListNamespacedJobAsync(ns, labelSelector: $"distill.dev/job={name}")).Items;

    /// <summary>
    /// The Events about a DistillationJob, oldest first, once they have settled (the operator writes them in the
    /// background: the list is read until it stays the same for 300 ms, at most 10 s).
    /// </summary>
    public async Task<IList<Corev1Event>> EventsAsync(string name, string ns = "default")
    {
        var deadline = DateTime.UtcNow.AddSeconds(10);
        List<Corev1Event> events = [];
        var stable = 0;
        while (stable < 3 && DateTime.UtcNow < deadline)
        {
            var now = (await Client.CoreV1.ListNamespacedEventAsync(ns)).Items.Where(e => e.InvolvedObject?.Name == name).OrderBy(e => e.Metadata.ResourceVersion.PadLeft(20, '0'), StringComparer.Ordinal).ToList();
            stable = now.Count == events.Count && now.Count > 0 ? stable + 1 : 0;
            events = now;
            await Task.Delay(100);
        }

        return events;
    }

    /// <summary>Polls the job's Events until one with <paramref name="reason"/> appears; fails after <paramref name="timeout"/> (30 s).</summary>
    public async Task<Corev1Event> WaitForEventAsync(string name, string reason, TimeSpan? timeout = null, string ns = "default")
    {
        var deadline = DateTime.UtcNow + (timeout ?? TimeSpan.FromSeconds(30));
        while (true)
        {
            if ((await EventsAsync(name, ns)).FirstOrDefault(e => e.Reason == reason) is { } found)
            {
                return found;
            }

            Assert.True(DateTime.UtcNow < deadline, $"no {reason} event about {ns}/{name}");
            await Task.Delay(50);
        }
    }

    /// <summary>The running pods of a DistillationJob.</summary>
    public async Task<IList<V1Pod>> PodsAsync(string name, string ns = "default") =>
        (await Client.CoreV1.ListNamespacedPodAsync(ns, labelSelector: $"distill.dev/job={name}")).Items;

    /// <inheritdoc />
    public async ValueTask DisposeAsync()
    {
        foreach (var app in _replicas.ToList())
        {
            await StopOperatorAsync(app);
        }

        if (Workloads is not null)
        {
            await Workloads.DisposeAsync();
        }

        Client.Dispose();
        await Emulator.DisposeAsync();
        try
        {
            Directory.Delete(_folder, recursive: true);
        }
        catch (IOException)
        {
        }
    }
}
