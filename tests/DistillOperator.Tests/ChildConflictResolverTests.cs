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

    [Fact]
    public async Task A_predecessors_object_held_by_a_finalizer_is_named_with_the_finalizer_for_a_person_not_retried_silently()
    {
        await using var harness = await OperatorHarness.StartAsync(workloads: false);
        var live = await harness.CreateAsync(TestJobs.Named("held").Build());
        var earlier = TestJobs.Named("held").With(j => j.Metadata.Uid = Guid.NewGuid().ToString()).Build();
        var leftOver = TrainerRbacBuilder.ServiceAccount(earlier);
        leftOver.Metadata.Finalizers = ["backup.example.com/snapshot"];
        await harness.Client.CoreV1.CreateNamespacedServiceAccountAsync(leftOver, "default");
        var resolver = new ChildConflictResolver(harness.Client);

        // The first look deletes it; the finalizer keeps it, being deleted, and the next look says what holds it.
        var deleted = await Assert.ThrowsAsync<ChildNameConflictException>(() => resolver.ResolveAsync(TrainerRbacBuilder.ServiceAccount(live), CancellationToken.None));
        Assert.True(deleted.LeftOver);
        var held = await Assert.ThrowsAsync<ChildNameConflictException>(() => resolver.ResolveAsync(TrainerRbacBuilder.ServiceAccount(live), CancellationToken.None));

        Assert.False(held.LeftOver); // recorded as a NameConflict event, retried with back-off
        Assert.Contains("finalizer(s) backup.example.com/snapshot hold it", held.Message, StringComparison.Ordinal);
        Assert.NotNull((await harness.Client.CoreV1.ReadNamespacedServiceAccountAsync("held-trainer", "default")).Metadata.DeletionTimestamp);
    }
}
