namespace DistillOperator.Reconciliation;

/// <summary>
/// A child the operator creates for a job (trainer identity, spec ConfigMap, trainer Job) has a name that another
/// object holds. <see cref="LeftOver"/> says whether the clash clears by itself (an earlier DistillationJob's object,
/// deleted or being deleted: the next attempt retries quietly), or needs a person (someone else's object, or a
/// left-over held by a finalizer), which the reconciler reports as an event.
/// </summary>
public sealed class ChildNameConflictException(string message, bool leftOver) : Exception(message)
{
    /// <summary>True when the clash clears by itself and is retried without an event.</summary>
    public bool LeftOver { get; } = leftOver;
}
