namespace DistillOperator.Status;

/// <summary>The condition types a DistillationJob's status carries, in one place.</summary>
public static class ConditionTypes
{
    /// <summary>The spec passed validation.</summary>
    public const string Validated = "Validated";

    /// <summary>The run was admitted (by Kueue, or at once without a queue).</summary>
    public const string Admitted = "Admitted";

    /// <summary>The trainer is running.</summary>
    public const string Running = "Running";

    /// <summary>No progress for spec.runPolicy.progressTimeoutSeconds.</summary>
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
    public const string QualityTargetNotMet = "QualityTargetNotMet";

    /// <summary>The run is suspended by spec.runPolicy.suspend.</summary>
    public const string Suspended = "Suspended";
}
