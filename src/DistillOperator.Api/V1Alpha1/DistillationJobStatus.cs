using System.Text.Json.Serialization;
using k8s.Models;

namespace DistillOperator.Api.V1Alpha1;

/// <summary>The observed state of a DistillationJob. The operator owns phase, conditions and times; the trainer owns progress and result.</summary>
public sealed class DistillationJobStatus
{
    /// <summary>Where the job is in its life: Pending, Queued, Initializing, Running, Succeeded, Failed or Suspended.</summary>
    [JsonPropertyName("phase")]
    public JobPhase? Phase { get; set; }

    /// <summary>Conditions (Ready, Reconciling, Validated, Admitted, Running, Stalled, Succeeded, Failed, QualityTargetMet) in metav1.Condition shape.</summary>
    [JsonPropertyName("conditions")]
    public IList<V1Condition>? Conditions { get; set; }

    /// <summary>The metadata.generation of the spec this status describes.</summary>
    [JsonPropertyName("observedGeneration")]
    public long? ObservedGeneration { get; set; }

    /// <summary>When the current run's trainer first started.</summary>
    [JsonPropertyName("startTime")]
    public DateTime? StartTime { get; set; }

    /// <summary>When the current run finished, successfully or not.</summary>
    [JsonPropertyName("completionTime")]
    public DateTime? CompletionTime { get; set; }

    /// <summary>Times the trainer of the current run was restarted (failures and disruptions).</summary>
    [JsonPropertyName("restarts")]
    public int? Restarts { get; set; }

    /// <summary>Name of the batch/v1 Job running the current generation.</summary>
    [JsonPropertyName("trainerJob")]
    public string? TrainerJob { get; set; }

    /// <summary>
    /// Hash of the spec fields that shape a run (all but suspend, TTL and progress timeout), as the trainer Job was
    /// made from them: a finished job whose spec changed only elsewhere is not trained again.
    /// </summary>
    [JsonPropertyName("runSpecHash")]
    public string? RunSpecHash { get; set; }

    /// <summary>
    /// The version promoted at spec.output.uri (OUTPUT/current) as of the last finished run: kept while a new run
    /// trains, so it always names what a serving system reads.
    /// </summary>
    [JsonPropertyName("promotedVersion")]
    public string? PromotedVersion { get; set; }

    /// <summary>Training progress, written by the trainer.</summary>
    [JsonPropertyName("progress")]
    public JobProgress? Progress { get; set; }

    /// <summary>Evaluation of the finished student, written by the trainer.</summary>
    [JsonPropertyName("result")]
    public JobResult? Result { get; set; }
}

/// <summary>Phases of a DistillationJob.</summary>
[JsonConverter(typeof(JsonStringEnumConverter<JobPhase>))]
public enum JobPhase
{
    /// <summary>Accepted, no trainer Job yet.</summary>
    Pending,

    /// <summary>Waiting for admission by a queue (Kueue) or for resources.</summary>
    Queued,

    /// <summary>The trainer pod is starting or loading models and data.</summary>
    Initializing,

    /// <summary>Training.</summary>
    Running,

    /// <summary>The student was trained, evaluated and exported.</summary>
    Succeeded,

    /// <summary>The run failed; the Failed condition says why.</summary>
    Failed,

    /// <summary>Stopped by spec.runPolicy.suspend; resumes from the last checkpoint.</summary>
    Suspended,
}
