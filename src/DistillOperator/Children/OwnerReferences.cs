using DistillOperator.Api.V1Alpha1;
using k8s.Models;

namespace DistillOperator.Children;

/// <summary>The controller owner reference that ties a child to its DistillationJob, so deletion collects it.</summary>
public static class OwnerReferences
{
    /// <summary>A controller reference to <paramref name="job"/>.</summary>
    public static V1OwnerReference ControlledBy(DistillationJob job)
    {
        ArgumentNullException.ThrowIfNull(job);
        return new V1OwnerReference
        {
            ApiVersion = ApiGroup.ApiVersion,
            Kind = DistillationJob.KindName,
            Name = job.Metadata.Name,
            Uid = job.Metadata.Uid,
            Controller = true,
            // Not blockOwnerDeletion: with OwnerReferencesPermissionEnforcement it needs update on
            // distillationjobs/finalizers, a grant the operator has no other use for.
        };
    }

    /// <summary>The labels every child carries.</summary>
    public static Dictionary<string, string> Labels(DistillationJob job)
    {
        ArgumentNullException.ThrowIfNull(job);
        return new Dictionary<string, string>
        {
            ["app.kubernetes.io/name"] = "distill-trainer",
            ["app.kubernetes.io/managed-by"] = "distill-operator",
            [RunNames.JobLabel] = job.Metadata.Name,
        };
    }

    /// <summary>The labels of a run's children: <see cref="Labels"/> plus the generation the run trains.</summary>
    public static Dictionary<string, string> RunLabels(DistillationJob job)
    {
        var labels = Labels(job);
        labels[RunNames.GenerationLabel] = RunNames.Generation(job).ToString(System.Globalization.CultureInfo.InvariantCulture);
        return labels;
    }
}
