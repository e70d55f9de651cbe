using DistillOperator.Api.V1Alpha1;
using DistillOperator.Reconciliation;
using DistillOperator.Testing;

namespace DistillOperator.Tests;

/// <summary>Which job may write an output folder when two DistillationJobs name the same one.</summary>
public sealed class OutputClaimTests
{
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
    public void A_new_job_waits_for_a_running_job_with_the_same_output_even_a_younger_one()
    {
        var job = Job("new", Start, null, "pvc://models/students/shared");
        var running = Job("running", Start.AddMinutes(1), JobPhase.Running, "pvc://models/students/shared/");

        Assert.Equal("running", OutputClaim.HolderFor(job, job.Spec.Output.Uri, [job, running])?.Metadata.Name);
    }

    [Fact]
    public void Of_two_waiting_jobs_the_older_goes_first()
    {
        var older = Job("older", Start, JobPhase.Pending, "pvc://models/students/shared");
        var younger = Job("younger", Start.AddSeconds(1), null, "pvc://models/students/shared");

        Assert.Null(OutputClaim.HolderFor(older, older.Spec.Output.Uri, [older, younger]));
        Assert.Equal("older", OutputClaim.HolderFor(younger, younger.Spec.Output.Uri, [older, younger])?.Metadata.Name);
    }

    [Fact]
    public void Finished_deleted_and_unrelated_jobs_do_not_hold_the_output()
    {
        var job = Job("new", Start.AddHours(1), null, "pvc://models/students/shared");
        var succeeded = Job("succeeded", Start, JobPhase.Succeeded, "pvc://models/students/shared");
        var failed = Job("failed", Start, JobPhase.Failed, "pvc://models/students/shared");
        var deleting = Job("deleting", Start, JobPhase.Running, "pvc://models/students/shared");
        deleting.Metadata.DeletionTimestamp = Start.AddHours(1);
        var elsewhere = Job("elsewhere", Start, JobPhase.Running, "pvc://models/students/other");

        Assert.Null(OutputClaim.HolderFor(job, job.Spec.Output.Uri, [job, succeeded, failed, deleting, elsewhere]));
    }

    private static DistillationJob Job(string name, DateTime created, JobPhase? phase, string output) => TestJobs.Named(name).With(j =>
    {
        j.Metadata.CreationTimestamp = created;
        j.Spec.Output.Uri = output;
        j.Status = phase is null ? null : new DistillationJobStatus { Phase = phase };
    }).Build();
}
