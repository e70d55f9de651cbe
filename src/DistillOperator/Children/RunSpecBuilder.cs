using DistillOperator.Api.V1Alpha1;
using DistillOperator.Api.Validation;
using k8s;
using k8s.Models;

namespace DistillOperator.Children;

/// <summary>The ConfigMap that carries a run's resolved spec (defaults applied) to the trainer, as job.json.</summary>
public static class RunSpecBuilder
{
    /// <summary>The key of the spec in the ConfigMap, and the file name the trainer reads.</summary>
    public const string FileName = "job.json";

    /// <summary>Builds the ConfigMap for the job's current generation.</summary>
    public static V1ConfigMap Build(DistillationJob job)
    {
        ArgumentNullException.ThrowIfNull(job);
        var resolved = new DistillationJob
        {
            Metadata = new V1ObjectMeta { Name = job.Metadata.Name, NamespaceProperty = job.Metadata.NamespaceProperty, Generation = job.Metadata.Generation, Uid = job.Metadata.Uid },
            Spec = KubernetesJson.Deserialize<DistillationJobSpec>(KubernetesJson.Serialize(job.Spec)),
        };
        DistillationJobDefaults.Apply(resolved);
        var labels = OwnerReferences.RunLabels(job);
        return new V1ConfigMap
        {
            Metadata = new V1ObjectMeta
            {
                Name = RunNames.RunSpec(job),
                NamespaceProperty = job.Metadata.NamespaceProperty,
                Labels = labels,
                OwnerReferences = [OwnerReferences.ControlledBy(job)],
            },
            Data = new Dictionary<string, string> { [FileName] = KubernetesJson.Serialize(resolved) },
        };
    }
}
