using System.Text.Json;
using DistillOperator.Api.V1Alpha1;
using DistillOperator.Status;
using DistillOperator.Testing;
using DistillOperator.Testing.Emulator.Workloads;
using k8s;
using k8s.Models;

namespace DistillOperator.Tests;

/// <summary>A DistillationJob's life under the operator, through the real KubernetesClient against the emulator.</summary>
public sealed class OperatorLifecycleTests
{
    private static readonly string ResultMessage = JsonSerializer.Serialize(new { teacherAccuracy = 0.9, studentAccuracy = 0.88, agreement = 0.95, compressionRatio = 2.0, artifactUri = "pvc://models/student" });

    [Fact]
    public async Task A_job_goes_from_pending_to_running_to_succeeded_with_progress_and_result_in_its_status()
    {
        await using var harness = await OperatorHarness.StartAsync();
        harness.Kubelet.Decide = _ => new PodOutcome.KeepRunning();
        await harness.StartOperatorAsync();

        await harness.CreateAsync(TestJobs.Named("sst2").Build());
        var running = await harness.WaitForPhaseAsync("sst2", JobPhase.Running);
        Assert.Equal("sst2-g1", running.Status!.TrainerJob);
        Assert.Equal(1, running.Status.ObservedGeneration);
        Assert.NotNull(running.Status.StartTime);
        Assert.True(Conditions.IsTrue(running.Status.Conditions, ConditionTypes.Validated));
        Assert.True(Conditions.IsTrue(running.Status.Conditions, ConditionTypes.Running));

        // The trainer reports progress with its own service account, which may patch only this job's status.
        using var trainer = harness.Emulator.CreateClient(harness.Emulator.TokenFor("default", "sst2-trainer"));
        harness.Emulator.EnforceRbac = true;
        await trainer.CustomObjects.PatchNamespacedCustomObjectStatusAsync(
            new V1Patch("""{"status":{"progress":{"stage":"internal-1","stageIndex":1,"stageCount":7,"step":40,"totalSteps":400,"percent":10.0}}}""", V1Patch.PatchType.MergePatch),
            ApiGroup.Name, ApiGroup.Version, "default", DistillationJob.Plural, "sst2");
        var progressing = await harness.WaitAsync("sst2", j => j.Status?.Progress?.Step == 40);
        Assert.Equal("internal-1", progressing.Status!.Progress!.Stage);
        Assert.Equal(JobPhase.Running, progressing.Status.Phase); // the operator's later writes leave progress alone

        var pod = Assert.Single(await harness.PodsAsync("sst2"));
        harness.Kubelet.Finish("default", pod.Metadata.Name, new PodOutcome.Succeed(ResultMessage));
        var done = await harness.WaitForPhaseAsync("sst2", JobPhase.Succeeded);

        Assert.Equal(0.88, done.Status!.Result!.StudentAccuracy); // from the termination message: the trainer did not patch a result
        Assert.Equal(40, done.Status.Progress!.Step);
        Assert.NotNull(done.Status.CompletionTime);
        Assert.True(Conditions.IsTrue(done.Status.Conditions, ConditionTypes.Succeeded));
        Assert.False(Conditions.IsTrue(done.Status.Conditions, ConditionTypes.Running));
        var reasons = (await harness.EventsAsync("sst2")).Select(e => e.Reason).ToList();
        Assert.Contains("RunCreated", reasons);
        Assert.Contains("Running", reasons);
        Assert.Contains("Succeeded", reasons);
        Assert.Single(await harness.RunsAsync("sst2"));
    }

    [Fact]
    public async Task A_job_recreated_before_the_garbage_collector_removed_its_predecessors_children_gets_its_own_identity_and_spec()
    {
        await using var harness = await OperatorHarness.StartAsync();
        harness.Kubelet.Decide = _ => new PodOutcome.KeepRunning();
        var earlier = await harness.CreateLeftOversAsync("again");
        await harness.StartOperatorAsync();

        var job = await harness.CreateAsync(TestJobs.Named("again").Build());
        await harness.WaitForPhaseAsync("again", JobPhase.Running);

        // Every child is the new job's: the earlier job's spec (seed 999) is not what its trainer reads.
        var account = await harness.Client.CoreV1.ReadNamespacedServiceAccountAsync("again-trainer", "default");
        var role = await harness.Client.RbacAuthorizationV1.ReadNamespacedRoleAsync("again-trainer", "default");
        var binding = await harness.Client.RbacAuthorizationV1.ReadNamespacedRoleBindingAsync("again-trainer", "default");
        var spec = await harness.Client.CoreV1.ReadNamespacedConfigMapAsync("again-g1-spec", "default");
        foreach (var metadata in new[] { account.Metadata, role.Metadata, binding.Metadata, spec.Metadata })
        {
            Assert.Equal(job.Metadata.Uid, Assert.Single(metadata.OwnerReferences).Uid);
        }

        Assert.NotEqual(earlier, job.Metadata.Uid);
        Assert.Equal(42, KubernetesJson.Deserialize<DistillationJob>(spec.Data["job.json"]).Spec.Training.Seed);
    }

    [Fact]
    public async Task A_batch_Job_made_by_hand_under_the_runs_name_gives_a_warning_and_the_run_starts_once_it_is_gone()
    {
        await using var harness = await OperatorHarness.StartAsync();
        harness.Kubelet.Decide = _ => new PodOutcome.KeepRunning();
        var foreign = new V1Job
        {
            Metadata = new V1ObjectMeta { Name = "jclash-g1" },
            Spec = new V1JobSpec
            {
                Suspend = true,
                Template = new V1PodTemplateSpec { Spec = new V1PodSpec { RestartPolicy = "Never", Containers = [new V1Container { Name = "main", Image = "busybox" }] } },
            },
        };
        await harness.Client.BatchV1.CreateNamespacedJobAsync(foreign, "default");
        await harness.StartOperatorAsync();

        await harness.CreateAsync(TestJobs.Named("jclash").Build());
        var warning = await harness.WaitForEventAsync("jclash", "NameConflict");

        Assert.Equal("Warning", warning.Type);
        Assert.Equal("batch/v1 Job default/jclash-g1 exists and is not this DistillationJob's trainer Job; delete it or rename the DistillationJob", warning.Message);
        Assert.Null((await harness.Client.BatchV1.ReadNamespacedJobAsync("jclash-g1", "default")).Metadata.OwnerReferences);

        await harness.Client.BatchV1.DeleteNamespacedJobAsync("jclash-g1", "default");
        await harness.WaitForPhaseAsync("jclash", JobPhase.Running, TimeSpan.FromSeconds(60));
    }

    [Fact]
    public async Task A_service_account_made_by_hand_under_the_trainers_name_is_left_alone_and_a_warning_says_what_to_do()
    {
        await using var harness = await OperatorHarness.StartAsync();
        harness.Kubelet.Decide = _ => new PodOutcome.KeepRunning();
        await harness.Client.CoreV1.CreateNamespacedServiceAccountAsync(new V1ServiceAccount { Metadata = new V1ObjectMeta { Name = "clash-trainer" } }, "default");
        await harness.StartOperatorAsync();

        await harness.CreateAsync(TestJobs.Named("clash").Build());
        var warning = await harness.WaitForEventAsync("clash", "NameConflict");

        Assert.Equal("Warning", warning.Type);
        Assert.Equal("ServiceAccount default/clash-trainer already exists and has no owner; the job needs that name for its trainer: delete the object or rename the DistillationJob", warning.Message);
        var waiting = await harness.WaitAsync("clash", j => j.Status?.Conditions?.Any(c => c.Reason == "NameConflict") == true, TimeSpan.FromSeconds(30));
        Assert.Equal(JobPhase.Pending, waiting.Status!.Phase);
        Assert.Equal(warning.Message, waiting.Status.Conditions!.Single(c => c.Type == "Running").Message);
        Assert.Empty(await harness.RunsAsync("clash"));
        Assert.Null((await harness.Client.CoreV1.ReadNamespacedServiceAccountAsync("clash-trainer", "default")).Metadata.OwnerReferences);

        // Once the person deletes it, the retry creates the job's own and the run starts.
        await harness.Client.CoreV1.DeleteNamespacedServiceAccountAsync("clash-trainer", "default");
        await harness.WaitForPhaseAsync("clash", JobPhase.Running, TimeSpan.FromSeconds(60));
    }

    [Fact]
    public async Task The_run_gets_its_spec_configmap_and_a_trainer_identity_that_may_only_patch_its_own_status()
    {
        await using var harness = await OperatorHarness.StartAsync();
        harness.Kubelet.Decide = _ => new PodOutcome.KeepRunning();
        await harness.StartOperatorAsync();
        await harness.CreateAsync(TestJobs.Named("a").Build());
        await harness.CreateAsync(TestJobs.Named("b").Build());
        await harness.WaitForPhaseAsync("a", JobPhase.Running);
        await harness.WaitForPhaseAsync("b", JobPhase.Running);

        var spec = await harness.Client.CoreV1.ReadNamespacedConfigMapAsync("a-g1-spec", "default");
        var resolved = KubernetesJson.Deserialize<DistillationJob>(spec.Data["job.json"]);
        Assert.Equal("pvc://models/teacher", resolved.Spec.Teacher.Model!.Uri);
        var role = await harness.Client.RbacAuthorizationV1.ReadNamespacedRoleAsync("a-trainer", "default");
        Assert.Equal(["a"], Assert.Single(role.Rules).ResourceNames);

        harness.Emulator.EnforceRbac = true;
        using var trainerA = harness.Emulator.CreateClient(harness.Emulator.TokenFor("default", "a-trainer"));
        var patch = new V1Patch("""{"status":{"progress":{"step":1}}}""", V1Patch.PatchType.MergePatch);
        await trainerA.CustomObjects.PatchNamespacedCustomObjectStatusAsync(patch, ApiGroup.Name, ApiGroup.Version, "default", DistillationJob.Plural, "a");
        var denied = await Assert.ThrowsAsync<k8s.Autorest.HttpOperationException>(() =>
            trainerA.CustomObjects.PatchNamespacedCustomObjectStatusAsync(patch, ApiGroup.Name, ApiGroup.Version, "default", DistillationJob.Plural, "b"));
        Assert.Equal(System.Net.HttpStatusCode.Forbidden, denied.Response.StatusCode);
    }

    [Fact]
    public async Task A_spec_the_validator_rejects_fails_with_a_condition_naming_the_field_an_event_and_no_job()
    {
        await using var harness = await OperatorHarness.StartAsync();
        await harness.StartOperatorAsync();
        await harness.CreateAsync(TestJobs.Named("bad").With(j =>
        {
            j.Spec.Distillation.SoftLabelWeight = 0;
            j.Spec.Distillation.HardLabelWeight = 0;
        }).Build());

        var failed = await harness.WaitForPhaseAsync("bad", JobPhase.Failed);
        var validated = failed.Status!.Conditions!.Single(c => c.Type == ConditionTypes.Validated);
        Assert.Equal("False", validated.Status);
        Assert.Equal(ConditionReasons.InvalidSpec, validated.Reason);
        Assert.Contains("spec.distillation.softLabelWeight", validated.Message, StringComparison.Ordinal);
        Assert.Empty(await harness.RunsAsync("bad"));
        var warning = Assert.Single(await harness.EventsAsync("bad"));
        Assert.Equal("Warning", warning.Type);
        Assert.Equal(ConditionReasons.InvalidSpec, warning.Reason);

        // Fixing the spec (a new generation) starts a run.
        harness.Kubelet.Decide = _ => new PodOutcome.KeepRunning();
        await harness.PatchSpecAsync("bad", new { distillation = new { softLabelWeight = 1.0 } });
        var fixedJob = await harness.WaitForPhaseAsync("bad", JobPhase.Running);
        Assert.Equal(2, fixedJob.Status!.ObservedGeneration);
        Assert.True(Conditions.IsTrue(fixedJob.Status.Conditions, ConditionTypes.Validated));
    }

    [Fact]
    public async Task A_preempted_trainer_resumes_without_counting_against_the_backoff_limit()
    {
        await using var harness = await OperatorHarness.StartAsync();
        var pods = 0;
        harness.Kubelet.Decide = _ => Interlocked.Increment(ref pods) <= 2 ? new PodOutcome.Evict() : new PodOutcome.Succeed(ResultMessage);
        await harness.StartOperatorAsync();
        await harness.CreateAsync(TestJobs.Named("preempted").With(j => j.Spec.RunPolicy.BackoffLimit = 0).Build());

        // Level-triggered: the count settles as the pods' events arrive.
        var done = await harness.WaitAsync("preempted", j => j.Status?.Phase == JobPhase.Succeeded && j.Status.Restarts == 2);
        Assert.Equal(3, (await harness.PodsAsync("preempted")).Count);
    }

    [Fact]
    public async Task A_trainer_that_keeps_crashing_fails_the_job_after_the_backoff_limit()
    {
        await using var harness = await OperatorHarness.StartAsync();
        harness.Kubelet.Decide = _ => new PodOutcome.Exit(1, "trainer: failed: CUDA error: out of memory");
        await harness.StartOperatorAsync();
        await harness.CreateAsync(TestJobs.Named("crashing").With(j => j.Spec.RunPolicy.BackoffLimit = 2).Build());

        var failed = await harness.WaitAsync("crashing", j => j.Status?.Phase == JobPhase.Failed && j.Status.Restarts == 3);
        var condition = failed.Status!.Conditions!.Single(c => c.Type == ConditionTypes.Failed);
        Assert.Equal(ConditionReasons.BackoffLimitExceeded, condition.Reason);
        Assert.Contains("out of memory", condition.Message, StringComparison.Ordinal);
        Assert.Equal(3, failed.Status.Restarts);
        Assert.Equal(3, (await harness.PodsAsync("crashing")).Count);
    }

    [Fact]
    public async Task Bad_input_fails_the_job_at_once()
    {
        await using var harness = await OperatorHarness.StartAsync();
        harness.Kubelet.Decide = _ => new PodOutcome.Exit(2, "trainer: bad input: data/train.tsv:3: label 'x' is not a class");
        await harness.StartOperatorAsync();
        await harness.CreateAsync(TestJobs.Named("badinput").Build());

        var failed = await harness.WaitForPhaseAsync("badinput", JobPhase.Failed);
        var condition = failed.Status!.Conditions!.Single(c => c.Type == ConditionTypes.Failed);
        Assert.Equal(ConditionReasons.BadInput, condition.Reason);
        Assert.Contains("train.tsv:3", condition.Message, StringComparison.Ordinal);
        Assert.Single(await harness.PodsAsync("badinput"));
        var warning = await harness.WaitForEventAsync("badinput", ConditionReasons.BadInput);
        Assert.Equal("Warning", warning.Type);
        Assert.Contains("train.tsv:3", warning.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_student_below_the_quality_gate_fails_the_job_with_the_measured_values()
    {
        await using var harness = await OperatorHarness.StartAsync();
        harness.Kubelet.Decide = _ => new PodOutcome.Succeed(ResultMessage);
        await harness.StartOperatorAsync();
        await harness.CreateAsync(TestJobs.Named("gated").WithValidationData().With(j => j.Spec.QualityGate = new QualityGate { MinStudentAccuracy = 0.9 }).Build());
        await harness.CreateAsync(TestJobs.Named("passing").WithValidationData().With(j => j.Spec.QualityGate = new QualityGate { MinAgreement = 0.9 }).Build());

        var failed = await harness.WaitForPhaseAsync("gated", JobPhase.Failed);
        var gate = failed.Status!.Conditions!.Single(c => c.Type == ConditionTypes.QualityTargetMet);
        Assert.Equal("False", gate.Status);
        Assert.Contains("student accuracy 0.88 is below 0.9", gate.Message, StringComparison.Ordinal);
        Assert.Equal("Warning", (await harness.WaitForEventAsync("gated", ConditionReasons.QualityTargetNotMet)).Type);
        var passed = await harness.WaitForPhaseAsync("passing", JobPhase.Succeeded);
        Assert.True(Conditions.IsTrue(passed.Status!.Conditions, ConditionTypes.QualityTargetMet));
    }

    [Fact]
    public async Task A_second_job_writing_to_the_same_output_waits_until_the_first_finishes()
    {
        await using var harness = await OperatorHarness.StartAsync();
        harness.Kubelet.Decide = _ => new PodOutcome.KeepRunning();
        await harness.StartOperatorAsync();
        await harness.CreateAsync(TestJobs.Named("first").With(j => j.Spec.Output.Uri = "pvc://models/students/shared").Build());
        await harness.WaitForPhaseAsync("first", JobPhase.Running);

        await harness.CreateAsync(TestJobs.Named("second").With(j => j.Spec.Output.Uri = "pvc://models/students/shared/").Build());
        var waiting = await harness.WaitAsync("second", j => j.Status?.Conditions?.Any(c => c.Reason == ConditionReasons.OutputInUse) == true);
        Assert.Equal(JobPhase.Pending, waiting.Status!.Phase);
        Assert.Contains("trainer Job first-g1 of DistillationJob first", waiting.Status.Conditions!.Single(c => c.Type == ConditionTypes.Running).Message, StringComparison.Ordinal);
        Assert.Equal("Warning", (await harness.WaitForEventAsync("second", ConditionReasons.OutputInUse)).Type);
        Assert.Empty(await harness.RunsAsync("second"));

        var pod = Assert.Single(await harness.PodsAsync("first"));
        harness.Kubelet.Finish("default", pod.Metadata.Name, new PodOutcome.Succeed(ResultMessage));
        await harness.WaitForPhaseAsync("first", JobPhase.Succeeded);
        var started = await harness.WaitForPhaseAsync("second", JobPhase.Running);
        Assert.Equal("second-g1", started.Status!.TrainerJob);
    }

    [Fact]
    public async Task A_spec_change_on_a_running_job_replaces_its_run()
    {
        await using var harness = await OperatorHarness.StartAsync();
        harness.Kubelet.Decide = _ => new PodOutcome.KeepRunning();
        await harness.StartOperatorAsync();
        await harness.CreateAsync(TestJobs.Named("gitops").Build());
        await harness.WaitForPhaseAsync("gitops", JobPhase.Running);

        await harness.PatchSpecAsync("gitops", new { training = new { learningRate = 3e-5 } });
        var replaced = await harness.WaitAsync("gitops", j => j.Status?.TrainerJob == "gitops-g2" && j.Status.Phase == JobPhase.Running);

        Assert.Equal(2, replaced.Status!.ObservedGeneration);
        Assert.Equal(["gitops-g2"], (await harness.RunsAsync("gitops")).Select(r => r.Metadata.Name));
        var spec = await harness.Client.CoreV1.ReadNamespacedConfigMapAsync("gitops-g2-spec", "default");
        Assert.Contains("3E-05", spec.Data["job.json"], StringComparison.OrdinalIgnoreCase);
        Assert.Contains("ReplacingRun", (await harness.EventsAsync("gitops")).Select(e => e.Reason));
    }

    [Fact]
    public async Task A_spec_change_on_a_finished_job_starts_a_new_run()
    {
        await using var harness = await OperatorHarness.StartAsync();
        harness.Kubelet.Decide = _ => new PodOutcome.Succeed(ResultMessage);
        await harness.StartOperatorAsync();
        await harness.CreateAsync(TestJobs.Named("retrain").Build());
        await harness.WaitForPhaseAsync("retrain", JobPhase.Succeeded);

        harness.Kubelet.Decide = _ => new PodOutcome.KeepRunning();
        await harness.PatchSpecAsync("retrain", new { data = new { train = new { uri = "pvc://data/train-v2.tsv" } } });
        var second = await harness.WaitAsync("retrain", j => j.Status?.TrainerJob == "retrain-g2" && j.Status.Phase == JobPhase.Running);
        Assert.Null(second.Status!.Result); // the first run's result does not describe this one
        Assert.Null(second.Status.CompletionTime);
    }

    [Fact]
    public async Task Suspending_stops_the_trainer_and_resuming_continues_the_same_run()
    {
        await using var harness = await OperatorHarness.StartAsync();
        harness.Kubelet.Decide = _ => new PodOutcome.KeepRunning();
        await harness.StartOperatorAsync();
        await harness.CreateAsync(TestJobs.Named("pausable").Build());
        await harness.WaitForPhaseAsync("pausable", JobPhase.Running);

        await harness.PatchSpecAsync("pausable", new { runPolicy = new { suspend = true } });
        var suspended = await harness.WaitForPhaseAsync("pausable", JobPhase.Suspended);
        Assert.Equal("pausable-g1", suspended.Status!.TrainerJob);
        await harness.WaitAsync("pausable", _ => harness.PodsAsync("pausable").Result.All(p => p.Status?.Phase != "Running"));

        await harness.PatchSpecAsync("pausable", new { runPolicy = new { suspend = false } });
        var resumed = await harness.WaitForPhaseAsync("pausable", JobPhase.Running);
        Assert.Equal("pausable-g1", resumed.Status!.TrainerJob);
        Assert.Equal(3, resumed.Status.ObservedGeneration);
        Assert.Single(await harness.RunsAsync("pausable"));
        var reasons = (await harness.EventsAsync("pausable")).Select(e => e.Reason).ToList();
        Assert.Contains("Suspended", reasons);
        Assert.Single(reasons, r => r == "RunCreated");
    }

    [Fact]
    public async Task A_queued_job_waits_for_kueue_to_admit_it()
    {
        await using var harness = await OperatorHarness.StartAsync();
        harness.Kubelet.Decide = _ => new PodOutcome.KeepRunning();
        await harness.StartOperatorAsync();
        await harness.CreateAsync(TestJobs.Named("queued").With(j => j.Spec.RunPolicy.QueueName = "gpu-queue").Build());

        var queued = await harness.WaitForPhaseAsync("queued", JobPhase.Queued);
        Assert.Equal("False", queued.Status!.Conditions!.Single(c => c.Type == ConditionTypes.Admitted).Status);
        var run = Assert.Single(await harness.RunsAsync("queued"));
        Assert.Equal("gpu-queue", run.Metadata.Labels["kueue.x-k8s.io/queue-name"]);

        // Kueue admits the workload by unsuspending the Job.
        await harness.Client.BatchV1.PatchNamespacedJobAsync(new V1Patch("""{"spec":{"suspend":false}}""", V1Patch.PatchType.MergePatch), run.Metadata.Name, "default");
        await harness.WaitForPhaseAsync("queued", JobPhase.Running);

        // Suspended by its owner, the job gives its run (and so Kueue's quota) up; resumed, it queues a new run.
        await harness.PatchSpecAsync("queued", new { runPolicy = new { suspend = true } });
        await harness.WaitForPhaseAsync("queued", JobPhase.Suspended);
        var deadline = DateTime.UtcNow.AddSeconds(30);
        while ((await harness.RunsAsync("queued")).Count > 0)
        {
            Assert.True(DateTime.UtcNow < deadline, "the suspended job's run was not removed");
            await Task.Delay(50);
        }

        await harness.PatchSpecAsync("queued", new { runPolicy = new { suspend = false } });
        await harness.WaitForPhaseAsync("queued", JobPhase.Queued);
        var requeued = Assert.Single(await harness.RunsAsync("queued"));
        Assert.NotEqual(run.Metadata.Name, requeued.Metadata.Name);
        Assert.True(requeued.Spec.Suspend);
    }

    [Fact]
    public async Task A_finished_job_is_deleted_with_its_children_when_its_ttl_passes()
    {
        await using var harness = await OperatorHarness.StartAsync();
        harness.Kubelet.Decide = _ => new PodOutcome.Succeed(ResultMessage);
        await harness.StartOperatorAsync();
        await harness.CreateAsync(TestJobs.Named("shortlived").With(j => j.Spec.RunPolicy.TtlSecondsAfterFinished = 2).Build());
        await harness.CreateAsync(TestJobs.Named("kept").With(j => j.Spec.RunPolicy.TtlSecondsAfterFinished = null).Build());

        var done = await harness.WaitForPhaseAsync("shortlived", JobPhase.Succeeded);
        var completed = done.Status!.CompletionTime!.Value;
        while (await harness.GetAsync("shortlived") is not null)
        {
            Assert.True(DateTime.UtcNow < completed.AddSeconds(15), "the job outlived its TTL");
            await Task.Delay(50);
        }

        Assert.True(DateTime.UtcNow >= completed.AddSeconds(2), "the job was deleted before its TTL");
        Assert.Empty(await harness.RunsAsync("shortlived"));
        await harness.WaitForPhaseAsync("kept", JobPhase.Succeeded);
        Assert.NotNull(await harness.GetAsync("kept"));
    }

    [Fact]
    public async Task Deleting_a_job_deletes_its_trainer_job_pods_configmap_and_identity()
    {
        await using var harness = await OperatorHarness.StartAsync();
        harness.Kubelet.Decide = _ => new PodOutcome.KeepRunning();
        await harness.StartOperatorAsync();
        await harness.CreateAsync(TestJobs.Named("doomed").Build());
        await harness.WaitForPhaseAsync("doomed", JobPhase.Running);

        await harness.Client.CustomObjects.DeleteNamespacedCustomObjectAsync(ApiGroup.Name, ApiGroup.Version, "default", DistillationJob.Plural, "doomed");
        await Task.Delay(1000); // the child deletions reach the operator as events: it must not re-create anything

        Assert.Empty(await harness.RunsAsync("doomed"));
        Assert.Empty(await harness.PodsAsync("doomed"));
        Assert.Empty((await harness.Client.CoreV1.ListNamespacedConfigMapAsync("default", labelSelector: "distill.dev/job=doomed")).Items);
        Assert.Empty((await harness.Client.CoreV1.ListNamespacedServiceAccountAsync("default", labelSelector: "distill.dev/job=doomed")).Items);
        Assert.Empty((await harness.Client.RbacAuthorizationV1.ListNamespacedRoleAsync("default", labelSelector: "distill.dev/job=doomed")).Items);
        Assert.Empty((await harness.Client.RbacAuthorizationV1.ListNamespacedRoleBindingAsync("default", labelSelector: "distill.dev/job=doomed")).Items);
    }
}
