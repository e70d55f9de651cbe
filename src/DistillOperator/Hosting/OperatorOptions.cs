namespace DistillOperator.Hosting;

/// <summary>The operator's settings. Each comes from a flag, an environment variable or the config file, in that order.</summary>
public sealed class OperatorOptions
{
    /// <summary>Port of /metrics, /healthz and /readyz; 0 picks a free port.</summary>
    public int MetricsPort { get; set; } = 8080;

    /// <summary>Namespaces to watch; empty: all.</summary>
    public IReadOnlyList<string> Namespaces { get; set; } = [];

    /// <summary>Run the controller only while holding the Lease.</summary>
    public bool LeaderElection { get; set; }

    /// <summary>Name of the Lease.</summary>
    public string LeaseName { get; set; } = "distill-operator";

    /// <summary>Namespace of the Lease; null: the operator's own (in-cluster) namespace, else "default".</summary>
    public string? LeaseNamespace { get; set; }

    /// <summary>This replica's identity in the Lease; default: POD_NAME, then HOSTNAME, then the machine name.</summary>
    public string Identity { get; set; } = Environment.GetEnvironmentVariable("POD_NAME") ?? Environment.GetEnvironmentVariable("HOSTNAME") ?? Environment.MachineName;

    /// <summary>Lease duration; the renew deadline is two thirds of it and the retry period a seventh.</summary>
    public TimeSpan LeaseDuration { get; set; } = TimeSpan.FromSeconds(15);

    /// <summary>The trainer container image.</summary>
    public string TrainerImage { get; set; } = "distill-trainer:latest";

    /// <summary>The trainer image's pull policy.</summary>
    public string TrainerImagePullPolicy { get; set; } = "IfNotPresent";

    /// <summary>Reconciles run in parallel (never two for one job).</summary>
    public int Workers { get; set; } = 2;

    /// <summary>How long a watch runs before the informer lists again and revisits every object.</summary>
    public TimeSpan Resync { get; set; } = TimeSpan.FromMinutes(5);

    /// <summary>A kubeconfig file; null: KUBECONFIG, ~/.kube/config, then the in-cluster service account.</summary>
    public string? Kubeconfig { get; set; }
}
