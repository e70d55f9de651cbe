using DistillOperator.Api.V1Alpha1;
using DistillOperator.Children;
using DistillOperator.Reconciliation;
using DistillOperator.Testing;
using k8s.Models;

namespace DistillOperator.Tests;

/// <summary>Which job may write an output folder when two DistillationJobs name the same one.</summary>
public sealed class OutputClaimTests
{
    private const string Shared = "pvc://models/students/shared";
    private static readonly DateTime Start = new(2026, 12, 3, 12, 0, 0, DateTimeKind.Utc);

    [Theory]
    [InlineData("pvc://models/students/a", "pvc://models/students/a", true)]
    [InlineData("pvc://models/students/a/", "pvc://models//students/./a", true)]
    [InlineData("pvc://models/students", "pvc://models/students/a", true)]
    [InlineData("pvc://models/students/a/best", "pvc://models/students/a", true)]
    [InlineData("pvc://models/students/a", "pvc://models/students/ab", false)]
    [InlineData("pvc://models/students/a", "pvc://other/students/a", false)]
    public void Outputs_overlap_when_they_are_the_same_folder_or_one_holds_the_other(string a, string b, bool overlap)
    {
        Assert.Equal(overlap, OutputClaim.Overlap(a, b));
        Assert.Equal(overlap, OutputClaim.Overlap(b, a));
    }

    [Fact]
    public void An_unfinished_trainer_job_of_another_job_holds_the_output_even_when_that_job_is_younger_and_queued()
    {
        var job = Job("older", Start, null, Shared);
        var queued = Job("younger", Start.AddMinutes(1), JobPhase.Queued, Shared + "/");

        var holder = OutputClaim.HolderFor(job, Shared, new([job, queued], [Run("younger-g1", "younger", Shared, finished: false)], []));

        Assert.Equal($"trainer Job younger-g1 of DistillationJob younger writes to {Shared} and has not finished", holder);
    }

    [Fact]
    public void A_stopping_trainer_pod_holds_the_output_after_its_job_and_run_are_gone()
    {
        var job = Job("next", Start, null, Shared);
        var stopping = Pod("deleted-g1-x", "deleted", Shared, "Running");
        stopping.Metadata.DeletionTimestamp = Start;

        Assert.Equal($"trainer pod deleted-g1-x of DistillationJob deleted still writes to {Shared}", OutputClaim.HolderFor(job, Shared, new([job], [], [stopping])));
        Assert.Null(OutputClaim.HolderFor(job, Shared, new([job], [], [Pod("deleted-g1-x", "deleted", Shared, "Failed")])));
    }

    [Fact]
    public void A_run_without_the_annotation_is_matched_through_its_distillation_jobs_output()
    {
        var job = Job("next", Start, null, Shared);
        var other = Job("upgraded", Start.AddHours(1), JobPhase.Running, Shared);
        var run = Run("upgraded-g1", "upgraded", null, finished: false);

        Assert.NotNull(OutputClaim.HolderFor(job, Shared, new([job, other], [run], [])));
    }

    [Fact]
    public void Of_two_jobs_without_runs_the_older_goes_first()
    {
        var older = Job("older", Start, JobPhase.Pending, Shared);
        var younger = Job("younger", Start.AddSeconds(1), null, Shared);
        var jobs = new NamespaceWorkloads([older, younger], [], []);

        Assert.Null(OutputClaim.HolderFor(older, Shared, jobs));
        Assert.Equal($"DistillationJob older, created earlier, writes to {Shared} and has not finished", OutputClaim.HolderFor(younger, Shared, jobs));
    }

    [Fact]
    public void Finished_runs_and_finished_suspended_deleted_or_unrelated_jobs_do_not_hold_the_output()
    {
        var job = Job("new", Start.AddHours(1), null, Shared);
        var succeeded = Job("succeeded", Start, JobPhase.Succeeded, Shared);
        var failed = Job("failed", Start, JobPhase.Failed, Shared);
        var suspended = Job("suspended", Start, JobPhase.Suspended, Shared);
        var deleting = Job("deleting", Start, JobPhase.Pending, Shared);
        deleting.Metadata.DeletionTimestamp = Start.AddHours(1);
        var elsewhere = Job("elsewhere", Start, JobPhase.Running, "pvc://models/students/other");
        var workloads = new NamespaceWorkloads(
            [job, succeeded, failed, suspended, deleting, elsewhere],
            [Run("succeeded-g1", "succeeded", Shared, finished: true), Run("elsewhere-g1", "elsewhere", "pvc://models/students/other", finished: false), Run("new-g0", "new", Shared, finished: false)],
            [Pod("succeeded-g1-a", "succeeded", Shared, "Succeeded"), Pod("elsewhere-g1-a", "elsewhere", "pvc://models/students/other", "Running")]);

        Assert.Null(OutputClaim.HolderFor(job, Shared, workloads));
    }

    private static DistillationJob Job(string name, DateTime created, JobPhase? phase, string output) => TestJobs.Named(name).With(j =>
    {
        j.Metadata.CreationTimestamp = created;
        j.Spec.Output.Uri = output;
        j.Status = phase is null ? null : new DistillationJobStatus { Phase = phase };
    }).Build();

    private static V1Job Run(string name, string job, string? output, bool finished) => new()
    {
        Metadata = Meta(name, job, output),
        Status = finished ? new V1JobStatus { Conditions = [new V1JobCondition { Type = "Complete", Status = "True" }] } : new V1JobStatus(),
    };

    private static V1Pod Pod(string name, string job, string output, string phase) => new()
    {
        Metadata = Meta(name, job, output),
        Status = new V1PodStatus { Phase = phase },
    };

    private static V1ObjectMeta Meta(string name, string job, string? output) => new()
    {
        Name = name,
        NamespaceProperty = "default",
        Labels = new Dictionary<string, string> { [RunNames.JobLabel] = job },
        Annotations = output is null ? null : new Dictionary<string, string> { [TrainerJobBuilder.OutputAnnotation] = output },
    };
}

/// <summary>Two reconcile workers starting runs on one output at the same moment.</summary>
public sealed class OutputStartsTests
{
    [Fact]
    public async Task While_one_start_is_in_flight_another_on_an_overlapping_output_waits_and_after_it_ends_the_cache_decides()
    {
        var starts = new OutputStarts();
        var a = new DistillOperator.Controllers.ObjectKey("default", "a");
        var b = new DistillOperator.Controllers.ObjectKey("default", "b");
        var elsewhere = new DistillOperator.Controllers.ObjectKey("other", "c");
        Task<string?> Free() => Task.FromResult<string?>(null);

        Assert.Null(await starts.TryBeginAsync(a, "pvc://models/students/shared", Free, CancellationToken.None));
        Assert.Equal("DistillationJob a is starting a trainer that writes to pvc://models/students/shared", await starts.TryBeginAsync(b, "pvc://models/students/shared/b", Free, CancellationToken.None));
        Assert.Null(await starts.TryBeginAsync(elsewhere, "pvc://models/students/shared", Free, CancellationToken.None)); // another namespace: another claim

        starts.End(a);
        Assert.Equal("trainer Job a-g1 …", await starts.TryBeginAsync(b, "pvc://models/students/shared/b", () => Task.FromResult<string?>("trainer Job a-g1 …"), CancellationToken.None));
        Assert.Null(await starts.TryBeginAsync(b, "pvc://models/students/shared/b", Free, CancellationToken.None));
    }
}
