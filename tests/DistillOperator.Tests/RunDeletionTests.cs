using DistillOperator.Children;
using DistillOperator.Testing;

namespace DistillOperator.Tests;

/// <summary>A run the operator deleted is seen as going away by its next reconcile, before any watch reports it.</summary>
public sealed class RunDeletionTests
{
    [Fact]
    public async Task A_deleted_run_is_remembered_as_being_deleted_so_the_next_reconcile_does_not_delete_and_announce_it_again()
    {
        await using var harness = await OperatorHarness.StartAsync(workloads: false);
        var cluster = harness.ClusterWithIdleInformers();
        var job = await harness.CreateAsync(TestJobs.Named("replaced").Build());
        Assert.True(await cluster.CreateAsync(TrainerJobBuilder.Build(job, new TrainerSettings("trainer:1", "IfNotPresent")), CancellationToken.None));
        var run = Assert.Single(await cluster.ListRunsAsync(job, CancellationToken.None));
        Assert.Null(run.Metadata.DeletionTimestamp);

        await cluster.DeleteRunAsync(run, CancellationToken.None);

        var after = Assert.Single(await cluster.ListRunsAsync(job, CancellationToken.None));
        Assert.NotNull(after.Metadata.DeletionTimestamp);
    }
}
