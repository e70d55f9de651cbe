using DistillOperator.Api.V1Alpha1;
using DistillOperator.Children;
using DistillOperator.Controllers;
using DistillOperator.Reconciliation;
using DistillOperator.Testing;
using k8s;

namespace DistillOperator.Tests;

/// <summary>What a 409 on a job's trainer ServiceAccount means, decided against the emulator through the real client.</summary>
public sealed class ChildConflictResolverTests
{
    [Fact]
    public async Task Only_the_live_job_of_a_name_clears_its_predecessors_objects_never_the_other_way_round()
    {
        await using var harness = await OperatorHarness.StartAsync(workloads: false);
        var live = await harness.CreateAsync(TestJobs.Named("twin").Build());
        var stale = TestJobs.Named("twin").With(j => j.Metadata.Uid = Guid.NewGuid().ToString()).Build();
        var resolver = new ChildConflictResolver(harness.Client);

        // A reconcile of the deleted predecessor, from a stale cache, finds the live job's ServiceAccount: it stays.
        await harness.Client.CoreV1.CreateNamespacedServiceAccountAsync(TrainerRbacBuilder.ServiceAccount(live), "default");
        var refused = await Assert.ThrowsAsync<ChildNameConflictException>(() => resolver.ResolveAsync(TrainerRbacBuilder.ServiceAccount(stale), CancellationToken.None));
        Assert.True(refused.LeftOver);
        var kept = await harness.Client.CoreV1.ReadNamespacedServiceAccountAsync("twin-trainer", "default");
        Assert.Equal(live.Metadata.Uid, Assert.Single(kept.Metadata.OwnerReferences).Uid);

        // The live job's own object is simply there.
        await resolver.ResolveAsync(TrainerRbacBuilder.ServiceAccount(live), CancellationToken.None);

        // The live job finds the predecessor's ServiceAccount: deleted, to be created again by the retry.
        await harness.Client.CoreV1.DeleteNamespacedServiceAccountAsync("twin-trainer", "default");
        await harness.Client.CoreV1.CreateNamespacedServiceAccountAsync(TrainerRbacBuilder.ServiceAccount(stale), "default");
        var cleared = await Assert.ThrowsAsync<ChildNameConflictException>(() => resolver.ResolveAsync(TrainerRbacBuilder.ServiceAccount(live), CancellationToken.None));
        Assert.True(cleared.LeftOver);
        Assert.Empty((await harness.Client.CoreV1.ListNamespacedServiceAccountAsync("default", labelSelector: "distill.dev/job=twin")).Items);
    }
}
