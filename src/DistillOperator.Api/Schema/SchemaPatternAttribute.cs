namespace DistillOperator.Api.Schema;

/// <summary>
/// A regular expression a string field must match, with the words a user reads when it does not. Unlike
/// <see cref="System.ComponentModel.DataAnnotations.RegularExpressionAttribute"/> the pattern is not anchored for us:
/// write <c>^…$</c>, as OpenAPI does.
/// </summary>
[AttributeUsage(AttributeTargets.Property)]
public sealed class SchemaPatternAttribute(string pattern, string meaning) : Attribute
{
    /// <summary>The ECMA-262 compatible pattern, anchored by the author.</summary>
    public string Pattern { get; } = pattern;

    /// <summary>What a matching value is, for error messages ("a Kubernetes label value").</summary>
    public string Meaning { get; } = meaning;
}
