namespace DistillOperator.Reconciliation;

/// <summary>What a reconcile asks of the queue: nothing, or to look again after <paramref name="RequeueAfter"/> (deadlines, TTL).</summary>
/// <param name="RequeueAfter">When to reconcile again even if nothing changes.</param>
public sealed record ReconcileResult(TimeSpan? RequeueAfter = null)
{
    /// <summary>Nothing to wait for.</summary>
    public static ReconcileResult Done { get; } = new();

    /// <summary>The sooner of this and another requeue.</summary>
    public ReconcileResult Sooner(TimeSpan? other) =>
        other is not { } delay || (RequeueAfter is { } mine && mine <= delay) ? this : new ReconcileResult(delay);
}
