namespace DistillOperator.Reconciliation;

/// <summary>
/// A child the operator creates for a job (trainer identity, spec ConfigMap, trainer Job) has a name that another
/// object holds. <see cref="LeftOver"/> says whether it was left by an earlier DistillationJob of the same name and has
/// been removed (the next attempt creates it), or is someone else's and stays until a person resolves the clash.
/// </summary>
public sealed class ChildNameConflictException(string message, bool leftOver) : Exception(message)
{
    /// <summary>True when the object belonged to an earlier job of the same name and was deleted.</summary>
    public bool LeftOver { get; } = leftOver;
}
