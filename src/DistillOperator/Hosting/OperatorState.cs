namespace DistillOperator.Hosting;

/// <summary>What /healthz and /readyz report, and what tests watch: leadership, cache sync and failures of the controller loop.</summary>
public sealed class OperatorState
{
    private volatile bool _leading;
    private volatile bool _synced;
    private volatile string? _fault;

    /// <summary>True while this replica runs the controller (always, without leader election).</summary>
    public bool Leading
    {
        get => _leading;
        set => _leading = value;
    }

    /// <summary>True when the leader's caches have listed once.</summary>
    public bool Synced
    {
        get => _synced;
        set => _synced = value;
    }

    /// <summary>Why the controller loop died, if it did: the process is then unhealthy and should be restarted.</summary>
    public string? Fault
    {
        get => _fault;
        set => _fault = value;
    }

    /// <summary>Ready to serve: a standby replica is ready (it waits for the Lease); the leader once its caches synced.</summary>
    public bool Ready => Fault is null && (!Leading || Synced);
}
