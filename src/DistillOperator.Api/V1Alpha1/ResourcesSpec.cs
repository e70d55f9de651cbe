using System.ComponentModel.DataAnnotations;
using System.Text.Json.Serialization;
using DistillOperator.Api.Schema;
using k8s.Models;

namespace DistillOperator.Api.V1Alpha1;

/// <summary>Compute resources and placement of the trainer pod. Ignored by local runs.</summary>
public sealed class ResourcesSpec
{
    /// <summary>GPUs requested as nvidia.com/gpu; 0 runs on CPU.</summary>
    [Range(0, 64)]
    [JsonPropertyName("gpus")]
    public int Gpus { get; set; } = 1;

    /// <summary>CPU request and limit, a Kubernetes quantity (4, 500m).</summary>
    [IntOrString]
    [JsonConverter(typeof(NumberOrStringJsonConverter))]
    [SchemaPattern(KubernetesFormats.QuantityPattern, "a Kubernetes quantity such as 4, 500m or 16Gi")]
    [JsonPropertyName("cpu")]
    public string? Cpu { get; set; }

    /// <summary>Memory request and limit, a Kubernetes quantity (16Gi).</summary>
    [IntOrString]
    [JsonConverter(typeof(NumberOrStringJsonConverter))]
    [SchemaPattern(KubernetesFormats.QuantityPattern, "a Kubernetes quantity such as 4, 500m or 16Gi")]
    [JsonPropertyName("memory")]
    public string? Memory { get; set; }

    /// <summary>Node labels the trainer pod must match.</summary>
    [JsonPropertyName("nodeSelector")]
    public IDictionary<string, string>? NodeSelector { get; set; }

    /// <summary>Tolerations of the trainer pod (GPU node taints).</summary>
    [JsonPropertyName("tolerations")]
    public IList<V1Toleration>? Tolerations { get; set; }

    /// <summary>PriorityClass of the trainer pod.</summary>
    [SchemaPattern(KubernetesFormats.DnsSubdomainPattern, "a DNS-1123 subdomain (lower-case letters, digits, '-' and '.')")]
    [MaxLength(253)]
    [JsonPropertyName("priorityClassName")]
    public string? PriorityClassName { get; set; }
}
