using System.Text.Json.Serialization;
using k8s;
using k8s.Models;

namespace DistillOperator.Api.V1Alpha1;

/// <summary>
/// A knowledge-distillation job: compresses a trained teacher model into a smaller student that learns from the
/// teacher's soft labels and internal representations (attention probabilities and [CLS] states).
/// </summary>
[KubernetesEntity(Group = ApiGroup.Name, ApiVersion = ApiGroup.Version, Kind = KindName, PluralName = Plural)]
public sealed class DistillationJob : IKubernetesObject<V1ObjectMeta>, ISpec<DistillationJobSpec>, IStatus<DistillationJobStatus?>
{
    /// <summary>The kind name.</summary>
    public const string KindName = "DistillationJob";

    /// <summary>The resource's plural name in URLs.</summary>
    public const string Plural = "distillationjobs";

    /// <summary>The resource's singular name.</summary>
    public const string Singular = "distillationjob";

    /// <summary>APIVersion defines the versioned schema of this representation of an object.</summary>
    [JsonPropertyName("apiVersion")]
    public string ApiVersion { get; set; } = ApiGroup.ApiVersion;

    /// <summary>Kind is a string value representing the REST resource this object represents.</summary>
    [JsonPropertyName("kind")]
    public string Kind { get; set; } = KindName;

    /// <summary>Standard object metadata.</summary>
    [JsonPropertyName("metadata")]
    public V1ObjectMeta Metadata { get; set; } = new();

    /// <summary>What to distill, from what data, how, and where to put the student.</summary>
    [JsonPropertyName("spec")]
    public DistillationJobSpec Spec { get; set; } = new();

    /// <summary>The observed state of the job, written by the operator and the trainer.</summary>
    [JsonPropertyName("status")]
    public DistillationJobStatus? Status { get; set; }
}

/// <summary>A list of DistillationJobs, as returned by the API server.</summary>
public sealed class DistillationJobList : IKubernetesObject<V1ListMeta>, IItems<DistillationJob>
{
    /// <summary>APIVersion of the list.</summary>
    [JsonPropertyName("apiVersion")]
    public string ApiVersion { get; set; } = ApiGroup.ApiVersion;

    /// <summary>Kind of the list.</summary>
    [JsonPropertyName("kind")]
    public string Kind { get; set; } = DistillationJob.KindName + "List";

    /// <summary>List metadata (resourceVersion, continue token).</summary>
    [JsonPropertyName("metadata")]
    public V1ListMeta Metadata { get; set; } = new();

    /// <summary>The jobs.</summary>
    [JsonPropertyName("items")]
    public IList<DistillationJob> Items { get; set; } = [];
}
