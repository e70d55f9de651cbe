using DistillOperator.Api.V1Alpha1;
using DistillOperator.Children;
using DistillOperator.Testing;
using k8s.Models;

namespace DistillOperator.Tests;

public sealed class TrainerJobBuilderTests
{
    private static readonly TrainerSettings Settings = new("registry.example/distill-trainer:1.0");

    private static DistillationJob Job(Action<DistillationJob>? change = null) =>
        TestJobs.Named("sst2").WithGeneration(3).With(j =>
        {
            j.Metadata.Uid = "uid-1";
            j.Spec.Data.Validation = new DatasetSpec { Uri = "pvc://datasets/sst2/dev.tsv" };
            j.Spec.Data.Train.Uri = "pvc://datasets/sst2/train.tsv";
            change?.Invoke(j);
        }).Build();

    [Fact]
    public void The_run_is_named_from_the_job_and_its_generation_and_owned_by_the_job()
    {
        var built = TrainerJobBuilder.Build(Job(), Settings);

        Assert.Equal("sst2-g3", built.Metadata.Name);
        var owner = Assert.Single(built.Metadata.OwnerReferences);
        Assert.Equal((DistillationJob.KindName, "sst2", "uid-1", true), (owner.Kind, owner.Name, owner.Uid, owner.Controller == true));
        Assert.Equal("3", built.Metadata.Labels[RunNames.GenerationLabel]);
        Assert.Equal("sst2", built.Spec.Template.Metadata.Labels[RunNames.JobLabel]);
    }

    [Fact]
    public void The_run_and_its_pods_name_the_output_they_write_so_another_job_can_wait_for_them()
    {
        var job = Job();
        var built = TrainerJobBuilder.Build(job, Settings);

        Assert.Equal(job.Spec.Output.Uri, built.Metadata.Annotations[TrainerJobBuilder.OutputAnnotation]);
        Assert.Equal(job.Spec.Output.Uri, built.Spec.Template.Metadata.Annotations[TrainerJobBuilder.OutputAnnotation]);
    }

    [Fact]
    public void Bad_input_and_a_teacher_that_learned_nothing_fail_the_job_at_once_and_disruptions_do_not_count()
    {
        var rules = TrainerJobBuilder.Build(Job(), Settings).Spec.PodFailurePolicy.Rules;

        Assert.Equal("FailJob", rules[0].Action);
        Assert.Equal([2, 3], rules[0].OnExitCodes.Values);
        Assert.Equal("Ignore", rules[1].Action);
        Assert.Equal("DisruptionTarget", Assert.Single(rules[1].OnPodConditions).Type);
    }

    [Fact]
    public void Every_claim_the_spec_names_is_mounted_once_under_mnt_pvc()
    {
        var pod = TrainerJobBuilder.Build(Job(), Settings).Spec.Template.Spec;

        var mounts = pod.Containers[0].VolumeMounts.Select(m => (m.Name, m.MountPath)).ToList();
        Assert.Equal([("run-spec", "/etc/distill"), ("tmp", "/tmp"), ("pvc-models", "/mnt/pvc/models"), ("pvc-datasets", "/mnt/pvc/datasets")], mounts);
        Assert.Equal(["models", "datasets"], pod.Volumes.Where(v => v.PersistentVolumeClaim is not null).Select(v => v.PersistentVolumeClaim.ClaimName));
        Assert.Equal(["--job", "/etc/distill/job.json"], pod.Containers[0].Args);
    }

    [Theory]
    [InlineData(null, 86400L)] // unset: a day
    [InlineData(172800L, 172800L)]
    [InlineData(0L, null)] // 0: no limit, for runs that must not be cut off
    public void The_runs_deadline_follows_active_deadline_seconds_and_0_means_none(long? set, long? expected)
    {
        var built = TrainerJobBuilder.Build(Job(j =>
        {
            if (set is { } seconds)
            {
                j.Spec.RunPolicy.ActiveDeadlineSeconds = seconds;
            }
        }), Settings);

        Assert.Equal(expected, built.Spec.ActiveDeadlineSeconds);
    }

    [Fact]
    public void Resources_gpus_and_placement_come_from_the_spec()
    {
        var built = TrainerJobBuilder.Build(Job(j =>
        {
            j.Spec.Resources.Gpus = 2;
            j.Spec.Resources.Cpu = "8";
            j.Spec.Resources.Memory = "32Gi";
            j.Spec.Resources.NodeSelector = new Dictionary<string, string> { ["gpu"] = "a100" };
            j.Spec.Resources.Tolerations = [new V1Toleration { Key = "nvidia.com/gpu", OperatorProperty = "Exists", Effect = "NoSchedule" }];
            j.Spec.Resources.PriorityClassName = "ml-batch";
        }), Settings);
        var pod = built.Spec.Template.Spec;
        var resources = pod.Containers[0].Resources;

        Assert.Equal("2", resources.Limits["nvidia.com/gpu"].ToString());
        Assert.Equal("8", resources.Requests["cpu"].ToString());
        Assert.Equal("32Gi", resources.Limits["memory"].ToString());
        Assert.False(resources.Requests.ContainsKey("nvidia.com/gpu"));
        Assert.Equal("a100", pod.NodeSelector["gpu"]);
        Assert.Equal("nvidia.com/gpu", Assert.Single(pod.Tolerations).Key);
        Assert.Equal("ml-batch", pod.PriorityClassName);
    }

    [Fact]
    public void The_pod_runs_restricted()
    {
        var pod = TrainerJobBuilder.Build(Job(), Settings).Spec.Template.Spec;
        var container = pod.Containers[0].SecurityContext;

        Assert.True(pod.SecurityContext.RunAsNonRoot);
        Assert.Equal("RuntimeDefault", pod.SecurityContext.SeccompProfile.Type);
        Assert.False(container.AllowPrivilegeEscalation);
        Assert.True(container.ReadOnlyRootFilesystem);
        Assert.Equal(["ALL"], container.Capabilities.Drop);
        Assert.Equal("sst2-trainer", pod.ServiceAccountName);
    }

    [Fact]
    public void The_pod_can_write_to_a_fresh_claim_owned_by_root()
    {
        var pod = TrainerJobBuilder.Build(Job(), Settings).Spec.Template.Spec;

        // The image runs as 10001: the claims are handed to its group, relabelled only when their root does not match.
        Assert.Equal(10001, pod.SecurityContext.FsGroup);
        Assert.Equal("OnRootMismatch", pod.SecurityContext.FsGroupChangePolicy);
    }

    [Fact]
    public void A_stopped_pod_has_two_minutes_to_write_its_checkpoint()
    {
        var pod = TrainerJobBuilder.Build(Job(), Settings).Spec.Template.Spec;

        Assert.Equal(120, pod.TerminationGracePeriodSeconds);
    }

    [Theory]
    [InlineData(false, "", false)]
    [InlineData(true, "", true)]
    [InlineData(false, "gpu-a100", true)]
    public void Suspension_follows_the_spec_and_queued_runs_wait_for_Kueue(bool suspend, string queue, bool expectSuspended)
    {
        var built = TrainerJobBuilder.Build(Job(j =>
        {
            j.Spec.RunPolicy.Suspend = suspend;
            j.Spec.RunPolicy.QueueName = queue;
        }), Settings);

        Assert.Equal(expectSuspended, built.Spec.Suspend);
        Assert.Equal(queue.Length > 0, built.Metadata.Labels.ContainsKey(TrainerJobBuilder.QueueLabel));
    }

    [Fact]
    public void The_trainer_may_patch_only_its_own_jobs_status()
    {
        var job = Job();

        var role = TrainerRbacBuilder.Role(job);
        var binding = TrainerRbacBuilder.RoleBinding(job);

        var rule = Assert.Single(role.Rules);
        Assert.Equal(["distill.dev"], rule.ApiGroups);
        Assert.Equal(["distillationjobs/status"], rule.Resources);
        Assert.Equal(["patch"], rule.Verbs);
        Assert.Equal(["sst2"], rule.ResourceNames);
        Assert.Equal(("Role", "sst2-trainer"), (binding.RoleRef.Kind, binding.RoleRef.Name));
        Assert.Equal(("ServiceAccount", "sst2-trainer"), (Assert.Single(binding.Subjects).Kind, binding.Subjects[0].Name));
    }

    [Fact]
    public void The_run_spec_holds_the_defaulted_job_for_the_trainer()
    {
        var map = RunSpecBuilder.Build(Job());

        Assert.Equal("sst2-g3-spec", map.Metadata.Name);
        var job = k8s.KubernetesJson.Deserialize<DistillationJob>(map.Data[RunSpecBuilder.FileName]);
        Assert.Equal("sst2", job.Metadata.Name);
        Assert.Equal(TokenizerType.Word, job.Spec.Data.Tokenizer.Type);
        Assert.Equal(job.Spec.Training.EpochsPerStage, job.Spec.Training.ClassificationEpochs);
        Assert.Null(job.Status);
    }
}
