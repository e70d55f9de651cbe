using System.Globalization;
using DistillOperator.Api;
using DistillOperator.Api.V1Alpha1;
using k8s.Models;

namespace DistillOperator.Children;

/// <summary>
/// Builds the batch/v1 Job that runs one generation of a DistillationJob: the trainer container reading the run
/// spec from its ConfigMap, every claim the spec names mounted at /mnt/pvc/CLAIM, GPUs as nvidia.com/gpu, a
/// restricted security context, and a podFailurePolicy that fails at once on bad input (exit code 2) and ignores
/// disruptions (the next pod resumes from the checkpoint). Jobs for a Kueue queue start suspended for Kueue to admit.
/// </summary>
public static class TrainerJobBuilder
{
    /// <summary>The trainer's container name.</summary>
    public const string ContainerName = "trainer";

    /// <summary>Where the run spec ConfigMap is mounted.</summary>
    public const string SpecMountPath = "/etc/distill";

    /// <summary>The Kueue label that names the LocalQueue.</summary>
    public const string QueueLabel = "kueue.x-k8s.io/queue-name";

    /// <summary>The annotation on a trainer Job and its pods naming the output folder they write (spec.output.uri).</summary>
    public const string OutputAnnotation = ApiGroup.Name + "/output";

    /// <summary>The trainer's exit code for bad input.</summary>
    public const int BadInputExitCode = 2;

    /// <summary>The trainer's exit code for a teacher no better than the majority class (fails the Job at once too).</summary>
    public const int TeacherNotLearnedExitCode = 3;

    /// <summary>The group of the trainer image's user (Dockerfile: USER 10001), given to the pod as its fsGroup.</summary>
    public const long TrainerGroupId = 10001;

    /// <summary>
    /// How long a stopped trainer pod (preemption, drain, suspend, deletion) has between SIGTERM and SIGKILL: it finishes
    /// the step under way and writes a checkpoint (the student, a fine-tuned teacher and the optimizer state, which for a
    /// BERT-base teacher is over a gigabyte), longer than the 30 s Kubernetes gives by default.
    /// </summary>
    public const long TerminationGracePeriodSeconds = 120;

    /// <summary>Builds the Job of the job's current generation.</summary>
    public static V1Job Build(DistillationJob job, TrainerSettings settings)
    {
        ArgumentNullException.ThrowIfNull(job);
        ArgumentNullException.ThrowIfNull(settings);
        var spec = job.Spec;
        var labels = OwnerReferences.RunLabels(job);
        var jobLabels = new Dictionary<string, string>(labels);
        if (spec.RunPolicy.QueueName.Length > 0)
        {
            jobLabels[QueueLabel] = spec.RunPolicy.QueueName;
        }

        var claims = ClaimsOf(spec);
        Dictionary<string, string> OutputAnnotations() => new() { [OutputAnnotation] = spec.Output.Uri };
        return new V1Job
        {
            Metadata = new V1ObjectMeta
            {
                Name = RunNames.Run(job),
                NamespaceProperty = job.Metadata.NamespaceProperty,
                Labels = jobLabels,
                Annotations = OutputAnnotations(),
                OwnerReferences = [OwnerReferences.ControlledBy(job)],
            },
            Spec = new V1JobSpec
            {
                BackoffLimit = spec.RunPolicy.BackoffLimit,
                ActiveDeadlineSeconds = spec.RunPolicy.ActiveDeadlineSeconds is > 0 and var limit ? limit : null, // 0: no limit
                // Kueue admits a queued Job by unsuspending it.
                Suspend = spec.RunPolicy.Suspend || spec.RunPolicy.QueueName.Length > 0,
                PodFailurePolicy = new V1PodFailurePolicy
                {
                    Rules =
                    [
                        new V1PodFailurePolicyRule
                        {
                            Action = "FailJob",
                            OnExitCodes = new V1PodFailurePolicyOnExitCodesRequirement { ContainerName = ContainerName, OperatorProperty = "In", Values = [BadInputExitCode, TeacherNotLearnedExitCode] },
                        },
                        new V1PodFailurePolicyRule
                        {
                            Action = "Ignore",
                            OnPodConditions = [new V1PodFailurePolicyOnPodConditionsPattern { Type = "DisruptionTarget", Status = "True" }],
                        },
                    ],
                },
                Template = new V1PodTemplateSpec
                {
                    Metadata = new V1ObjectMeta { Labels = labels, Annotations = OutputAnnotations() },
                    Spec = new V1PodSpec
                    {
                        RestartPolicy = "Never",
                        TerminationGracePeriodSeconds = TerminationGracePeriodSeconds,
                        ServiceAccountName = RunNames.Trainer(job),
                        NodeSelector = spec.Resources.NodeSelector,
                        Tolerations = spec.Resources.Tolerations,
                        PriorityClassName = spec.Resources.PriorityClassName,
                        SecurityContext = new V1PodSecurityContext
                        {
                            RunAsNonRoot = true,
                            SeccompProfile = new V1SeccompProfile { Type = "RuntimeDefault" },
                            // Volumes that honour it (most block storage) are made group-writable for the image's
                            // user (10001), so a freshly provisioned claim owned by root can take the outputs.
                            FsGroup = TrainerGroupId,
                            FsGroupChangePolicy = "OnRootMismatch",
                        },
                        Containers = [Container(job, settings, claims)],
                        Volumes = [.. Volumes(job, claims)],
                    },
                },
            },
        };
    }

    /// <summary>The distinct claims the spec's pvc:// URIs name, in order.</summary>
    public static IReadOnlyList<string> ClaimsOf(DistillationJobSpec spec)
    {
        ArgumentNullException.ThrowIfNull(spec);
        string?[] uris = [spec.Teacher.Model?.Uri, spec.Data.Train.Uri, spec.Data.Validation?.Uri, spec.Data.Test?.Uri, spec.Data.Tokenizer.Vocab, spec.Output.Uri];
        return [.. uris.Select(u => StorageUri.TryParse(u, out var parsed, out _) ? parsed : null)
            .Where(u => u?.Kind == StorageKind.PersistentVolumeClaim)
            .Select(u => u!.Claim!)
            .Distinct(StringComparer.Ordinal)];
    }

    private static V1Container Container(DistillationJob job, TrainerSettings settings, IReadOnlyList<string> claims)
    {
        var resources = job.Spec.Resources;
        var quantities = new Dictionary<string, ResourceQuantity>();
        if (resources.Cpu is { } cpu)
        {
            quantities["cpu"] = new ResourceQuantity(cpu);
        }

        if (resources.Memory is { } memory)
        {
            quantities["memory"] = new ResourceQuantity(memory);
        }

        var limits = new Dictionary<string, ResourceQuantity>(quantities);
        if (resources.Gpus > 0)
        {
            limits["nvidia.com/gpu"] = new ResourceQuantity(resources.Gpus.ToString(CultureInfo.InvariantCulture));
        }

        return new V1Container
        {
            Name = ContainerName,
            Image = settings.Image,
            ImagePullPolicy = settings.ImagePullPolicy,
            Args = ["--job", $"{SpecMountPath}/{RunSpecBuilder.FileName}"],
            Env =
            [
                new V1EnvVar { Name = "DISTILL_JOB_NAME", Value = job.Metadata.Name },
                new V1EnvVar { Name = "DISTILL_JOB_NAMESPACE", ValueFrom = new V1EnvVarSource { FieldRef = new V1ObjectFieldSelector { FieldPath = "metadata.namespace" } } },
                new V1EnvVar { Name = "DISTILL_JOB_UID", Value = job.Metadata.Uid ?? "" },
                new V1EnvVar { Name = "HOME", Value = "/tmp" },
            ],
            Resources = new V1ResourceRequirements { Requests = quantities.Count > 0 ? quantities : null, Limits = limits.Count > 0 ? limits : null },
            SecurityContext = new V1SecurityContext
            {
                AllowPrivilegeEscalation = false,
                ReadOnlyRootFilesystem = true,
                RunAsNonRoot = true,
                Capabilities = new V1Capabilities { Drop = ["ALL"] },
            },
            TerminationMessagePolicy = "FallbackToLogsOnError",
            VolumeMounts =
            [
                new V1VolumeMount { Name = "run-spec", MountPath = SpecMountPath, ReadOnlyProperty = true },
                new V1VolumeMount { Name = "tmp", MountPath = "/tmp" },
                .. claims.Select(c => new V1VolumeMount { Name = VolumeName(c), MountPath = $"/mnt/pvc/{c}" }),
            ],
        };
    }

    private static IEnumerable<V1Volume> Volumes(DistillationJob job, IReadOnlyList<string> claims)
    {
        yield return new V1Volume { Name = "run-spec", ConfigMap = new V1ConfigMapVolumeSource { Name = RunNames.RunSpec(job) } };
        yield return new V1Volume { Name = "tmp", EmptyDir = new V1EmptyDirVolumeSource() };
        foreach (var claim in claims)
        {
            yield return new V1Volume { Name = VolumeName(claim), PersistentVolumeClaim = new V1PersistentVolumeClaimVolumeSource { ClaimName = claim } };
        }
    }

    // Volume names are DNS labels: a claim name may hold dots.
    private static string VolumeName(string claim) => "pvc-" + claim.Replace('.', '-');
}
