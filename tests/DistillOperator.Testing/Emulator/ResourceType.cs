using System.Text.Json.Nodes;

namespace DistillOperator.Testing.Emulator;

/// <summary>A kind the emulator serves: where it lives in the URL space and how the API server treats it.</summary>
/// <param name="Group">API group; empty for the core group.</param>
/// <param name="Version">API version within the group.</param>
/// <param name="Kind">Kind name.</param>
/// <param name="Plural">Resource name in URLs.</param>
/// <param name="Namespaced">True for namespaced kinds.</param>
/// <param name="HasStatus">True when status is a subresource (ignored on the main resource).</param>
/// <param name="Schema">The openAPIV3Schema of a custom resource, which writes are validated against.</param>
/// <param name="PrinterColumns">The CRD's additionalPrinterColumns, for kubectl's table output.</param>
/// <param name="ShortNames">Short names kubectl accepts (dj).</param>
public sealed record ResourceType(string Group, string Version, string Kind, string Plural, bool Namespaced, bool HasStatus, JsonObject? Schema = null, JsonArray? PrinterColumns = null, IReadOnlyList<string>? ShortNames = null)
{
    /// <summary>The apiVersion field of objects of this kind.</summary>
    public string ApiVersion => Group.Length == 0 ? Version : $"{Group}/{Version}";

    /// <summary>The kind of lists of this kind.</summary>
    public string ListKind => Kind + "List";

    /// <summary>Identifies the resource: group and plural.</summary>
    public string Key => $"{Group}/{Plural}";

    /// <summary>The singular resource name.</summary>
    public string Singular => Kind.ToLowerInvariant();

    /// <summary>The kinds every emulator serves.</summary>
    public static IReadOnlyList<ResourceType> BuiltIn { get; } =
    [
        new("", "v1", "Namespace", "namespaces", Namespaced: false, HasStatus: true),
        new("", "v1", "Pod", "pods", Namespaced: true, HasStatus: true),
        new("", "v1", "ConfigMap", "configmaps", Namespaced: true, HasStatus: false),
        new("", "v1", "ServiceAccount", "serviceaccounts", Namespaced: true, HasStatus: false),
        new("", "v1", "Event", "events", Namespaced: true, HasStatus: false),
        new("batch", "v1", "Job", "jobs", Namespaced: true, HasStatus: true),
        new("coordination.k8s.io", "v1", "Lease", "leases", Namespaced: true, HasStatus: false),
        new("rbac.authorization.k8s.io", "v1", "Role", "roles", Namespaced: true, HasStatus: false),
        new("rbac.authorization.k8s.io", "v1", "RoleBinding", "rolebindings", Namespaced: true, HasStatus: false),
        new("rbac.authorization.k8s.io", "v1", "ClusterRole", "clusterroles", Namespaced: false, HasStatus: false),
        new("rbac.authorization.k8s.io", "v1", "ClusterRoleBinding", "clusterrolebindings", Namespaced: false, HasStatus: false),
        new("events.k8s.io", "v1", "Event", "events", Namespaced: true, HasStatus: false),
        new("apiextensions.k8s.io", "v1", "CustomResourceDefinition", "customresourcedefinitions", Namespaced: false, HasStatus: true),
    ];

    /// <summary>The kind a CustomResourceDefinition defines (its storage version).</summary>
    public static ResourceType FromCrd(JsonObject crd)
    {
        ArgumentNullException.ThrowIfNull(crd);
        var spec = crd["spec"]!;
        var version = spec["versions"]!.AsArray().First(v => (bool?)v!["storage"] == true)!;
        return new ResourceType(
            (string)spec["group"]!,
            (string)version["name"]!,
            (string)spec["names"]!["kind"]!,
            (string)spec["names"]!["plural"]!,
            (string?)spec["scope"] != "Cluster",
            version["subresources"]?["status"] is not null,
            version["schema"]?["openAPIV3Schema"]?.DeepClone() as JsonObject,
            version["additionalPrinterColumns"]?.DeepClone() as JsonArray,
            spec["names"]!["shortNames"]?.AsArray().Select(n => (string)n!).ToList());
    }
}
