namespace DistillOperator.Api.V1Alpha1;

/// <summary>Limits on the job's name, which the names of its run objects are derived from.</summary>
public static class DistillationJobNames
{
    /// <summary>
    /// Longest job name. The run's Job is named NAME-gGENERATION and its pods add a random suffix; Kubernetes puts the
    /// Job name into a label value (63 characters), so the job name keeps room for the generation suffix.
    /// </summary>
    public const int MaxNameLength = 52;
}
