using System.ComponentModel.DataAnnotations;
using System.Text.Json.Serialization;
using DistillOperator.Api.Schema;

namespace DistillOperator.Api.V1Alpha1;

/// <summary>How the run is retried, bounded, queued and cleaned up.</summary>
public sealed class RunPolicy
{
    /// <summary>Trainer failures retried before the job fails. Evictions and preemptions do not count; bad input (exit code 2) fails at once.</summary>
    [Range(0, 100)]
    [JsonPropertyName("backoffLimit")]
    public int BackoffLimit { get; set; } = 3;

    /// <summary>Wall-clock limit of a run in seconds, from its start; a day unless set (set it higher for longer runs, or 0 for no limit).</summary>
    [Range(0L, long.MaxValue)]
    [JsonPropertyName("activeDeadlineSeconds")]
    public long? ActiveDeadlineSeconds { get; set; } = 86400;

    /// <summary>
    /// Delete the finished job (with its trainer Job and pods) this many seconds after it completes; unset keeps it, as
    /// for a Kubernetes Job. Leave it unset for jobs a GitOps tool manages: the tool would re-create a deleted job, which
    /// trains again.
    /// </summary>
    [Range(0L, long.MaxValue)]
    [JsonPropertyName("ttlSecondsAfterFinished")]
    public long? TtlSecondsAfterFinished { get; set; }

    /// <summary>Stop the trainer (after a checkpoint) and keep the job Suspended until set back to false.</summary>
    [JsonPropertyName("suspend")]
    public bool Suspend { get; set; }

    /// <summary>Kueue LocalQueue to admit the run through (label kueue.x-k8s.io/queue-name); empty: no queueing.</summary>
    [MaxLength(63)]
    [SchemaPattern(KubernetesFormats.LabelValuePattern, "a Kubernetes label value (letters, digits, '-', '_' and '.', starting and ending with a letter or digit)")]
    [JsonPropertyName("queueName")]
    public string QueueName { get; set; } = "";

    /// <summary>Mark the job Stalled when the trainer reports no progress for this many seconds.</summary>
    [Range(30, 604800)]
    [JsonPropertyName("progressTimeoutSeconds")]
    public int ProgressTimeoutSeconds { get; set; } = 1800;
}
