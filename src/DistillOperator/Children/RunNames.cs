using System.Globalization;
using DistillOperator.Api.V1Alpha1;
using k8s.Models;

namespace DistillOperator.Children;

/// <summary>Names of the objects a DistillationJob owns. A run is one generation of the spec.</summary>
public static class RunNames
{
    /// <summary>Label on every child: the DistillationJob's name.</summary>
    public const string JobLabel = ApiGroup.Name + "/job";

    /// <summary>Label on run children: the generation the run trains.</summary>
    public const string GenerationLabel = ApiGroup.Name + "/generation";

    /// <summary>The DistillationJob a child belongs to (its <see cref="JobLabel"/>), or null for an object without the label.</summary>
    public static string? JobOf(V1ObjectMeta metadata) =>
        metadata?.Labels?.TryGetValue(JobLabel, out var name) == true ? name : null;

    /// <summary>True when the run's batch/v1 Job has finished: a Complete or Failed condition is True.</summary>
    public static bool Finished(V1Job run) =>
        run?.Status?.Conditions?.Any(c => c.Type is "Complete" or "Failed" && c.Status == "True") == true;

    /// <summary>The generation a run trains (1 before the API server has set one).</summary>
    public static long Generation(DistillationJob job)
    {
        ArgumentNullException.ThrowIfNull(job);
        return job.Metadata.Generation ?? 1;
    }

    /// <summary>The batch/v1 Job (and run) of a generation: NAME-gGENERATION.</summary>
    public static string Run(DistillationJob job) =>
        string.Create(CultureInfo.InvariantCulture, $"{job.Metadata.Name}-g{Generation(job)}");

    /// <summary>The ConfigMap holding a run's resolved spec.</summary>
    public static string RunSpec(DistillationJob job) => Run(job) + "-spec";

    /// <summary>The trainer's ServiceAccount, Role and RoleBinding (one per DistillationJob).</summary>
    public static string Trainer(DistillationJob job)
    {
        ArgumentNullException.ThrowIfNull(job);
        return job.Metadata.Name + "-trainer";
    }
}
