using System.Collections.Concurrent;
using System.Diagnostics.Metrics;
using DistillOperator.Api.V1Alpha1;
using DistillOperator.Controllers;

namespace DistillOperator.Metrics;

/// <summary>
/// The operator's metrics, exported on /metrics with the prefix distill_ (the names below are OpenTelemetry names;
/// Prometheus sees dots as underscores, counters with _total and seconds with _seconds). The README lists them.
/// </summary>
public sealed class OperatorMetrics : IDisposable
{
    /// <summary>The meter name to register with OpenTelemetry.</summary>
    public const string MeterName = "DistillOperator";

    private readonly Meter _meter;
    private readonly ConcurrentDictionary<ObjectKey, JobSnapshot> _jobs = new();
    private readonly Counter<long> _transitions;
    private readonly Histogram<double> _reconcileDuration;
    private readonly Counter<long> _reconcileErrors;
    private readonly Counter<long> _promotions;
    private readonly Histogram<double> _timeToRunning;
    private readonly Histogram<double> _jobDuration;
    private Func<int> _queueDepth = () => 0;

    /// <summary>Creates the instruments.</summary>
    public OperatorMetrics(IMeterFactory? factory = null)
    {
        _meter = factory?.Create(MeterName) ?? new Meter(MeterName);
        _transitions = _meter.CreateCounter<long>("distill.job.transitions", description: "Phase transitions of DistillationJobs, by from and to phase and the condition reason of the new phase.");
        // Bucket bounds in seconds for each scale (OpenTelemetry's defaults suit milliseconds).
        _reconcileDuration = _meter.CreateHistogram("distill.reconcile.duration", "s", "Time one reconcile of a DistillationJob takes, by result.", null, Buckets(0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10));
        _reconcileErrors = _meter.CreateCounter<long>("distill.reconcile.errors", description: "Reconciles that failed and were retried with back-off.");
        _promotions = _meter.CreateCounter<long>("distill.promotions", description: "Finished runs by whether their student was promoted to OUTPUT/current, with the reason (Promoted, QualityTargetNotMet, RegressionFromPromoted).");
        _timeToRunning = _meter.CreateHistogram("distill.job.time_to_running", "s", "From the creation of a run's trainer Job to its trainer running.", null, Buckets(1, 5, 10, 30, 60, 120, 300, 600, 1800, 3600, 7200));
        _jobDuration = _meter.CreateHistogram("distill.job.duration", "s", "From a run's start to its end, by final phase.", null, Buckets(60, 300, 600, 1800, 3600, 7200, 14400, 28800, 86400, 259200));
        _meter.CreateObservableGauge("distill.jobs", ObserveJobsByPhase, description: "DistillationJobs by phase.");
        _meter.CreateObservableGauge("distill.workqueue.depth", () => _queueDepth(), description: "DistillationJobs waiting for a reconcile.");
        _meter.CreateObservableGauge("distill.job.progress", () => PerJob(s => s.Percent), description: "Training progress of each DistillationJob, 0 to 100.");
        _meter.CreateObservableGauge("distill.job.student_accuracy", () => PerJob(s => s.StudentAccuracy), description: "Validation accuracy of each finished DistillationJob's student, as a fraction.");
        _meter.CreateObservableGauge("distill.job.agreement", () => PerJob(s => s.Agreement), description: "Fraction of validation examples where each finished student agrees with its teacher.");
    }

    /// <summary>Reports the work queue's depth from now on.</summary>
    public void TrackQueue(Func<int> depth) => _queueDepth = depth;

    /// <summary>
    /// A job moved from one phase to another, for <paramref name="reason"/> (the condition reason of the new phase: a
    /// bounded set, so alerts can tell BadInput from QualityTargetNotMet from an out-of-memory BackoffLimitExceeded).
    /// </summary>
    public void Transition(JobPhase? from, JobPhase to, string reason) =>
        _transitions.Add(1, new KeyValuePair<string, object?>("from", from?.ToString() ?? "None"), new KeyValuePair<string, object?>("to", to.ToString()), new KeyValuePair<string, object?>("reason", reason.Length > 0 ? reason : to.ToString()));

    /// <summary>A run's student was promoted or not, for <paramref name="reason"/>.</summary>
    public void Promotion(bool promoted, string reason) =>
        _promotions.Add(1, new KeyValuePair<string, object?>("result", promoted ? "promoted" : "not_promoted"), new KeyValuePair<string, object?>("reason", reason));

    /// <summary>A reconcile finished (result: success or error).</summary>
    public void Reconciled(TimeSpan duration, bool success)
    {
        _reconcileDuration.Record(duration.TotalSeconds, new KeyValuePair<string, object?>("result", success ? "success" : "error"));
        if (!success)
        {
            _reconcileErrors.Add(1);
        }
    }

    /// <summary>A run's trainer started running this long after its Job was created.</summary>
    public void TimeToRunning(TimeSpan wait) => _timeToRunning.Record(Math.Max(0, wait.TotalSeconds));

    /// <summary>A run ended in <paramref name="phase"/> after <paramref name="duration"/>.</summary>
    public void Finished(JobPhase phase, TimeSpan duration) =>
        _jobDuration.Record(Math.Max(0, duration.TotalSeconds), new KeyValuePair<string, object?>("phase", phase.ToString()));

    /// <summary>The job's current phase, progress and quality, for the gauges.</summary>
    public void Observe(ObjectKey key, JobPhase phase, DistillationJobStatus? status) =>
        _jobs[key] = new JobSnapshot(phase, status?.Progress?.Percent, status?.Result?.StudentAccuracy, status?.Result?.Agreement);

    /// <summary>This replica stopped reconciling (lost the lease, or stopping): its per-job gauges and queue depth go.</summary>
    public void Clear()
    {
        _jobs.Clear();
        _queueDepth = () => 0;
    }

    /// <summary>The job is gone: its gauges go too.</summary>
    public void Forget(ObjectKey key) => _jobs.TryRemove(key, out _);

    /// <inheritdoc />
    public void Dispose() => _meter.Dispose();

    private static InstrumentAdvice<double> Buckets(params double[] bounds) => new() { HistogramBucketBoundaries = bounds };

    private IEnumerable<Measurement<long>> ObserveJobsByPhase()
    {
        var counts = Enum.GetValues<JobPhase>().ToDictionary(p => p, _ => 0L);
        foreach (var snapshot in _jobs.Values)
        {
            counts[snapshot.Phase]++;
        }

        return counts.Select(c => new Measurement<long>(c.Value, new KeyValuePair<string, object?>("phase", c.Key.ToString())));
    }

    private IEnumerable<Measurement<double>> PerJob(Func<JobSnapshot, double?> value) =>
        _jobs.Select(j => (j.Key, Value: value(j.Value)))
            .Where(j => j.Value is not null)
            .Select(j => new Measurement<double>(j.Value!.Value, new KeyValuePair<string, object?>("namespace", j.Key.Namespace), new KeyValuePair<string, object?>("name", j.Key.Name)))
            .ToList();

    private sealed record JobSnapshot(JobPhase Phase, double? Percent, double? StudentAccuracy, double? Agreement);
}
