namespace DistillOperator.Controllers;

/// <summary>
/// The controller's work queue: keys are de-duplicated while waiting, a key is handed to one worker at a time (a key
/// added while it is being processed is queued again when the worker is done), delayed adds for requeues at an exact
/// time, and per-key exponential back-off for failures.
/// </summary>
public sealed class WorkQueue : IDisposable
{
    private readonly TimeProvider _time;
    private readonly TimeSpan _baseDelay;
    private readonly TimeSpan _maxDelay;
    private readonly object _gate = new();
    private readonly LinkedList<ObjectKey> _queue = new();
    private readonly HashSet<ObjectKey> _waiting = [];
    private readonly HashSet<ObjectKey> _processing = [];
    private readonly HashSet<ObjectKey> _dirty = [];
    private readonly Dictionary<ObjectKey, int> _failures = [];
    private readonly Dictionary<ObjectKey, (DateTimeOffset Due, ITimer Timer)> _delayed = [];
    private readonly SemaphoreSlim _available = new(0);
    private bool _disposed;

    /// <summary>A queue whose failed keys are retried after <paramref name="baseDelay"/>·2^(failures−1), at most <paramref name="maxDelay"/>.</summary>
    public WorkQueue(TimeProvider? time = null, TimeSpan? baseDelay = null, TimeSpan? maxDelay = null)
    {
        _time = time ?? TimeProvider.System;
        _baseDelay = baseDelay ?? TimeSpan.FromMilliseconds(200);
        _maxDelay = maxDelay ?? TimeSpan.FromMinutes(5);
    }

    /// <summary>Keys waiting for a worker (not counting those being processed or delayed).</summary>
    public int Depth
    {
        get
        {
            lock (_gate)
            {
                return _queue.Count;
            }
        }
    }

    /// <summary>Queues <paramref name="key"/> unless it is already waiting.</summary>
    public void Add(ObjectKey key)
    {
        lock (_gate)
        {
            if (_disposed)
            {
                return;
            }

            if (_processing.Contains(key))
            {
                _dirty.Add(key);
                return;
            }

            if (_waiting.Add(key))
            {
                _queue.AddLast(key);
                _available.Release();
            }
        }
    }

    /// <summary>The longest a key waits in one go: a longer delay is cut to this, and the reconcile then asks again.</summary>
    public static readonly TimeSpan MaxDelay = TimeSpan.FromHours(24);

    /// <summary>Queues <paramref name="key"/> after <paramref name="delay"/>; an earlier pending delay for the key wins.</summary>
    public void AddAfter(ObjectKey key, TimeSpan delay)
    {
        if (delay > MaxDelay)
        {
            delay = MaxDelay;
        }

        if (delay <= TimeSpan.Zero)
        {
            Add(key);
            return;
        }

        lock (_gate)
        {
            if (_disposed)
            {
                return;
            }

            var due = _time.GetUtcNow() + delay;
            if (_delayed.TryGetValue(key, out var pending))
            {
                if (pending.Due <= due)
                {
                    return;
                }

                pending.Timer.Dispose();
            }

            var timer = _time.CreateTimer(_ => Fire(key, due), null, delay, Timeout.InfiniteTimeSpan);
            _delayed[key] = (due, timer);
        }
    }

    /// <summary>Queues <paramref name="key"/> after its next back-off delay (it failed again).</summary>
    public TimeSpan AddRateLimited(ObjectKey key)
    {
        TimeSpan delay;
        lock (_gate)
        {
            var failures = _failures.TryGetValue(key, out var n) ? n + 1 : 1;
            _failures[key] = failures;
            var factor = Math.Pow(2, Math.Min(failures - 1, 30));
            delay = TimeSpan.FromTicks((long)Math.Min(_baseDelay.Ticks * factor, _maxDelay.Ticks));
        }

        AddAfter(key, delay);
        return delay;
    }

    /// <summary>Clears the key's failure count (it succeeded).</summary>
    public void Forget(ObjectKey key)
    {
        lock (_gate)
        {
            _failures.Remove(key);
        }
    }

    /// <summary>Waits for a key and marks it as being processed; call <see cref="Done"/> when finished with it.</summary>
    public async Task<ObjectKey> TakeAsync(CancellationToken cancellation)
    {
        while (true)
        {
            await _available.WaitAsync(cancellation).ConfigureAwait(false);
            lock (_gate)
            {
                if (_queue.First is { } first)
                {
                    _queue.RemoveFirst();
                    _waiting.Remove(first.Value);
                    _processing.Add(first.Value);
                    return first.Value;
                }
            }
        }
    }

    /// <summary>The worker is done with <paramref name="key"/>; if it was added meanwhile, it is queued again.</summary>
    public void Done(ObjectKey key)
    {
        bool again;
        lock (_gate)
        {
            _processing.Remove(key);
            again = _dirty.Remove(key);
        }

        if (again)
        {
            Add(key);
        }
    }

    /// <inheritdoc />
    public void Dispose()
    {
        lock (_gate)
        {
            if (_disposed)
            {
                return;
            }

            _disposed = true;
            foreach (var (_, timer) in _delayed.Values)
            {
                timer.Dispose();
            }

            _delayed.Clear();
        }

        _available.Dispose();
    }

    private void Fire(ObjectKey key, DateTimeOffset due)
    {
        lock (_gate)
        {
            if (!_delayed.TryGetValue(key, out var pending) || pending.Due != due)
            {
                return;
            }

            _delayed.Remove(key);
            pending.Timer.Dispose();
        }

        Add(key);
    }
}
