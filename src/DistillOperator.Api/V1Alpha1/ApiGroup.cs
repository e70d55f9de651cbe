namespace DistillOperator.Api.V1Alpha1;

/// <summary>The API group and version this package defines.</summary>
public static class ApiGroup
{
    /// <summary>The API group.</summary>
    public const string Name = "distill.dev";

    /// <summary>The version within the group.</summary>
    public const string Version = "v1alpha1";

    /// <summary>The apiVersion field value of objects in this group and version.</summary>
    public const string ApiVersion = Name + "/" + Version;

    /// <summary>Short names that kubectl accepts for the DistillationJob resource.</summary>
    public static readonly IReadOnlyList<string> ShortNames = ["dj", "distill"];
}
