namespace DistillOperator.Api.Schema;

/// <summary>The string formats Kubernetes itself enforces, as anchored regular expressions.</summary>
public static class KubernetesFormats
{
    /// <summary>A resource quantity: 4, 0.5, 500m, 16Gi, 1e3.</summary>
    public const string QuantityPattern =
        @"^(\+|-)?(([0-9]+(\.[0-9]*)?)|(\.[0-9]+))(([KMGTPE]i)|[numkMGTPE]|([eE](\+|-)?(([0-9]+(\.[0-9]*)?)|(\.[0-9]+))))?$";

    /// <summary>A DNS-1123 subdomain: object names such as PriorityClasses.</summary>
    public const string DnsSubdomainPattern = @"^[a-z0-9]([-a-z0-9]*[a-z0-9])?(\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*$";

    /// <summary>A DNS-1123 label: names of PersistentVolumeClaims' volumes, namespaces.</summary>
    public const string DnsLabelPattern = @"^[a-z0-9]([-a-z0-9]*[a-z0-9])?$";

    /// <summary>A label value, possibly empty.</summary>
    public const string LabelValuePattern = @"^(([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9])?$";
}
