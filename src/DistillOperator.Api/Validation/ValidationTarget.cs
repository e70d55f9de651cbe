namespace DistillOperator.Api.Validation;

/// <summary>Where a job is meant to run, which decides the storage URIs it may use.</summary>
public enum ValidationTarget
{
    /// <summary>In a cluster: <c>pvc://</c> and <c>file://</c> URIs only.</summary>
    Cluster,

    /// <summary>On this machine with <c>distill run</c>: also plain paths, relative to the manifest.</summary>
    Local,
}
