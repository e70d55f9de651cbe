namespace DistillOperator.Testing.Emulator;

/// <summary>
/// Faults a test asks the emulator for: fail the next N matching requests with a status code, delay matching
/// requests, or drop every open watch stream.
/// </summary>
public sealed class FaultInjector
{
    private readonly Lock _lock = new();
    private readonly List<Rule> _rules = [];
    private CancellationTokenSource _watches = new();

    /// <summary>Answers the next <paramref name="count"/> requests that match with <paramref name="code"/> (409, 429, 500...).</summary>
    /// <param name="code">The HTTP status to answer with.</param>
    /// <param name="count">How many matching requests fail.</param>
    /// <param name="method">Only this HTTP method (GET, PATCH...), or any.</param>
    /// <param name="pathContains">Only paths containing this text, or any.</param>
    public void FailNext(int code, int count, string? method = null, string? pathContains = null)
    {
        lock (_lock)
        {
            _rules.Add(new Rule(method, pathContains, count) { Code = code });
        }
    }

    /// <summary>Delays the next <paramref name="count"/> matching requests by <paramref name="delay"/>.</summary>
    public void Delay(TimeSpan delay, int count, string? method = null, string? pathContains = null)
    {
        lock (_lock)
        {
            _rules.Add(new Rule(method, pathContains, count) { Wait = delay });
        }
    }

    /// <summary>Ends every open watch stream now, as a restarting API server or a broken connection would.</summary>
    public void DropWatches()
    {
        CancellationTokenSource old;
        lock (_lock)
        {
            old = _watches;
            _watches = new CancellationTokenSource();
        }

        old.Cancel();
        old.Dispose();
    }

    /// <summary>A token that is cancelled when the watches are dropped.</summary>
    internal CancellationToken WatchToken
    {
        get
        {
            lock (_lock)
            {
                return _watches.Token;
            }
        }
    }

    /// <summary>The fault for a request, if one applies: a status code to answer with, and a delay first.</summary>
    internal (int? Code, TimeSpan Delay) For(string method, string path)
    {
        lock (_lock)
        {
            int? code = null;
            var delay = TimeSpan.Zero;
            foreach (var rule in _rules.Where(r => r.Remaining > 0 && (r.Method is null || r.Method == method) && (r.PathContains is null || path.Contains(r.PathContains, StringComparison.Ordinal))).ToList())
            {
                rule.Remaining--;
                code ??= rule.Code;
                delay += rule.Wait;
            }

            _rules.RemoveAll(r => r.Remaining <= 0);
            return (code, delay);
        }
    }

    private sealed class Rule(string? method, string? pathContains, int count)
    {
        public string? Method { get; } = method;

        public string? PathContains { get; } = pathContains;

        public int Remaining { get; set; } = count;

        public int? Code { get; init; }

        public TimeSpan Wait { get; init; }
    }
}
