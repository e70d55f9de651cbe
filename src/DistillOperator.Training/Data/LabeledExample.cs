namespace DistillOperator.Training.Data;

/// <summary>A text (or pair) with its class index, and where it came from.</summary>
public sealed record LabeledExample(string Text, string? Pair, int Label, int Line);
