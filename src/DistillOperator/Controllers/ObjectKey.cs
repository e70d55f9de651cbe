namespace DistillOperator.Controllers;

/// <summary>Identifies a namespaced object: the work queue's key.</summary>
/// <param name="Namespace">The object's namespace.</param>
/// <param name="Name">The object's name.</param>
public readonly record struct ObjectKey(string Namespace, string Name)
{
    /// <summary>NAMESPACE/NAME, as kubectl and logs show it.</summary>
    public override string ToString() => $"{Namespace}/{Name}";
}
