namespace DistillOperator.Api.Schema;

/// <summary>
/// Marks a string field that also accepts a JSON integer, as Kubernetes quantities do (<c>cpu: 4</c> or <c>cpu: "4"</c>).
/// The schema says <c>x-kubernetes-int-or-string: true</c>.
/// </summary>
[AttributeUsage(AttributeTargets.Property)]
public sealed class IntOrStringAttribute : Attribute;
