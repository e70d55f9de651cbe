using DistillOperator.Testing.Emulator.Workloads;
using k8s;
using k8s.Models;

namespace DistillOperator.Testing.Tests;

/// <summary>The emulator's Job controller and scripted kubelet, driven through the real client.</summary>
public sealed class JobControllerTests : IAsyncLifetime
{
    private readonly EmulatorFixture _fixture = new();
    private readonly ManualClock _clock = new(DateTimeOffset.Parse("2026-11-28T00:00:00Z", System.Globalization.CultureInfo.InvariantCulture));
    private WorkloadLoop _workloads = null!;

    private Kubernetes Client => _fixture.Client;

    public async Task InitializeAsync()
    {
        await _fixture.InitializeAsync();
        _workloads = new WorkloadLoop(_fixture.Emulator.Store, _clock);
    }

    public async Task DisposeAsync()
    {
        await _workloads.DisposeAsync();
        await _fixture.DisposeAsync();
    }

    private static V1Job Job(string name, int backoffLimit = 3, long? deadline = null, bool suspend = false) => new()
    {
        Metadata = new V1ObjectMeta { Name = name },
        Spec = new V1JobSpec
        {
            BackoffLimit = backoffLimit,
            ActiveDeadlineSeconds = deadline,
            Suspend = suspend,
            PodFailurePolicy = new V1PodFailurePolicy
            {
                Rules =
                [
                    new V1PodFailurePolicyRule { Action = "FailJob", OnExitCodes = new V1PodFailurePolicyOnExitCodesRequirement { OperatorProperty = "In", Values = [2] } },
                    new V1PodFailurePolicyRule { Action = "Ignore", OnPodConditions = [new V1PodFailurePolicyOnPodConditionsPattern { Type = "DisruptionTarget", Status = "True" }] },
                ],
            },
            Template = new V1PodTemplateSpec
            {
                Metadata = new V1ObjectMeta { Labels = new Dictionary<string, string> { ["app"] = "trainer" } },
                Spec = new V1PodSpec { RestartPolicy = "Never", Containers = [new V1Container { Name = "trainer", Image = "distill-trainer" }] },
            },
        },
    };

    private Task<V1Job> WaitFor(string name, Func<V1Job, bool> done) => JobWait.Until(Client, name, "default", done, TimeSpan.FromSeconds(15));

    private static bool Has(V1Job job, string type) => JobWait.HasCondition(job, type);

    private async Task<IList<V1Pod>> Pods(string job) => (await Client.CoreV1.ListNamespacedPodAsync("default", labelSelector: $"job-name={job}")).Items;

    [Fact]
    public async Task A_job_gets_a_pod_owned_by_it_and_completes_when_the_pod_succeeds()
    {
        await Client.BatchV1.CreateNamespacedJobAsync(Job("ok"), "default");

        var job = await WaitFor("ok", j => Has(j, "Complete"));

        Assert.Equal(1, job.Status.Succeeded);
        Assert.NotNull(job.Status.CompletionTime);
        var pod = Assert.Single(await Pods("ok"));
        Assert.Equal("trainer", pod.Metadata.Labels["app"]);
        Assert.Equal(job.Metadata.Uid, Assert.Single(pod.Metadata.OwnerReferences).Uid);
    }

    [Fact]
    public async Task Exit_code_2_fails_the_job_at_once_through_the_pod_failure_policy()
    {
        _workloads.Kubelet.Decide = _ => new PodOutcome.Exit(2, "bad input");
        await Client.BatchV1.CreateNamespacedJobAsync(Job("bad-input"), "default");

        var job = await WaitFor("bad-input", j => Has(j, "Failed"));

        Assert.Equal("PodFailurePolicy", job.Status.Conditions.Single(c => c.Type == "Failed").Reason);
        Assert.Equal(1, job.Status.Failed); // a FailJob pod counts as failed; only Ignore rules leave the count alone
        Assert.Single(await Pods("bad-input"));
    }

    [Fact]
    public async Task Crashes_are_retried_up_to_the_backoff_limit_then_the_job_fails()
    {
        _workloads.Kubelet.Decide = _ => new PodOutcome.Exit(1);
        await Client.BatchV1.CreateNamespacedJobAsync(Job("crashing", backoffLimit: 2), "default");

        var job = await WaitFor("crashing", j => Has(j, "Failed"));

        Assert.Equal("BackoffLimitExceeded", job.Status.Conditions.Single(c => c.Type == "Failed").Reason);
        Assert.Equal(3, job.Status.Failed);
        Assert.Equal(3, (await Pods("crashing")).Count);
    }

    [Fact]
    public async Task An_evicted_pod_is_replaced_without_counting_against_the_backoff_limit()
    {
        var evictions = 0;
        _workloads.Kubelet.Decide = _ => Interlocked.Increment(ref evictions) <= 2 ? new PodOutcome.Evict() : new PodOutcome.Succeed();
        await Client.BatchV1.CreateNamespacedJobAsync(Job("preempted", backoffLimit: 0), "default");

        var job = await WaitFor("preempted", j => Has(j, "Complete"));

        Assert.Equal(0, job.Status.Failed ?? 0);
        Assert.Equal(3, (await Pods("preempted")).Count);
    }

    [Fact]
    public async Task Suspending_deletes_the_running_pod_and_resuming_starts_a_new_one()
    {
        _workloads.Kubelet.Decide = _ => new PodOutcome.KeepRunning();
        await Client.BatchV1.CreateNamespacedJobAsync(Job("pausable"), "default");
        await WaitFor("pausable", j => j.Status?.Active == 1);
        var first = Assert.Single(await Pods("pausable")).Metadata.Name;

        await Client.BatchV1.PatchNamespacedJobAsync(new V1Patch("""{"spec": {"suspend": true}}""", V1Patch.PatchType.MergePatch), "pausable", "default");
        var suspended = await WaitFor("pausable", j => Has(j, "Suspended"));
        Assert.Empty(await Pods("pausable"));

        await Client.BatchV1.PatchNamespacedJobAsync(new V1Patch("""{"spec": {"suspend": false}}""", V1Patch.PatchType.MergePatch), "pausable", "default");
        await WaitFor("pausable", j => j.Status?.Active == 1 && !Has(j, "Suspended"));

        Assert.Equal(0, suspended.Status.Active);
        Assert.NotEqual(first, Assert.Single(await Pods("pausable")).Metadata.Name);
    }

    [Fact]
    public async Task A_job_past_its_active_deadline_fails_and_its_pod_is_deleted()
    {
        _workloads.Kubelet.Decide = _ => new PodOutcome.KeepRunning();
        await Client.BatchV1.CreateNamespacedJobAsync(Job("slow", deadline: 600), "default");
        await WaitFor("slow", j => j.Status?.Active == 1);

        _clock.Advance(TimeSpan.FromSeconds(601));
        var job = await WaitFor("slow", j => Has(j, "Failed"));

        Assert.Equal("DeadlineExceeded", job.Status.Conditions.Single(c => c.Type == "Failed").Reason);
        Assert.Empty(await Pods("slow"));
    }
}
