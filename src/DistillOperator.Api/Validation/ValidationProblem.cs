namespace DistillOperator.Api.Validation;

/// <summary>One thing wrong with a manifest: the JSON path of the field and what to do about it.</summary>
/// <param name="Path">The field, as <c>spec.distillation.temperature</c> or <c>spec.data.train.labels[2]</c>.</param>
/// <param name="Message">What is wrong, in words a user can act on, with the value found.</param>
public sealed record ValidationProblem(string Path, string Message)
{
    /// <summary>The problem as <c>PATH: MESSAGE</c>.</summary>
    public override string ToString() => $"{Path}: {Message}";
}
