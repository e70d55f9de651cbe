using System.Text.Json.Nodes;
using DistillOperator.Api.V1Alpha1;
using DistillOperator.Training.Distillation;
using DistillOperator.Training.Runs;
using k8s;

namespace DistillOperator.Trainer;

/// <summary>
/// The trainer's side of the progress channel: keeps the newest progress and sends it as a merge patch of
/// status.progress at most once per interval (one patch in flight; a failed one is retried with the next newer
/// progress), and sends the final result with a few retries. It never throws into training: a cluster that cannot
/// be reached costs status updates, not the run (the termination message still carries the result).
/// </summary>
public sealed class StatusReporter(IStatusPatcher patcher, TimeSpan interval, TextWriter log, TimeProvider? time = null) : ITrainingProgress
{
    private const int MaxWarningLength = 512;
    private readonly TimeProvider _time = time ?? TimeProvider.System;
    private readonly Lock _gate = new();
    private readonly JobProgress _progress = new();
    private DateTimeOffset _runStart;
    private long _firstStep = -1;
    private DateTimeOffset? _lastSent;
    private Task _inFlight = Task.CompletedTask;
    private bool _sending; // under _gate: a patch is in flight, or about to be followed by the one a stage start asked for
    private bool _forcedWhileInFlight;
    private int _failures;
    private int _sent;

    /// <summary>Patches sent successfully.</summary>
    public int Sent => Volatile.Read(ref _sent);

    /// <inheritdoc />
    public void StageStarted(StageProgress stage)
    {
        ArgumentNullException.ThrowIfNull(stage);
        lock (_gate)
        {
            _progress.Stage = stage.Stage.Name;
            _progress.StageIndex = stage.Index;
            _progress.StageCount = stage.Count;
            _progress.Epoch = 1;
        }

        SendIfDue(force: true);
    }

    /// <inheritdoc />
    public void StepCompleted(StepProgress step)
    {
        ArgumentNullException.ThrowIfNull(step);
        var now = _time.GetUtcNow();
        lock (_gate)
        {
            if (_firstStep < 0)
            {
                (_firstStep, _runStart) = (step.Step - 1, now);
            }

            _progress.Stage = step.Stage;
            _progress.StageIndex = step.StageIndex;
            _progress.StageCount = step.StageCount;
            _progress.Epoch = step.Epoch;
            _progress.Step = step.Step;
            _progress.TotalSteps = step.TotalSteps;
            _progress.Percent = step.TotalSteps > 0 ? Math.Round(100.0 * step.Step / step.TotalSteps, 1) : null;
            var done = step.Step - _firstStep;
            _progress.EtaSeconds = done > 0 ? (long)((now - _runStart).TotalSeconds / done * (step.TotalSteps - step.Step)) : null;
            _progress.Losses = new LossValues
            {
                Soft = step.Losses.TryGetValue("soft", out var soft) ? soft : null,
                Hard = step.Losses.TryGetValue("hard", out var hard) ? hard : null,
                Attention = step.Losses.TryGetValue("attention", out var attention) ? attention : null,
                Hidden = step.Losses.TryGetValue("hidden", out var hidden) ? hidden : null,
            };
        }

        SendIfDue(force: false);
    }

    /// <inheritdoc />
    public void Evaluated(EvaluationProgress evaluation)
    {
    }

    /// <inheritdoc />
    public void CheckpointWritten(string path, long step)
    {
        lock (_gate)
        {
            _progress.LastCheckpoint = StoragePaths.PodUri(path);
        }
    }

    /// <summary>Most warnings kept in status.progress.warnings; later ones go to the log only.</summary>
    public const int MaxWarnings = 8;

    /// <inheritdoc />
    public void Warning(string message)
    {
        ArgumentException.ThrowIfNullOrEmpty(message);
        lock (_gate)
        {
            var warnings = _progress.Warnings ??= [];
            var kept = message.Length > MaxWarningLength ? message[..MaxWarningLength] + "…" : message;
            if (warnings.Count >= MaxWarnings || warnings.Contains(kept))
            {
                return;
            }

            warnings.Add(kept);
        }

        SendIfDue(force: true); // where kubectl describe shows it, not only in the pod's log
    }


    /// <summary>Waits for the patch in flight, if any, and for the one a stage start queued behind it.</summary>
    public async Task FlushAsync()
    {
        while (true)
        {
            Task inFlight;
            lock (_gate)
            {
                inFlight = _inFlight;
            }

            await inFlight.ConfigureAwait(false);
            lock (_gate)
            {
                if (ReferenceEquals(inFlight, _inFlight))
                {
                    return;
                }
            }
        }
    }

    /// <summary>
    /// Sends the final progress and the result, trying <paramref name="attempts"/> times with a doubling pause from
    /// <paramref name="firstPause"/>. Returns whether the cluster took it.
    /// </summary>
    public async Task<bool> ReportResultAsync(JobResult result, int attempts = 4, TimeSpan? firstPause = null, CancellationToken cancellation = default)
    {
        ArgumentNullException.ThrowIfNull(result);
        await FlushAsync().ConfigureAwait(false);
        string patch;
        lock (_gate)
        {
            _progress.Percent = 100;
            _progress.EtaSeconds = 0;
            _progress.UpdateTime = Now();
            patch = Patch(("progress", JsonNode.Parse(KubernetesJson.Serialize(_progress))), ("result", JsonNode.Parse(KubernetesJson.Serialize(result))));
        }

        var pause = firstPause ?? TimeSpan.FromSeconds(1);
        for (var attempt = 1; attempt <= attempts; attempt++)
        {
            try
            {
                await patcher.PatchAsync(patch, cancellation).ConfigureAwait(false);
                Interlocked.Increment(ref _sent);
                return true;
            }
            catch (Exception e) when (e is not OperationCanceledException)
            {
                log.WriteLine($"trainer: could not report the result (attempt {attempt} of {attempts}): {e.Message}");
                if (attempt < attempts)
                {
                    await Task.Delay(pause, _time, cancellation).ConfigureAwait(false);
                    pause *= 2;
                }
            }
        }

        log.WriteLine("trainer: the result stays in the termination message for the operator to read");
        return false;
    }

    private static string Patch(params (string Name, JsonNode? Value)[] fields)
    {
        var status = new JsonObject();
        foreach (var (name, value) in fields)
        {
            status[name] = value;
        }

        return new JsonObject { ["status"] = status }.ToJsonString();
    }

    private DateTime Now()
    {
        var now = _time.GetUtcNow().UtcDateTime;
        return new DateTime(now.Ticks - (now.Ticks % TimeSpan.TicksPerSecond), DateTimeKind.Utc);
    }

    private void SendIfDue(bool force)
    {
        lock (_gate)
        {
            var now = _time.GetUtcNow();
            if (_sending)
            {
                // A stage start is never dropped: it goes out as soon as the patch in flight is answered. Otherwise
                // the next due step sends the newest progress.
                _forcedWhileInFlight |= force;
                return;
            }

            if (!force && _lastSent is { } last && now - last < interval)
            {
                return;
            }

            StartSend(now);
        }
    }

    // Under _gate.
    private void StartSend(DateTimeOffset now)
    {
        _lastSent = now;
        _sending = true;
        _forcedWhileInFlight = false;
        _progress.UpdateTime = Now();
        var patch = Patch(("progress", JsonNode.Parse(KubernetesJson.Serialize(_progress))));
        _inFlight = SendAsync(patch);
    }

    private async Task SendAsync(string patch)
    {
        try
        {
            await patcher.PatchAsync(patch, CancellationToken.None).ConfigureAwait(false);
            Interlocked.Increment(ref _sent);
            _failures = 0;
        }
        catch (Exception e)
        {
            // Log the first failure of a streak and every tenth after it; training goes on either way.
            if (_failures++ % 10 == 0)
            {
                log.WriteLine($"trainer: could not report progress ({_failures} failure(s) in a row): {e.Message}");
            }
        }

        await Task.Yield(); // the next send starts after this one is recorded as the task in flight
        lock (_gate)
        {
            // Decided under the same lock that stage starts take: one that arrived during this send is never lost.
            if (_forcedWhileInFlight)
            {
                StartSend(_time.GetUtcNow());
            }
            else
            {
                _sending = false;
            }
        }
    }
}
