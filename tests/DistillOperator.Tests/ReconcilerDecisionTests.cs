using System.Text.Json.Nodes;
using DistillOperator.Api.V1Alpha1;
using DistillOperator.Children;
using DistillOperator.Controllers;
using DistillOperator.Metrics;
using DistillOperator.Reconciliation;
using DistillOperator.Status;
using DistillOperator.Testing;
using k8s;
using k8s.Models;
using Microsoft.Extensions.Logging.Abstractions;
using Moq;

namespace DistillOperator.Tests;

/// <summary>The reconciler's decisions, with the cluster mocked and the clock in the test's hand.</summary>
public sealed class ReconcilerDecisionTests : IDisposable
{
    private static readonly DateTimeOffset Start = new(2026, 11, 28, 12, 0, 0, TimeSpan.Zero);
    private static readonly ObjectKey Key = new("default", "job");
    private readonly Mock<IDistillationCluster> _cluster = new(MockBehavior.Strict);
    private readonly ManualClock _clock = new(Start);
    private readonly OperatorMetrics _metrics = new();
    private readonly List<JsonObject> _patches = [];
    private readonly List<(string Type, string Reason, string Message)> _events = [];
    private readonly List<IKubernetesObject<V1ObjectMeta>> _created = [];
    private readonly List<V1Job> _runs = [];
    private readonly List<V1Pod> _pods = [];
    private readonly List<V1Pod> _predecessorPods = [];
    private readonly List<DistillationJob> _otherJobs = [];
    private readonly List<V1Job> _otherRuns = [];
    private readonly DistillationJob _job = TestJobs.Named("job").With(j => j.Metadata.Uid = "uid-1").Build();

    public ReconcilerDecisionTests()
    {
        _cluster.Setup(c => c.GetJobAsync(Key, It.IsAny<CancellationToken>())).ReturnsAsync(() => _job);
        _cluster.Setup(c => c.StillExistsAsync(It.IsAny<DistillationJob>(), It.IsAny<CancellationToken>())).ReturnsAsync(true);
        _cluster.Setup(c => c.ListWorkloadsAsync("default", It.IsAny<CancellationToken>())).ReturnsAsync(() => new NamespaceWorkloads([_job, .. _otherJobs], [.. _runs, .. _otherRuns], [.. _pods]));
        _cluster.Setup(c => c.ListRunsAsync(It.IsAny<DistillationJob>(), It.IsAny<CancellationToken>())).ReturnsAsync(() => [.. _runs]);
        _cluster.Setup(c => c.ListPodsAsync(It.IsAny<V1Job>(), It.IsAny<CancellationToken>())).ReturnsAsync(() => [.. _pods]);
        _cluster.Setup(c => c.ListPredecessorPodsAsync(It.IsAny<DistillationJob>(), It.IsAny<IReadOnlyList<V1Job>>(), It.IsAny<CancellationToken>())).ReturnsAsync(() => [.. _predecessorPods]);
        _cluster.Setup(c => c.CreateAsync(It.IsAny<IKubernetesObject<V1ObjectMeta>>(), It.IsAny<CancellationToken>()))
            .Callback<IKubernetesObject<V1ObjectMeta>, CancellationToken>((o, _) => _created.Add(o)).ReturnsAsync(true);
        _cluster.Setup(c => c.PatchStatusAsync(It.IsAny<DistillationJob>(), It.IsAny<JsonObject>(), It.IsAny<CancellationToken>()))
            .Callback<DistillationJob, JsonObject, CancellationToken>((_, p, _) => _patches.Add(p)).Returns(Task.CompletedTask);
        _cluster.Setup(c => c.RecordEventAsync(It.IsAny<DistillationJob>(), It.IsAny<string>(), It.IsAny<string>(), It.IsAny<string>(), It.IsAny<CancellationToken>()))
            .Callback<DistillationJob, string, string, string, CancellationToken>((_, t, r, m, _) => _events.Add((t, r, m))).Returns(Task.CompletedTask);
    }

    public void Dispose() => _metrics.Dispose();

    [Fact]
    public async Task An_invalid_spec_creates_nothing_and_fails_with_every_problem_named()
    {
        _job.Spec.Distillation.SoftLabelWeight = 0;
        _job.Spec.Distillation.HardLabelWeight = 0;
        _job.Spec.Distillation.Temperature = 0;

        var result = await Reconcile();

        Assert.Empty(_created);
        var patch = Assert.Single(_patches);
        Assert.Equal("Failed", (string?)patch["phase"]);
        var validated = Condition(patch, ConditionTypes.Validated);
        Assert.Equal("False", (string?)validated["status"]);
        Assert.Contains("spec.distillation.softLabelWeight", (string?)validated["message"], StringComparison.Ordinal);
        Assert.Contains("spec.distillation.temperature", (string?)validated["message"], StringComparison.Ordinal);
        Assert.Equal(("Warning", ConditionReasons.InvalidSpec), (_events.Single().Type, _events.Single().Reason));
        Assert.Null(result.RequeueAfter is { } r && r < TimeSpan.FromDays(1) ? r : null); // only the TTL brings it back
    }

    [Fact]
    public async Task A_spec_made_invalid_stops_the_run_once_while_the_old_trainer_stops()
    {
        Adopt();
        _job.Spec.Distillation.Temperature = 0;
        _job.Metadata.Generation = 2;
        _cluster.Setup(c => c.DeleteRunAsync(It.IsAny<V1Job>(), It.IsAny<CancellationToken>())).Callback(() => _runs[0].Metadata.DeletionTimestamp = Start.UtcDateTime).Returns(Task.CompletedTask);

        await Reconcile();
        Apply(_patches[^1]);
        await Reconcile(); // the run is still there, being deleted

        _cluster.Verify(c => c.DeleteRunAsync(It.Is<V1Job>(r => r.Metadata.Name == "job-g1"), It.IsAny<CancellationToken>()), Times.Once);
        Assert.Equal(("Warning", ConditionReasons.InvalidSpec), (_events.Single().Type, _events.Single().Reason));
    }

    [Fact]
    public async Task A_job_deleted_since_the_cache_saw_it_gets_no_trainer_job_and_no_status()
    {
        _cluster.Setup(c => c.StillExistsAsync(It.IsAny<DistillationJob>(), It.IsAny<CancellationToken>())).ReturnsAsync(false);

        var result = await Reconcile();

        Assert.DoesNotContain(_created, o => o is V1Job);
        Assert.Empty(_patches);
        Assert.Empty(_events);
        Assert.Null(result.RequeueAfter);
    }

    [Theory]
    [InlineData(false, 60)] // resumed a minute before the trainer ran: the half hour of suspension is not a wait
    [InlineData(true, 1800)] // with a queue the wait for admission counts, from the Job's creation
    public async Task Time_to_running_of_a_resumed_run_counts_from_the_resume_unless_a_queue_admitted_it(bool queued, double expectedSeconds)
    {
        if (queued)
        {
            _job.Spec.RunPolicy.QueueName = "team-a";
        }

        Adopt();
        _runs[0].Metadata.CreationTimestamp = Start.UtcDateTime.AddMinutes(-30);
        _runs[0].Status = new V1JobStatus { StartTime = Start.UtcDateTime.AddMinutes(-1), Active = 1, Conditions = [new V1JobCondition { Type = "Suspended", Status = "False", Reason = "JobResumed", LastTransitionTime = Start.UtcDateTime.AddMinutes(-1) }] };
        _pods.Add(Pod("job-g1-a", "Running"));
        var recorded = new List<double>();
        using var listener = new System.Diagnostics.Metrics.MeterListener();
        listener.InstrumentPublished = (instrument, l) =>
        {
            if (instrument.Meter.Name == OperatorMetrics.MeterName && instrument.Name == "distill.job.time_to_running")
            {
                l.EnableMeasurementEvents(instrument);
            }
        };
        listener.SetMeasurementEventCallback<double>((_, value, _, _) => recorded.Add(value));
        listener.Start();

        await Reconcile();

        Assert.Equal("Running", (string?)_patches.Single()["phase"]);
        Assert.Equal(expectedSeconds, Assert.Single(recorded));
    }

    [Fact]
    public async Task A_pod_seen_running_before_its_job_records_a_start_time_gives_the_status_the_pods_start()
    {
        Adopt();
        _runs[0].Status = new V1JobStatus { Active = 1 }; // the Job controller writes startTime after it created the pod
        var pod = Pod("job-g1-a", "Running");
        pod.Status.StartTime = Start.UtcDateTime.AddSeconds(-40); // scheduled; the container started after its image pull
        _pods.Add(pod);

        await Reconcile();

        var patch = _patches.Single();
        Assert.Equal("Running", (string?)patch["phase"]);
        Assert.Equal(Start.UtcDateTime.AddSeconds(-40), DateTime.Parse((string)patch["startTime"]!, System.Globalization.CultureInfo.InvariantCulture, System.Globalization.DateTimeStyles.AdjustToUniversal));
    }

    [Fact]
    public async Task A_new_job_gets_its_identity_then_its_spec_then_its_trainer_job()
    {
        await Reconcile();

        Assert.Equal(["V1ServiceAccount", "V1Role", "V1RoleBinding", "V1ConfigMap", "V1Job"], _created.Select(o => o.GetType().Name));
        var run = (V1Job)_created[^1];
        Assert.Equal("job-g1", run.Metadata.Name);
        Assert.Equal(RunSpecHash.Of(_job.Spec), run.Metadata.Annotations[RunSpecHash.Annotation]);
        var patch = Assert.Single(_patches);
        Assert.Equal("job-g1", (string?)patch["trainerJob"]);
        Assert.Equal("Pending", (string?)patch["phase"]);
        Assert.Equal(1, (long?)patch["observedGeneration"]);
        Assert.Contains(_events, e => e.Reason == ConditionReasons.RunCreated);
    }

    [Fact]
    public async Task A_job_whose_output_another_job_is_writing_waits_for_it_then_starts()
    {
        var writer = TestJobs.Named("writer").With(j => j.Spec.Output.Uri = _job.Spec.Output.Uri + "/").Build();
        _otherJobs.Add(writer);
        var writerRun = new V1Job
        {
            Metadata = new V1ObjectMeta { Name = "writer-g1", NamespaceProperty = "default", Labels = new Dictionary<string, string> { [RunNames.JobLabel] = "writer" } },
            Status = new V1JobStatus { Active = 1 },
        };
        _otherRuns.Add(writerRun);

        var waiting = await Reconcile();
        Assert.Empty(_created);
        Assert.Equal(DistillationJobReconciler.OutputPoll, waiting.RequeueAfter);
        var patch = Assert.Single(_patches);
        Assert.Equal("Pending", (string?)patch["phase"]);
        var running = patch["conditions"]!.AsArray().Single(c => (string?)c!["type"] == ConditionTypes.Running)!;
        Assert.Equal(ConditionReasons.OutputInUse, (string?)running["reason"]);
        Assert.Contains("trainer Job writer-g1 of DistillationJob writer", (string?)running["message"], StringComparison.Ordinal);
        var warning = Assert.Single(_events);
        Assert.Equal(("Warning", ConditionReasons.OutputInUse), (warning.Type, warning.Reason));

        Apply(_patches[0]);
        _patches.Clear();
        _events.Clear();
        await Reconcile();
        Assert.Empty(_created);
        Assert.Empty(_events); // still waiting: warned once

        writerRun.Status.Conditions = [new V1JobCondition { Type = "Complete", Status = "True" }];
        await Reconcile();
        Assert.Equal("job-g1", ((V1Job)_created[^1]).Metadata.Name);
        Assert.Contains(_events, e => e.Reason == ConditionReasons.RunCreated);
    }

    [Fact]
    public async Task A_second_reconcile_of_an_unchanged_world_writes_nothing()
    {
        await Reconcile();
        Adopt();
        _patches.Clear();
        _events.Clear();
        _created.Clear();

        await Reconcile();

        Assert.Empty(_patches);
        Assert.Empty(_events);
        Assert.Empty(_created);
    }

    public static TheoryData<string, string?, string[], JobPhase, string> Phases => new()
    {
        // name, Job condition (type:reason), pod phases, expected phase, expected reason
        { "no pod yet", null, [], JobPhase.Pending, "Pending" },
        { "pod starting", null, ["Pending"], JobPhase.Initializing, ConditionReasons.PodStarting },
        { "pod running", null, ["Running"], JobPhase.Running, ConditionReasons.Training },
        { "restart after eviction", null, ["Failed"], JobPhase.Initializing, ConditionReasons.Restarting },
        { "trainer exited 0, Job not complete yet", null, ["Succeeded"], JobPhase.Running, ConditionReasons.Completing },
        { "complete", "Complete:", ["Failed", "Succeeded"], JobPhase.Succeeded, ConditionReasons.Completed },
        { "bad input", "Failed:PodFailurePolicy", ["Failed"], JobPhase.Failed, ConditionReasons.BadInput },
        { "backoff", "Failed:BackoffLimitExceeded", ["Failed", "Failed"], JobPhase.Failed, ConditionReasons.BackoffLimitExceeded },
        { "deadline", "Failed:DeadlineExceeded", ["Failed"], JobPhase.Failed, ConditionReasons.DeadlineExceeded },
    };

    [Theory]
    [MemberData(nameof(Phases))]
    public void The_phase_follows_the_trainer_job_and_its_pods(string name, string? jobCondition, string[] podPhases, JobPhase phase, string reason)
    {
        var run = Run();
        if (jobCondition?.Split(':') is [var type, var why])
        {
            run.Status = new V1JobStatus { Conditions = [new V1JobCondition { Type = type, Status = "True", Reason = why, LastTransitionTime = Start.UtcDateTime }] };
        }

        var pods = podPhases.Select((p, i) => Pod($"job-g1-{i}", p)).ToList();
        var observed = RunObserver.Observe(_job, run, pods);

        Assert.True(phase == observed.Phase, $"{name}: expected {phase}, got {observed.Phase}");
        Assert.Equal(reason, observed.Reason);
        Assert.Equal(podPhases.Count(p => p == "Failed"), observed.Restarts);
    }

    [Fact]
    public void A_pod_that_fits_no_node_or_cannot_pull_its_image_says_so_in_the_words_of_the_scheduler_or_kubelet()
    {
        var unschedulable = Pod("job-g1-0", "Pending");
        unschedulable.Status.Conditions = [new V1PodCondition { Type = "PodScheduled", Status = "False", Reason = "Unschedulable", Message = "0/3 nodes are available: 3 Insufficient nvidia.com/gpu." }];
        var pulling = Pod("job-g1-0", "Pending");
        pulling.Status.ContainerStatuses = [new V1ContainerStatus { Name = "trainer", State = new V1ContainerState { Waiting = new V1ContainerStateWaiting { Reason = "ImagePullBackOff", Message = "Back-off pulling image \"trainer:typo\"" } } }];
        var creating = Pod("job-g1-0", "Pending");
        creating.Status.ContainerStatuses = [new V1ContainerStatus { Name = "trainer", State = new V1ContainerState { Waiting = new V1ContainerStateWaiting { Reason = "ContainerCreating" } } }];

        var waiting = RunObserver.Observe(_job, Run(), [unschedulable]);
        var pull = RunObserver.Observe(_job, Run(), [pulling]);
        var create = RunObserver.Observe(_job, Run(), [creating]);

        Assert.Equal((JobPhase.Initializing, ConditionReasons.Unschedulable), (waiting.Phase, waiting.Reason));
        Assert.Equal("pod job-g1-0 cannot be scheduled yet: 0/3 nodes are available: 3 Insufficient nvidia.com/gpu.", waiting.Message);
        Assert.Equal((JobPhase.Initializing, "ImagePullBackOff"), (pull.Phase, pull.Reason));
        Assert.Equal("pod job-g1-0 cannot start its trainer: ImagePullBackOff: Back-off pulling image \"trainer:typo\"", pull.Message);
        Assert.Equal((JobPhase.Initializing, ConditionReasons.PodStarting), (create.Phase, create.Reason));
    }

    [Fact]
    public async Task A_failed_run_waits_a_moment_for_its_failed_pod_so_the_failure_says_why()
    {
        Adopt();
        var run = _runs.Single();
        run.Status = new V1JobStatus { Failed = 1, Conditions = [new V1JobCondition { Type = "Failed", Status = "True", Reason = "PodFailurePolicy", LastTransitionTime = Start.UtcDateTime }] };
        var evicted = Pod("job-g1-0", "Failed"); // an earlier pod, evicted: not a failure, and not the reason
        evicted.Status.Conditions = [new V1PodCondition { Type = "DisruptionTarget", Status = "True", Reason = "TerminationByKubelet" }];
        evicted.Status.ContainerStatuses = [new V1ContainerStatus { Name = "trainer", State = new V1ContainerState { Terminated = new V1ContainerStateTerminated { ExitCode = 137, Message = "stopped by the kubelet" } } }];
        _pods.Add(evicted);
        _patches.Clear();
        _events.Clear();

        var waiting = await Reconcile(); // the Job says failed; the pod cache has not seen the failed pod yet
        Assert.Empty(_patches);
        Assert.Empty(_events);
        Assert.Equal(TimeSpan.FromSeconds(1), waiting.RequeueAfter);

        var pod = Pod("job-g1-a", "Failed");
        pod.Status.ContainerStatuses = [new V1ContainerStatus { Name = "trainer", State = new V1ContainerState { Terminated = new V1ContainerStateTerminated { ExitCode = 2, Message = "data/train.tsv:3: label 'x' is not a class" } } }];
        _pods.Add(pod);
        await Reconcile();
        Assert.Equal("Failed", (string?)Assert.Single(_patches)["phase"]);
        var failure = Assert.Single(_events, e => e.Type == "Warning");
        Assert.Equal(ConditionReasons.BadInput, failure.Reason);
        Assert.EndsWith("data/train.tsv:3: label 'x' is not a class", failure.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_failed_run_whose_pod_never_shows_fails_without_its_last_words_after_a_while()
    {
        Adopt();
        _runs.Single().Status = new V1JobStatus { Failed = 1, Conditions = [new V1JobCondition { Type = "Failed", Status = "True", Reason = "BackoffLimitExceeded", LastTransitionTime = Start.UtcDateTime }] };
        _patches.Clear();
        _clock.Advance(DistillationJobReconciler.LastWordsWait);

        await Reconcile();

        Assert.Equal("Failed", (string?)Assert.Single(_patches)["phase"]);
    }

    [Fact]
    public async Task A_finished_job_is_requeued_for_the_exact_end_of_its_ttl_and_deleted_then()
    {
        _job.Spec.RunPolicy.TtlSecondsAfterFinished = 100;
        Adopt(complete: true);
        _clock.Advance(TimeSpan.FromSeconds(40));

        var result = await Reconcile();
        Assert.Equal(TimeSpan.FromSeconds(60), result.RequeueAfter);

        _cluster.Setup(c => c.DeleteJobAsync(_job, It.IsAny<CancellationToken>())).Returns(Task.CompletedTask);
        _clock.Advance(TimeSpan.FromSeconds(60));
        await Reconcile();
        _cluster.Verify(c => c.DeleteJobAsync(_job, It.IsAny<CancellationToken>()), Times.Once);
    }

    [Fact]
    public async Task A_running_trainer_without_progress_for_the_timeout_is_stalled_and_recovers_when_progress_comes()
    {
        _job.Spec.RunPolicy.ProgressTimeoutSeconds = 60;
        _job.Spec.RunPolicy.TtlSecondsAfterFinished = null;
        Adopt();
        _pods.Add(Pod("job-g1-a", "Running"));
        _job.Status!.Progress = new JobProgress { Step = 5, UpdateTime = Start.AddSeconds(10).UtcDateTime };
        _clock.Advance(TimeSpan.FromSeconds(50));

        var result = await Reconcile();
        Assert.Equal(TimeSpan.FromSeconds(20), result.RequeueAfter); // 60 s after the last progress at +10 s
        Assert.Equal("False", (string?)Condition(_patches[^1], ConditionTypes.Stalled)["status"]);

        Apply(_patches[^1]);
        _clock.Advance(TimeSpan.FromSeconds(20));
        await Reconcile();
        Assert.Equal("True", (string?)Condition(_patches[^1], ConditionTypes.Stalled)["status"]);
        Assert.Contains(_events, e => e is ("Warning", ConditionTypes.Stalled, _));

        Apply(_patches[^1]);
        _job.Status.Progress = new JobProgress { Step = 6, UpdateTime = _clock.GetUtcNow().UtcDateTime };
        await Reconcile();
        Assert.Equal("False", (string?)Condition(_patches[^1], ConditionTypes.Stalled)["status"]);
    }

    [Fact]
    public async Task A_changed_spec_stops_the_old_run_before_starting_the_new_one()
    {
        Adopt();
        _pods.Add(Pod("job-g1-a", "Running"));
        _job.Spec.Training.LearningRate = 1e-4;
        _job.Metadata.Generation = 2;
        _cluster.Setup(c => c.DeleteRunAsync(It.IsAny<V1Job>(), It.IsAny<CancellationToken>())).Callback(() => _runs[0].Metadata.DeletionTimestamp = Start.UtcDateTime).Returns(Task.CompletedTask);

        var result = await Reconcile();

        _cluster.Verify(c => c.DeleteRunAsync(It.Is<V1Job>(r => r.Metadata.Name == "job-g1"), It.IsAny<CancellationToken>()), Times.Once);
        Assert.Empty(_created);
        Assert.Equal(DistillationJobReconciler.ReplacementPoll, result.RequeueAfter);

        _runs.Clear(); // the old trainer stopped
        await Reconcile();
        Assert.Equal("job-g2", _created.OfType<V1Job>().Single().Metadata.Name);
    }

    [Fact]
    public async Task Suspending_changes_the_runs_suspend_flag_instead_of_starting_a_new_run()
    {
        Adopt();
        _job.Spec.RunPolicy.Suspend = true;
        _job.Metadata.Generation = 2;
        _cluster.Setup(c => c.SetSuspendAsync(It.IsAny<V1Job>(), true, It.IsAny<CancellationToken>())).Returns(Task.CompletedTask);

        await Reconcile();

        _cluster.Verify(c => c.SetSuspendAsync(It.Is<V1Job>(r => r.Metadata.Name == "job-g1"), true, It.IsAny<CancellationToken>()), Times.Once);
        Assert.Empty(_created);
        Assert.Equal("Suspended", (string?)_patches[^1]["phase"]);
    }

    [Fact]
    public async Task Suspending_a_queued_job_removes_its_run_so_Kueue_cannot_restart_it_and_resuming_queues_a_new_one()
    {
        _job.Spec.RunPolicy.QueueName = "team-a";
        Adopt();
        _pods.Add(Pod("job-g1-a", "Running")); // admitted by Kueue: the run is unsuspended and training
        _job.Spec.RunPolicy.Suspend = true;
        _job.Metadata.Generation = 2;
        _cluster.Setup(c => c.DeleteRunAsync(It.IsAny<V1Job>(), It.IsAny<CancellationToken>())).Callback(() => _runs[0].Metadata.DeletionTimestamp = Start.UtcDateTime).Returns(Task.CompletedTask);

        await Reconcile();

        _cluster.Verify(c => c.DeleteRunAsync(It.Is<V1Job>(r => r.Metadata.Name == "job-g1"), It.IsAny<CancellationToken>()), Times.Once);
        _cluster.Verify(c => c.SetSuspendAsync(It.IsAny<V1Job>(), It.IsAny<bool>(), It.IsAny<CancellationToken>()), Times.Never);
        Assert.Empty(_created);
        Assert.Equal("Suspended", (string?)_patches[^1]["phase"]);

        // While the old trainer stops, nothing more is deleted or created.
        Apply(_patches[^1]);
        await Reconcile();
        _cluster.Verify(c => c.DeleteRunAsync(It.IsAny<V1Job>(), It.IsAny<CancellationToken>()), Times.Once);
        Assert.Empty(_created);

        _runs.Clear();
        _job.Spec.RunPolicy.Suspend = false;
        _job.Metadata.Generation = 3;
        await Reconcile();
        var queued = _created.OfType<V1Job>().Single();
        Assert.Equal("job-g3", queued.Metadata.Name);
        Assert.True(queued.Spec.Suspend);
        Assert.Equal("team-a", queued.Metadata.Labels[TrainerJobBuilder.QueueLabel]);
    }

    [Fact]
    public async Task A_gated_job_whose_result_never_arrives_waits_a_minute_then_fails_its_gate()
    {
        _job.Spec.QualityGate = new QualityGate { MinStudentAccuracy = 0.8 };
        _job.Spec.Data.Validation = new DatasetSpec { Uri = "pvc://data/dev.tsv" };
        Adopt(complete: true);
        _pods.Clear(); // the pod was deleted before its termination message was read

        await Reconcile();
        Assert.Equal("Running", (string?)_patches[^1]["phase"]);
        Assert.Equal(ConditionReasons.AwaitingResult, (string?)Condition(_patches[^1], ConditionTypes.Running)["reason"]);

        Apply(_patches[^1]);
        _clock.Advance(DistillationJobReconciler.ResultWait);
        await Reconcile();
        Assert.Equal("Failed", (string?)_patches[^1]["phase"]);
        Assert.Contains("the trainer reported no result", (string?)Condition(_patches[^1], ConditionTypes.Failed)["message"], StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_finished_job_whose_Job_is_gone_is_not_trained_again_when_only_its_ttl_changes_but_is_when_its_training_does()
    {
        Adopt(complete: true, terminationMessage: """{"studentAccuracy":0.8}""");
        await Reconcile();
        Apply(_patches[^1]);
        Assert.Equal("Succeeded", _job.Status!.Phase?.ToString());
        _runs.Clear(); // a cluster policy removed the finished Job
        _pods.Clear();

        _job.Spec.RunPolicy.TtlSecondsAfterFinished = 3600;
        _job.Metadata.Generation = 2;
        await Reconcile();
        Assert.Empty(_created);
        Apply(_patches[^1]);
        Assert.Equal("Succeeded", _job.Status.Phase?.ToString());
        Assert.Equal(0.8, _job.Status.Result?.StudentAccuracy);

        _job.Spec.Training.LearningRate = 1e-4;
        _job.Metadata.Generation = 3;
        await Reconcile();
        Assert.Equal("job-g3", _created.OfType<V1Job>().Single().Metadata.Name);
    }

    [Fact]
    public async Task A_job_re_created_under_its_name_starts_after_the_deleted_ones_trainer_has_stopped()
    {
        _predecessorPods.Add(Pod("job-g1-old", "Running"));

        var result = await Reconcile();

        Assert.Empty(_created);
        Assert.Equal("Pending", (string?)_patches[^1]["phase"]);
        Assert.Contains("waiting for trainer pod job-g1-old (of an earlier run, or of an earlier DistillationJob named job) to stop", (string?)Condition(_patches[^1], ConditionTypes.Running)["message"], StringComparison.Ordinal);
        Assert.Equal(DistillationJobReconciler.ReplacementPoll, result.RequeueAfter);

        Apply(_patches[^1]);
        _predecessorPods.Clear();
        await Reconcile();
        Assert.Equal("job-g1", _created.OfType<V1Job>().Single().Metadata.Name);
    }

    [Fact]
    public async Task A_trainer_job_deleted_by_hand_is_not_replaced_while_its_pod_still_writes_the_checkpoint()
    {
        Adopt();
        _runs.Clear(); // kubectl delete job job-g1: the Job goes at once, its pod stops within its grace period
        _predecessorPods.Add(Pod("job-g1-a", "Running"));

        await Reconcile();
        Assert.Empty(_created);

        _predecessorPods.Clear();
        await Reconcile();
        Assert.Equal("job-g1", _created.OfType<V1Job>().Single().Metadata.Name);
    }

    [Fact]
    public async Task The_termination_message_fills_the_result_only_when_the_trainer_left_none()
    {
        Adopt(complete: true, terminationMessage: """{"studentAccuracy":0.8}""");
        await Reconcile();
        Assert.Equal(0.8, (double?)_patches[^1]["result"]!["studentAccuracy"]);

        _patches.Clear();
        _job.Status!.Phase = null;
        _job.Status.Result = new JobResult { StudentAccuracy = 0.85 };
        await Reconcile();
        Assert.False(_patches[^1].ContainsKey("result"));
    }

    [Fact]
    public async Task A_completed_run_whose_student_was_not_promoted_fails_names_the_kept_version_and_is_not_ready()
    {
        _job.Spec.QualityGate = new QualityGate { MaxRegression = 0.01 };
        _job.Spec.Data.Validation = new DatasetSpec { Uri = "pvc://data/dev.tsv" };
        Adopt(complete: true, terminationMessage: """{"studentAccuracy":0.84,"version":"20261205-110000-g1-bbbbbbbb","promoted":false,"promotionReason":"RegressionFromPromoted","promotionMessage":"student accuracy 0.84 vs 0.87 of promoted version 20261205-100000-g1-aaaaaaaa (maxRegression 0.01)","baselineAccuracy":0.87,"promotedVersion":"20261205-100000-g1-aaaaaaaa"}""");
        _job.Status!.Phase = JobPhase.Running; // the run just ended
        _job.Status.PromotedVersion = "20261205-100000-g1-aaaaaaaa";

        await Reconcile();
        Apply(_patches[^1]);

        Assert.Equal(JobPhase.Failed, _job.Status!.Phase);
        Assert.Equal(ConditionReasons.RegressionFromPromoted, _job.Status.Conditions!.Single(c => c.Type == ConditionTypes.Failed).Reason);
        Assert.StartsWith("the student is worse than the promoted one: student accuracy 0.84 vs 0.87", _job.Status.Conditions!.Single(c => c.Type == ConditionTypes.Failed).Message, StringComparison.Ordinal);
        var ready = _job.Status.Conditions!.Single(c => c.Type == ConditionTypes.Ready);
        Assert.Equal(("False", ConditionReasons.RegressionFromPromoted), (ready.Status, ready.Reason));
        Assert.Equal("True", _job.Status.Conditions!.Single(c => c.Type == ConditionTypes.Stalled).Status);
        Assert.Equal("20261205-100000-g1-aaaaaaaa", _job.Status.PromotedVersion);
        var notPromoted = Assert.Single(_events, e => e.Reason == ConditionReasons.NotPromoted);
        Assert.Equal("Warning", notPromoted.Type);
        Assert.Contains("version 20261205-110000-g1-bbbbbbbb is kept but not promoted: RegressionFromPromoted", notPromoted.Message, StringComparison.Ordinal);
        Assert.Contains("current stays 20261205-100000-g1-aaaaaaaa", notPromoted.Message, StringComparison.Ordinal);

        _events.Clear();
        _patches.Clear();
        await Reconcile();
        Assert.Empty(_events); // said once
        Assert.Empty(_patches);
    }

    [Fact]
    public async Task A_completed_promoted_run_succeeds_is_ready_and_names_the_promoted_version()
    {
        Adopt(complete: true, terminationMessage: """{"studentAccuracy":0.9,"version":"20261205-110000-g1-bbbbbbbb","promoted":true,"promotionReason":"Promoted","promotionMessage":"no qualityGate: a finished run is promoted","promotedVersion":"20261205-110000-g1-bbbbbbbb"}""");
        _job.Status!.Phase = JobPhase.Running;

        await Reconcile();
        Apply(_patches[^1]);

        Assert.Equal(JobPhase.Succeeded, _job.Status!.Phase);
        Assert.Equal("20261205-110000-g1-bbbbbbbb", _job.Status.PromotedVersion);
        var ready = _job.Status.Conditions!.Single(c => c.Type == ConditionTypes.Ready);
        Assert.Equal("True", ready.Status);
        Assert.Contains("version 20261205-110000-g1-bbbbbbbb is promoted", ready.Message, StringComparison.Ordinal);
        Assert.Equal("False", _job.Status.Conditions!.Single(c => c.Type == ConditionTypes.Reconciling).Status);
        var promoted = Assert.Single(_events, e => e.Reason == ConditionReasons.Promoted);
        Assert.Equal("Normal", promoted.Type);
    }

    [Fact]
    public async Task A_trainer_that_exits_3_fails_the_job_with_TeacherNotLearned_and_its_last_words()
    {
        Adopt();
        _runs.Single().Status = new V1JobStatus { Failed = 1, Conditions = [new V1JobCondition { Type = "Failed", Status = "True", Reason = "PodFailurePolicy", LastTransitionTime = Start.UtcDateTime }] };
        var pod = Pod("job-g1-a", "Failed");
        pod.Status.ContainerStatuses = [new V1ContainerStatus { Name = "trainer", State = new V1ContainerState { Terminated = new V1ContainerStateTerminated { ExitCode = 3, Message = "the teacher learned nothing to distil: its validation accuracy 0.5" } } }];
        _pods.Add(pod);
        _events.Clear();

        await Reconcile();
        Apply(_patches[^1]);

        Assert.Equal(JobPhase.Failed, _job.Status!.Phase);
        var failed = _job.Status.Conditions!.Single(c => c.Type == ConditionTypes.Failed);
        Assert.Equal(ConditionReasons.TeacherNotLearned, failed.Reason);
        Assert.EndsWith("the teacher learned nothing to distil: its validation accuracy 0.5", failed.Message, StringComparison.Ordinal);
        Assert.Equal(ConditionReasons.TeacherNotLearned, Assert.Single(_events, e => e.Type == "Warning").Reason);
    }

    [Fact]
    public async Task A_completed_run_whose_result_has_not_reached_the_caches_waits_for_it_instead_of_failing_the_gate()
    {
        _job.Spec.QualityGate = new QualityGate { MinStudentAccuracy = 0.5 };
        _job.Spec.Data.Validation = new DatasetSpec { Uri = "pvc://data/dev.tsv" };
        Adopt(complete: true);
        _job.Status!.Phase = JobPhase.Running;
        _pods.Clear(); // the pod cache is behind the Job

        var result = await Reconcile();

        foreach (var patch in _patches)
        {
            Apply(patch);
        }

        Assert.Equal(JobPhase.Running, _job.Status!.Phase);
        Assert.Equal(TimeSpan.FromSeconds(1), result.RequeueAfter);
        Assert.DoesNotContain(_job.Status.Conditions!, c => c.Type is ConditionTypes.QualityTargetMet or ConditionTypes.Failed && c.Status == "True");
    }

    [Fact]
    public async Task An_invalid_edit_of_a_succeeded_job_clears_the_old_runs_conditions_and_starts_the_ttl_now()
    {
        _job.Spec.RunPolicy.TtlSecondsAfterFinished = 3600;
        Adopt(complete: true);
        _clock.Advance(TimeSpan.FromHours(2)); // the old run finished two hours ago
        _job.Metadata.Generation = 2;
        _job.Spec.Distillation.SoftLabelWeight = 0;
        _job.Spec.Distillation.HardLabelWeight = 0;
        _cluster.Setup(c => c.DeleteRunAsync(It.IsAny<V1Job>(), It.IsAny<CancellationToken>())).Returns(Task.CompletedTask);

        var result = await Reconcile();

        var patch = _patches[^1];
        Assert.Equal("Failed", (string?)patch["phase"]);
        Assert.DoesNotContain(patch["conditions"]!.AsArray(), c => (string?)c!["type"] == ConditionTypes.Succeeded);
        Assert.Equal(_clock.GetUtcNow().UtcDateTime, DateTime.Parse((string)patch["completionTime"]!, System.Globalization.CultureInfo.InvariantCulture, System.Globalization.DateTimeStyles.AdjustToUniversal));
        Assert.Equal(TimeSpan.FromHours(1), result.RequeueAfter);
        _cluster.Verify(c => c.DeleteJobAsync(It.IsAny<DistillationJob>(), It.IsAny<CancellationToken>()), Times.Never);
    }

    [Fact]
    public async Task A_run_of_the_current_generation_is_kept_even_when_the_operator_now_hashes_its_spec_differently()
    {
        Adopt();
        _runs[0].Metadata.Labels = new Dictionary<string, string> { [RunNames.GenerationLabel] = "1" };
        _runs[0].Metadata.Annotations[RunSpecHash.Annotation] = "from-an-older-operator";

        await Reconcile();

        Assert.Empty(_created);
        _cluster.Verify(c => c.DeleteRunAsync(It.IsAny<V1Job>(), It.IsAny<CancellationToken>()), Times.Never);
    }

    private static JsonObject Condition(JsonObject patch, string type) =>
        patch["conditions"]!.AsArray().OfType<JsonObject>().Single(c => (string?)c["type"] == type);

    private static V1Pod Pod(string name, string phase) => new()
    {
        Metadata = new V1ObjectMeta { Name = name, NamespaceProperty = "default" },
        Status = new V1PodStatus
        {
            Phase = phase,
            StartTime = Start.UtcDateTime,
            ContainerStatuses = phase == "Running" ? [new V1ContainerStatus { Name = "trainer", State = new V1ContainerState { Running = new V1ContainerStateRunning { StartedAt = Start.UtcDateTime } } }] : null,
        },
    };

    private Task<ReconcileResult> Reconcile() =>
        new DistillationJobReconciler(_cluster.Object, new TrainerSettings("trainer:1", "IfNotPresent"), _metrics, _clock, NullLogger<DistillationJobReconciler>.Instance).ReconcileAsync(Key, CancellationToken.None);

    private V1Job Run() => new()
    {
        Metadata = new V1ObjectMeta { Name = "job-g1", NamespaceProperty = "default", Uid = "run-uid", Annotations = new Dictionary<string, string> { [RunSpecHash.Annotation] = RunSpecHash.Of(_job.Spec) } },
        Spec = new V1JobSpec { Suspend = false },
    };

    // The world after a first reconcile: the run exists and the status describes it.
    private void Adopt(bool complete = false, string? terminationMessage = null)
    {
        var run = Run();
        if (complete)
        {
            run.Status = new V1JobStatus { StartTime = Start.UtcDateTime, CompletionTime = Start.UtcDateTime, Conditions = [new V1JobCondition { Type = "Complete", Status = "True", LastTransitionTime = Start.UtcDateTime }] };
            var pod = Pod("job-g1-a", "Succeeded");
            pod.Status.ContainerStatuses = [new V1ContainerStatus { Name = "trainer", State = new V1ContainerState { Terminated = new V1ContainerStateTerminated { ExitCode = 0, Message = terminationMessage } } }];
            _pods.Add(pod);
        }

        _runs.Add(run);
        _job.Status = new DistillationJobStatus { TrainerJob = "job-g1", RunSpecHash = RunSpecHash.OfRun(run), ObservedGeneration = 1, Phase = complete ? JobPhase.Succeeded : JobPhase.Pending, CompletionTime = complete ? Start.UtcDateTime : null, StartTime = complete ? Start.UtcDateTime : null, Restarts = 0 };
        var now = _clock.GetUtcNow();
        Conditions.Set(_job.Status.Conditions ??= [], ConditionTypes.Validated, true, ConditionReasons.SpecValid, "the spec is valid", 1, now);
        var admitted = complete;
        Conditions.Set(_job.Status.Conditions, ConditionTypes.Admitted, admitted, admitted ? "Admitted" : "Pending", admitted ? "the run may start" : "waiting for Job job-g1 to create its pod", 1, now);
        Conditions.Set(_job.Status.Conditions, ConditionTypes.Running, false, complete ? ConditionReasons.Completed : "Pending", complete ? "the student was trained, evaluated and exported" : "waiting for Job job-g1 to create its pod", 1, now);
        if (complete)
        {
            Conditions.Set(_job.Status.Conditions, ConditionTypes.Succeeded, true, ConditionReasons.Completed, "the student was trained, evaluated and exported", 1, now);
            Conditions.Set(_job.Status.Conditions, ConditionTypes.Failed, false, ConditionReasons.Completed, "the student was trained, evaluated and exported", 1, now);
        }

        Readiness.Set(_job.Status, now); // as this operator wrote it
    }

    // What the API server would hold after a merge patch of the operator's fields.
    private void Apply(JsonObject patch)
    {
        var status = _job.Status is null ? new JsonObject() : JsonNode.Parse(KubernetesJson.Serialize(_job.Status))!.AsObject();
        foreach (var (name, value) in patch)
        {
            status[name] = value?.DeepClone();
        }

        _job.Status = KubernetesJson.Deserialize<DistillationJobStatus>(status.ToJsonString());
    }
}
