namespace DistillOperator.Testing.Emulator.Workloads;

/// <summary>Runs the Job controller and the kubelet in the background until disposed, as a cluster's control loops would.</summary>
public sealed class WorkloadLoop : IAsyncDisposable
{
    private readonly CancellationTokenSource _stop = new();
    private readonly Task _loop;

    /// <summary>Starts the loops over <paramref name="store"/> with a scripted kubelet.</summary>
    public WorkloadLoop(ObjectStore store, TimeProvider? time = null)
        : this(store, new ScriptedKubelet(store, time), time)
    {
    }

    /// <summary>Starts the loops over <paramref name="store"/> with the given kubelet.</summary>
    public WorkloadLoop(ObjectStore store, IKubelet kubelet, TimeProvider? time = null)
    {
        Jobs = new JobController(store, time);
        Node = kubelet;
        _loop = Task.Run(RunAsync);
    }

    /// <summary>The Job controller.</summary>
    public JobController Jobs { get; }

    /// <summary>The kubelet running the pods.</summary>
    public IKubelet Node { get; }

    /// <summary>The scripted kubelet, when this loop has one; set <see cref="ScriptedKubelet.Decide"/> to script pods.</summary>
    public ScriptedKubelet Kubelet => Node as ScriptedKubelet ?? throw new InvalidOperationException("this loop runs pods as processes");

    /// <inheritdoc />
    public async ValueTask DisposeAsync()
    {
        await _stop.CancelAsync().ConfigureAwait(false);
        try
        {
            await _loop.ConfigureAwait(false);
        }
        catch (OperationCanceledException)
        {
        }

        _stop.Dispose();
    }

    private async Task RunAsync()
    {
        while (!_stop.IsCancellationRequested)
        {
            bool changed;
            try
            {
                changed = Jobs.Step() | Node.Step();
            }
            catch (ApiError e) when (e.Code is 404 or 409)
            {
                changed = true; // an object changed under us: look again
            }

            if (!changed)
            {
                await Task.Delay(20, _stop.Token).ConfigureAwait(false);
            }
        }
    }
}
