using DistillOperator.Api.V1Alpha1;

namespace DistillOperator.Reconciliation;

/// <summary>What a run's batch/v1 Job and pods say about it, before quality gate and stall checks.</summary>
/// <param name="Phase">The phase the run is in.</param>
/// <param name="Reason">A CamelCase reason for the phase.</param>
/// <param name="Message">What a user should read about the phase.</param>
/// <param name="StartTime">When the run's trainer first started.</param>
/// <param name="CompletionTime">When the run finished.</param>
/// <param name="Restarts">Trainer pods of the run that failed or were disrupted.</param>
/// <param name="RunningSince">When the current trainer container started running.</param>
/// <param name="TerminationResult">The result the trainer left in its termination message, when it succeeded.</param>
/// <param name="RunCreated">When the run's batch/v1 Job was created.</param>
/// <param name="RunResumed">When the run's Job was last resumed after a suspension (its Suspended condition turned False).</param>
/// <param name="SucceededPodSeen">True when the pod that succeeded is among the pods observed (its termination message was read).</param>
/// <param name="LastWordsPending">True when the Job failed but counts more failed pods than the (cached) pods show: the last one's termination message, which says why, has not been read yet.</param>
public sealed record RunObservation(
    JobPhase Phase,
    string Reason,
    string Message,
    DateTime? StartTime,
    DateTime? CompletionTime,
    int Restarts,
    DateTime? RunningSince,
    JobResult? TerminationResult,
    DateTime? RunCreated = null,
    bool SucceededPodSeen = false,
    DateTime? RunResumed = null,
    bool LastWordsPending = false);
