using System.Text.Json.Nodes;
using DistillOperator.Api.V1Alpha1;
using k8s;
using k8s.Models;

namespace DistillOperator.Trainer;

/// <summary>
/// Patches the DistillationJob named by DISTILL_JOB_NAME in DISTILL_JOB_NAMESPACE with the pod's own credentials:
/// the mounted service-account token in a cluster (whose Role allows only this patch), or the kubeconfig in
/// KUBECONFIG outside one. When DISTILL_JOB_UID is set, every patch is a JSON patch that first tests metadata.uid:
/// a pod left over from a deleted job cannot write into a new job of the same name (422).
/// </summary>
public sealed class KubernetesStatusPatcher(IKubernetes client, string ns, string name, string? uid = null) : IStatusPatcher, IDisposable
{
    /// <summary>The environment variable naming the job.</summary>
    public const string JobNameVariable = "DISTILL_JOB_NAME";

    /// <summary>The environment variable naming the job's namespace.</summary>
    public const string JobNamespaceVariable = "DISTILL_JOB_NAMESPACE";

    /// <summary>The environment variable holding the job's uid (optional).</summary>
    public const string JobUidVariable = "DISTILL_JOB_UID";

    /// <summary>The job this patcher writes to, as NAMESPACE/NAME.</summary>
    public string Target => $"{ns}/{name}";

    /// <summary>A patcher for the job the environment names, or null (with the reason) when there is no job or no credentials.</summary>
    public static KubernetesStatusPatcher? FromEnvironment(out string reason)
    {
        var name = Environment.GetEnvironmentVariable(JobNameVariable);
        var ns = Environment.GetEnvironmentVariable(JobNamespaceVariable);
        if (string.IsNullOrEmpty(name) || string.IsNullOrEmpty(ns))
        {
            reason = $"{JobNameVariable} or {JobNamespaceVariable} is not set";
            return null;
        }

        KubernetesClientConfiguration config;
        if (KubernetesClientConfiguration.IsInCluster())
        {
            config = KubernetesClientConfiguration.InClusterConfig();
        }
        else if (Environment.GetEnvironmentVariable("KUBECONFIG") is { Length: > 0 } kubeconfig)
        {
            config = KubernetesClientConfiguration.BuildConfigFromConfigFile(kubeconfig);
        }
        else
        {
            reason = "no service-account token is mounted and KUBECONFIG is not set";
            return null;
        }

        config.HttpClientTimeout = TimeSpan.FromSeconds(15);
        reason = "";
        var uid = Environment.GetEnvironmentVariable(JobUidVariable);
        return new KubernetesStatusPatcher(new Kubernetes(config), ns, name, string.IsNullOrEmpty(uid) ? null : uid);
    }

    /// <inheritdoc />
    public async Task PatchAsync(string mergePatch, CancellationToken cancellation) =>
        await client.CustomObjects.PatchNamespacedCustomObjectStatusAsync(Guarded(mergePatch), ApiGroup.Name, ApiGroup.Version, ns, DistillationJob.Plural, name, fieldManager: "distill-trainer", cancellationToken: cancellation).ConfigureAwait(false);

    /// <inheritdoc />
    public void Dispose() => client.Dispose();

    // With the job's uid, the merge patch {"status": {...}} becomes a JSON patch that first tests the uid: the API
    // server drops the metadata of a /status merge patch, so only a test operation can refuse a re-created job.
    private V1Patch Guarded(string mergePatch)
    {
        if (uid is null)
        {
            return new V1Patch(mergePatch, V1Patch.PatchType.MergePatch);
        }

        var fields = JsonNode.Parse(mergePatch)?["status"] as JsonObject ?? throw new ArgumentException("a status patch has a status object", nameof(mergePatch));
        return new V1Patch(StatusPatch.ForJob(uid, statusMissing: false, fields).ToJsonString(), V1Patch.PatchType.JsonPatch);
    }
}
