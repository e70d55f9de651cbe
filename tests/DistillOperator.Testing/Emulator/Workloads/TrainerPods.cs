namespace DistillOperator.Testing.Emulator.Workloads;

/// <summary>
/// An emulator's workloads with the process kubelet: pods of image <c>distill-trainer</c> run the built trainer,
/// claims are folders under ROOT/claims, and pod logs are served. Disposing stops the loops and kills the pods.
/// </summary>
public sealed class TrainerPods : IAsyncDisposable
{
    private readonly ProcessKubelet _kubelet;
    private readonly WorkloadLoop _loop;

    /// <summary>Starts the Job controller and the process kubelet on <paramref name="emulator"/>.</summary>
    public TrainerPods(KubernetesEmulator emulator, string trainerAssembly, string root)
    {
        ArgumentNullException.ThrowIfNull(emulator);
        ClaimRoot = Path.Combine(root, "claims");
        var pods = Path.Combine(root, "pods");
        _kubelet = new ProcessKubelet(emulator.Store, new Dictionary<string, string[]> { ["distill-trainer"] = ["dotnet", trainerAssembly] }, ClaimRoot, pods, (pod, environment) =>
        {
            // A real kubelet mounts the service account's token; here the pod gets a kubeconfig with a token of its account.
            var ns = (string)pod["metadata"]!["namespace"]!;
            var account = (string?)pod["spec"]?["serviceAccountName"] ?? "default";
            var kubeconfig = Path.Combine(pods, ns, (string)pod["metadata"]!["name"]!, "kubeconfig");
            emulator.WriteKubeconfig(kubeconfig, emulator.TokenFor(ns, account));
            environment["KUBECONFIG"] = kubeconfig;
            environment["DISTILL_STATUS_INTERVAL_SECONDS"] = "0.5";
        });
        emulator.PodLogs = _kubelet.Logs;
        _loop = new WorkloadLoop(emulator.Store, _kubelet);
    }

    /// <summary>The folder holding one sub-folder per PersistentVolumeClaim.</summary>
    public string ClaimRoot { get; }

    /// <summary>The folder of a claim, created if needed.</summary>
    public string Claim(string name) => Directory.CreateDirectory(Path.Combine(ClaimRoot, name)).FullName;

    /// <summary>The logs of a pod.</summary>
    public string? Logs(string ns, string name) => _kubelet.Logs(ns, name);

    /// <inheritdoc />
    public async ValueTask DisposeAsync()
    {
        await _loop.DisposeAsync().ConfigureAwait(false);
        _kubelet.Dispose();
    }
}
