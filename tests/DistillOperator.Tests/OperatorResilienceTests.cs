using k8s;
using DistillOperator.Api.V1Alpha1;
using DistillOperator.Testing;
using DistillOperator.Testing.Emulator.Workloads;

namespace DistillOperator.Tests;

/// <summary>The operator against a cluster that misbehaves: restarts, dropped watches, 410 Gone, 409 and 500 answers, two replicas.</summary>
public sealed class OperatorResilienceTests
{
    private const string ResultMessage = """{"studentAccuracy":0.9}""";

    [Fact]
    public async Task An_operator_restart_mid_run_creates_no_second_job_and_keeps_the_status()
    {
        await using var harness = await OperatorHarness.StartAsync();
        harness.Kubelet.Decide = _ => new PodOutcome.KeepRunning();
        var first = await harness.StartOperatorAsync();
        await harness.CreateAsync(TestJobs.Named("longrun").Build());
        var before = await harness.WaitForPhaseAsync("longrun", JobPhase.Running);

        await harness.StopOperatorAsync(first);
        await harness.StartOperatorAsync(harness.Options(identity: "operator-1"));
        await Task.Delay(1000); // give the new replica time to do anything wrong
        var after = await harness.WaitForPhaseAsync("longrun", JobPhase.Running);

        Assert.Single(await harness.RunsAsync("longrun"));
        Assert.Single(await harness.PodsAsync("longrun"));
        Assert.Equal(before.Status!.StartTime, after.Status!.StartTime);
        Assert.Equal(before.Status.TrainerJob, after.Status.TrainerJob);
        Assert.Equal(before.Status.Conditions!.Select(c => (c.Type, c.Status, c.LastTransitionTime)), after.Status.Conditions!.Select(c => (c.Type, c.Status, c.LastTransitionTime)));
        Assert.Single(await harness.EventsAsync("longrun"), e => e.Reason == "RunCreated");

        var pod = Assert.Single(await harness.PodsAsync("longrun"));
        harness.Kubelet.Finish("default", pod.Metadata.Name, new PodOutcome.Succeed(ResultMessage));
        await harness.WaitForPhaseAsync("longrun", JobPhase.Succeeded);
    }

    [Fact]
    public async Task Dropped_watches_expired_versions_and_failing_writes_are_survived()
    {
        await using var harness = await OperatorHarness.StartAsync();
        harness.Kubelet.Decide = _ => new PodOutcome.KeepRunning();
        await harness.StartOperatorAsync();

        // The first status writes and the first Job create fail; the operator retries with back-off.
        harness.Emulator.Faults.FailNext(500, 2, "PATCH", "/status");
        harness.Emulator.Faults.FailNext(409, 1, "POST", "/jobs");
        await harness.CreateAsync(TestJobs.Named("stormy").Build());
        await harness.WaitForPhaseAsync("stormy", JobPhase.Running);

        // Every watch drops, and the history they would resume from is gone (410 Gone on the next watch).
        harness.Emulator.Store.CompactHistory();
        harness.Emulator.Faults.DropWatches();
        harness.Emulator.Faults.FailNext(500, 3, "GET", "/jobs");
        var pod = Assert.Single(await harness.PodsAsync("stormy"));
        harness.Kubelet.Finish("default", pod.Metadata.Name, new PodOutcome.Succeed(ResultMessage));
        await harness.WaitForPhaseAsync("stormy", JobPhase.Succeeded);

        harness.Emulator.Faults.DropWatches();
        harness.Kubelet.Decide = _ => new PodOutcome.Succeed(ResultMessage);
        await harness.CreateAsync(TestJobs.Named("after-the-storm").Build());
        await harness.WaitForPhaseAsync("after-the-storm", JobPhase.Succeeded);
        Assert.Single(await harness.RunsAsync("stormy"));
    }

    [Fact]
    public async Task Of_two_replicas_one_leads_and_the_other_takes_over_when_it_goes()
    {
        await using var harness = await OperatorHarness.StartAsync();
        harness.Kubelet.Decide = _ => new PodOutcome.KeepRunning();
        var options0 = harness.Options(identity: "replica-0");
        var options1 = harness.Options(identity: "replica-1");
        options0.LeaderElection = options1.LeaderElection = true;
        var replica0 = await harness.StartOperatorAsync(options0);
        var replica1 = await harness.StartOperatorAsync(options1);

        var deadline = DateTime.UtcNow.AddSeconds(20);
        while (!(OperatorHarness.State(replica0).Leading ^ OperatorHarness.State(replica1).Leading))
        {
            Assert.True(DateTime.UtcNow < deadline, "no single leader was elected");
            await Task.Delay(50);
        }

        var (leader, follower) = OperatorHarness.State(replica0).Leading ? (replica0, replica1) : (replica1, replica0);
        var lease = await harness.Client.CoordinationV1.ReadNamespacedLeaseAsync("distill-operator", "default");
        Assert.Equal(leader == replica0 ? "replica-0" : "replica-1", lease.Spec.HolderIdentity);
        await harness.CreateAsync(TestJobs.Named("ha").Build());
        await harness.WaitForPhaseAsync("ha", JobPhase.Running);
        Assert.False(OperatorHarness.State(follower).Leading);

        await harness.StopOperatorAsync(leader);
        deadline = DateTime.UtcNow.AddSeconds(30);
        while (!OperatorHarness.State(follower).Leading)
        {
            Assert.True(DateTime.UtcNow < deadline, "the standby replica did not take over");
            await Task.Delay(50);
        }

        var pod = Assert.Single(await harness.PodsAsync("ha"));
        harness.Kubelet.Finish("default", pod.Metadata.Name, new PodOutcome.Succeed(ResultMessage));
        await harness.WaitForPhaseAsync("ha", JobPhase.Succeeded, TimeSpan.FromSeconds(30));
        Assert.Single(await harness.RunsAsync("ha"));
    }
}
