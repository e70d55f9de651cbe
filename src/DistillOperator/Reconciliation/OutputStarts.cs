using DistillOperator.Controllers;

namespace DistillOperator.Reconciliation;

/// <summary>
/// The runs this operator is starting right now. Reconcile workers run in parallel, and a trainer Job reaches the cache
/// only once it is created: two jobs on one output could each find it free and both start. Here the check and the
/// registration of a start happen under one lock, and a start stays registered (holding its output against other
/// starts) until its trainer Job has been created and remembered in the cache, or it failed.
/// </summary>
public sealed class OutputStarts
{
    private readonly SemaphoreSlim _gate = new(1, 1);
    private readonly Dictionary<ObjectKey, string> _starting = [];

    /// <summary>
    /// Registers a start of <paramref name="key"/>'s run writing to <paramref name="outputUri"/> and returns null, or
    /// returns what holds the output (another start in flight, or what <paramref name="holder"/> finds) and registers
    /// nothing. A registered start must be ended with <see cref="End"/>.
    /// </summary>
    public async Task<string?> TryBeginAsync(ObjectKey key, string outputUri, Func<Task<string?>> holder, CancellationToken cancellation)
    {
        ArgumentNullException.ThrowIfNull(holder);
        await _gate.WaitAsync(cancellation).ConfigureAwait(false);
        try
        {
            foreach (var (other, uri) in _starting)
            {
                if (other != key && other.Namespace == key.Namespace && OutputClaim.Overlap(uri, outputUri))
                {
                    return $"DistillationJob {other.Name} is starting a trainer that writes to {uri}";
                }
            }

            if (await holder().ConfigureAwait(false) is { } held)
            {
                return held;
            }

            _starting[key] = outputUri;
            return null;
        }
        finally
        {
            _gate.Release();
        }
    }

    /// <summary>The start of <paramref name="key"/>'s run is over (its trainer Job is in the cache, or it failed).</summary>
    public void End(ObjectKey key)
    {
        _gate.Wait();
        try
        {
            _starting.Remove(key);
        }
        finally
        {
            _gate.Release();
        }
    }
}
