namespace DistillOperator.Trainer;

/// <summary>The trainer's exit codes, which the operator's podFailurePolicy reads.</summary>
public static class ExitCodes
{
    /// <summary>The student was trained and exported into its version folder (promoted or not: status.result.promoted says).</summary>
    public const int Success = 0;

    /// <summary>Anything unexpected; the run may be retried.</summary>
    public const int Failure = 1;

    /// <summary>Bad input (spec, data, model): retrying cannot help, so the job fails at once.</summary>
    public const int BadInput = 2;

    /// <summary>The teacher is no better than predicting the majority class: nothing to distil, so the job fails at once.</summary>
    public const int TeacherNotLearned = 3;

    /// <summary>Stopped by SIGTERM or SIGINT after writing a checkpoint (128 + SIGTERM).</summary>
    public const int Terminated = 143;
}
