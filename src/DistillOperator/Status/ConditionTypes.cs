using DistillOperator.Api.V1Alpha1;

namespace DistillOperator.Status;

/// <summary>The condition types a DistillationJob's status carries, in one place.</summary>
public static class ConditionTypes
{
    /// <summary>
    /// The run for the current generation succeeded and its student was promoted: what kstatus (Flux),
    /// <c>kubectl wait --for=condition=Ready</c> and Argo CD read. False, with the reason, in every other state.
    /// </summary>
    public const string Ready = "Ready";

    /// <summary>A run for the current generation is on its way (kstatus: InProgress while True).</summary>
    public const string Reconciling = "Reconciling";

    /// <summary>The spec passed validation.</summary>
    public const string Validated = "Validated";

    /// <summary>The run was admitted (by Kueue, or at once without a queue).</summary>
    public const string Admitted = "Admitted";

    /// <summary>The trainer is running.</summary>
    public const string Running = "Running";

    /// <summary>No progress for spec.runPolicy.progressTimeoutSeconds, or the run failed: nothing moves without a person (kstatus: Failed while True).</summary>
    public const string Stalled = "Stalled";

    /// <summary>The student was trained and exported.</summary>
    public const string Succeeded = "Succeeded";

    /// <summary>The run failed.</summary>
    public const string Failed = "Failed";

    /// <summary>The student met the quality gate.</summary>
    public const string QualityTargetMet = "QualityTargetMet";
}

/// <summary>The condition reasons, in one place.</summary>
public static class ConditionReasons
{
    /// <summary>The spec is invalid; the message lists every problem.</summary>
    public const string InvalidSpec = "InvalidSpec";

    /// <summary>The spec is valid.</summary>
    public const string SpecValid = "SpecValid";

    /// <summary>The trainer failed more often than backoffLimit allows.</summary>
    public const string BackoffLimitExceeded = "BackoffLimitExceeded";

    /// <summary>The trainer exited with the bad-input code.</summary>
    public const string BadInput = "BadInput";

    /// <summary>The run exceeded activeDeadlineSeconds.</summary>
    public const string DeadlineExceeded = "DeadlineExceeded";

    /// <summary>The quality gate was not met.</summary>
    public const string QualityTargetNotMet = QualityGateCheck.NotMet;

    /// <summary>The student is worse than the promoted one by more than qualityGate.maxRegression.</summary>
    public const string RegressionFromPromoted = QualityGateCheck.Regressed;

    /// <summary>The teacher was no better than predicting the majority class; nothing was distilled (trainer exit code 3).</summary>
    public const string TeacherNotLearned = "TeacherNotLearned";

    /// <summary>The student passed its gate and is the promoted version (an Event).</summary>
    public const string Promoted = "Promoted";

    /// <summary>The student was kept in its version folder and not promoted (an Event).</summary>
    public const string NotPromoted = "NotPromoted";

    /// <summary>The run is suspended by spec.runPolicy.suspend.</summary>
    public const string Suspended = "Suspended";

    /// <summary>The run finished and exported the student.</summary>
    public const string Completed = "Completed";

    /// <summary>Waiting for admission by a Kueue queue.</summary>
    public const string Queued = "Queued";

    /// <summary>The trainer is training.</summary>
    public const string Training = "Training";

    /// <summary>The trainer pod is starting.</summary>
    public const string PodStarting = "PodStarting";

    /// <summary>The trainer pod fits no node yet (the scheduler's message says why: no GPU free, a taint, a missing claim).</summary>
    public const string Unschedulable = "Unschedulable";

    /// <summary>A new trainer pod replaces a failed or disrupted one.</summary>
    public const string Restarting = "Restarting";

    /// <summary>No progress for progressTimeoutSeconds.</summary>
    public const string NoProgress = "NoProgress";

    /// <summary>Progress arrives in time.</summary>
    public const string Progressing = "Progressing";

    /// <summary>The student met every bound of the quality gate.</summary>
    public const string QualityTargetReached = QualityGateCheck.Passed;

    /// <summary>A new run of a changed spec started.</summary>
    public const string RunCreated = "RunCreated";

    /// <summary>The previous run is being stopped before the new one starts.</summary>
    public const string ReplacingRun = "ReplacingRun";

    /// <summary>Another unfinished DistillationJob in the namespace writes to the same output folder (or one inside it, or around it); this one starts after it.</summary>
    public const string OutputInUse = "OutputInUse";

    /// <summary>An object the job needs for its trainer (its ServiceAccount, Role, RoleBinding or spec ConfigMap) has a name another object holds.</summary>
    public const string NameConflict = "NameConflict";

    /// <summary>The trainer exited 0; the Job is about to be marked Complete.</summary>
    public const string Completing = "Completing";

    /// <summary>The Job completed but its result has not been seen yet.</summary>
    public const string AwaitingResult = "AwaitingResult";
}
