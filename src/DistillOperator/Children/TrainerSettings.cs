namespace DistillOperator.Children;

/// <summary>How the operator runs trainers, from its flags.</summary>
/// <param name="Image">The trainer container image.</param>
/// <param name="ImagePullPolicy">IfNotPresent, Always or Never.</param>
public sealed record TrainerSettings(string Image, string ImagePullPolicy = "IfNotPresent");
