namespace DistillOperator.Api.Schema;

/// <summary>
/// A cross-field rule for the CRD's <c>x-kubernetes-validations</c>, written in CEL. The same rule is enforced in C#
/// by the validator, so a manifest gets the same answer from <c>distill validate</c> and from the API server.
/// </summary>
[AttributeUsage(AttributeTargets.Class | AttributeTargets.Property, AllowMultiple = true)]
public sealed class CelRuleAttribute(string rule, string message) : Attribute
{
    /// <summary>The CEL expression; <c>self</c> is the object the attribute sits on.</summary>
    public string Rule { get; } = rule;

    /// <summary>The message the API server returns when the rule fails.</summary>
    public string Message { get; } = message;
}
