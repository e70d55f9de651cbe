namespace DistillOperator.Api.V1Alpha1;

/// <summary>Annotations the project reads on a DistillationJob.</summary>
public static class DistillationJobAnnotations
{
    /// <summary>
    /// <c>distill.dev/run-target: local</c> marks a manifest written for <c>distill run</c> (plain paths as URIs), so
    /// <c>distill validate</c> checks it as a local job. A cluster still rejects its plain paths.
    /// </summary>
    public const string RunTarget = ApiGroup.Name + "/run-target";

    /// <summary>The value of <see cref="RunTarget"/> for local manifests.</summary>
    public const string Local = "local";
}
