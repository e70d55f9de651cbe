using System.Security.Cryptography;
using System.Text;
using DistillOperator.Api.Validation;
using DistillOperator.Api.V1Alpha1;
using k8s;

namespace DistillOperator.Reconciliation;

/// <summary>
/// Identifies what a run trains: a hash of the spec without the fields that steer a run rather than define it
/// (suspend, TTL, progress timeout, retention), with defaults applied. A new generation with the same hash keeps its run (suspend/resume); a
/// different hash starts a new one.
/// </summary>
public static class RunSpecHash
{
    /// <summary>The annotation on a run's Job that holds the hash.</summary>
    public const string Annotation = ApiGroup.Name + "/spec-hash";

    /// <summary>The hash of <paramref name="spec"/>: 16 hex digits.</summary>
    public static string Of(DistillationJobSpec spec)
    {
        ArgumentNullException.ThrowIfNull(spec);
        var copy = KubernetesJson.Deserialize<DistillationJobSpec>(KubernetesJson.Serialize(spec));
        DistillationJobDefaults.Apply(new DistillationJob { Spec = copy }); // a default spelled out is the same spec
        copy.RunPolicy.Suspend = false;
        copy.RunPolicy.TtlSecondsAfterFinished = null;
        copy.RunPolicy.ProgressTimeoutSeconds = 0;
        copy.Output.KeepVersions = 0; // retention is applied when a run ends; changing it trains nothing new
        return Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(KubernetesJson.Serialize(copy))))[..16];
    }

    /// <summary>The hash a run's Job was created for, if it carries one.</summary>
    public static string? OfRun(k8s.Models.V1Job run) =>
        run?.Metadata?.Annotations is { } annotations && annotations.TryGetValue(Annotation, out var hash) ? hash : null;
}
