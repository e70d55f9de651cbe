using System.Text.Json.Nodes;
using DistillOperator.Api.V1Alpha1;
using DistillOperator.Api.Validation;
using DistillOperator.Children;
using DistillOperator.Controllers;
using DistillOperator.Metrics;
using DistillOperator.Status;
using k8s;
using k8s.Models;
using Microsoft.Extensions.Logging;

namespace DistillOperator.Reconciliation;

/// <summary>
/// Level-triggered reconcile of one DistillationJob: validate, keep the trainer's identity and the current run
/// (ConfigMap + batch/v1 Job) in place, replace the run when the spec changed, follow suspend, read the run's phase
/// from its Job and pods, check progress and the quality gate, and write the status with one merge patch when it
/// changed, with an Event per transition. Never writes spec; leaves the trainer's progress and result alone except
/// to clear them when a new run starts and to fill the result from the termination message when the trainer could
/// not patch it.
/// </summary>
public sealed class DistillationJobReconciler(IDistillationCluster cluster, TrainerSettings trainer, OperatorMetrics metrics, TimeProvider time, ILogger<DistillationJobReconciler> logger)
{
    /// <summary>How soon to look again while an old run's pods are still stopping.</summary>
    public static readonly TimeSpan ReplacementPoll = TimeSpan.FromSeconds(2);

    /// <summary>How long a failed run's status waits for the failed pod (its last words) to reach the cache.</summary>
    public static readonly TimeSpan LastWordsWait = TimeSpan.FromSeconds(10);

    /// <summary>How often a job waiting for another job's output looks again.</summary>
    public static readonly TimeSpan OutputPoll = TimeSpan.FromSeconds(5);

    /// <summary>How long after its Job completed a run's result is waited for before a quality gate is checked without it.</summary>
    public static readonly TimeSpan ResultWait = TimeSpan.FromMinutes(1);

    private readonly OutputStarts _outputStarts = new();

    private static readonly string[] RunConditions = [ConditionTypes.Admitted, ConditionTypes.Running, ConditionTypes.Stalled, ConditionTypes.Succeeded, ConditionTypes.Failed, ConditionTypes.QualityTargetMet];

    /// <summary>Reconciles the DistillationJob <paramref name="key"/>.</summary>
    public async Task<ReconcileResult> ReconcileAsync(ObjectKey key, CancellationToken cancellation)
    {
        var job = await cluster.GetJobAsync(key, cancellation).ConfigureAwait(false);
        if (job is null)
        {
            metrics.Forget(key);
            return ReconcileResult.Done;
        }

        if (job.Metadata.DeletionTimestamp is not null)
        {
            return ReconcileResult.Done; // owner references take the children with it
        }

        using var scope = logger.BeginScope(new Dictionary<string, object?>
        {
            ["namespace"] = key.Namespace,
            ["name"] = key.Name,
            ["uid"] = job.Metadata.Uid,
            ["generation"] = job.Metadata.Generation,
        });
        var now = Truncate(time.GetUtcNow());
        var before = Clone(job.Status);
        var status = Clone(job.Status);
        var generation = RunNames.Generation(job);
        status.ObservedGeneration = generation;
        var events = new List<(string Type, string Reason, string Message)>();
        var afterWrite = new List<Action>(); // metrics of transitions, counted once the status that records them is written
        var patch = new JsonObject();

        var resolved = Resolved(job);
        var problems = DistillationJobValidator.Validate(resolved, ValidationTarget.Cluster);
        if (problems.Count > 0)
        {
            var message = string.Join("; ", problems);
            var runs = await cluster.ListRunsAsync(job, cancellation).ConfigureAwait(false);
            foreach (var run in runs.Where(r => r.Metadata.DeletionTimestamp is null))
            {
                await cluster.DeleteRunAsync(run, cancellation).ConfigureAwait(false);
            }

            if (before.ObservedGeneration != generation || before.Phase != JobPhase.Failed)
            {
                // A new (invalid) spec: nothing of the previous run describes it any more.
                RemoveRunConditions(status);
                status.CompletionTime = now.UtcDateTime;
                status.StartTime = null;
                status.Restarts = null;
                status.Progress = null;
                status.Result = null;
                patch["progress"] = null;
                patch["result"] = null;
            }

            Conditions.Set(status.Conditions ??= [], ConditionTypes.Validated, false, ConditionReasons.InvalidSpec, message, generation, now);
            Conditions.Set(status.Conditions, ConditionTypes.Failed, true, ConditionReasons.InvalidSpec, message, generation, now);
            Conditions.Set(status.Conditions, ConditionTypes.Running, false, ConditionReasons.InvalidSpec, "no trainer runs for an invalid spec", generation, now);
            Conditions.Set(status.Conditions, ConditionTypes.Stalled, true, ConditionReasons.InvalidSpec, message, generation, now);
            status.Phase = JobPhase.Failed;
            status.TrainerJob = null;
            status.RunSpecHash = null;
            if (!(before.Phase == JobPhase.Failed && before.ObservedGeneration == generation))
            {
                events.Add(("Warning", ConditionReasons.InvalidSpec, message));
            }

            if (before.Phase != JobPhase.Failed)
            {
                afterWrite.Add(() => metrics.Transition(before.Phase, JobPhase.Failed, ConditionReasons.InvalidSpec));
            }

            return await FinishAsync(job, key, before, status, patch, events, afterWrite, ReconcileResult.Done, now, cancellation).ConfigureAwait(false);
        }

        Conditions.Set(status.Conditions ??= [], ConditionTypes.Validated, true, ConditionReasons.SpecValid, "the spec is valid", generation, now);
        var hash = RunSpecHash.Of(resolved.Spec);
        var all = await cluster.ListRunsAsync(job, cancellation).ConfigureAwait(false);
        // A run of this generation is current; one of an older generation still is when only suspend, TTL or the
        // progress timeout changed (same hash). Comparing hashes only across generations keeps running runs when an
        // operator upgrade changes how a spec serialises.
        var current = all.FirstOrDefault(r => r.Metadata.DeletionTimestamp is null && (GenerationOf(r) == generation || RunSpecHash.OfRun(r) == hash));
        var stale = all.Where(r => r != current).ToList();
        var result = ReconcileResult.Done;

        foreach (var run in stale.Where(r => r.Metadata.DeletionTimestamp is null))
        {
            await cluster.DeleteRunAsync(run, cancellation).ConfigureAwait(false);
            events.Add(("Normal", ConditionReasons.ReplacingRun, $"stopping trainer Job {run.Metadata.Name}: the spec changed"));
        }

        // Finished for this spec: the same generation, or a later one that changed only what does not shape a run
        // (suspend, TTL, progress timeout) even if the finished run's Job is gone since.
        var finishedBefore = before.Phase is JobPhase.Succeeded or JobPhase.Failed && before.TrainerJob is not null &&
            (before.ObservedGeneration == generation || before.RunSpecHash == hash);
        if (resolved.Spec.RunPolicy.Suspend && resolved.Spec.RunPolicy.QueueName.Length > 0 && !finishedBefore && (current is null || !RunNames.Finished(current)))
        {
            // Kueue unsuspends every Job whose workload it admitted, so a queued job is not suspended through its Job:
            // the run is removed (its trainer checkpoints on SIGTERM and Kueue releases the quota), and resuming queues
            // a new run, which resumes from the checkpoint.
            if (current is not null)
            {
                await cluster.DeleteRunAsync(current, cancellation).ConfigureAwait(false);
                events.Add(("Normal", ConditionReasons.Suspended, $"stopping trainer Job {current.Metadata.Name}: suspended; its queue releases the quota"));
            }

            var suspended = new RunObservation(JobPhase.Suspended, ConditionReasons.Suspended, "suspended by spec.runPolicy.suspend: the trainer Job is removed from its queue; resuming queues a new one, which resumes from the last checkpoint", status.StartTime, null, status.Restarts ?? 0, null, null);
            Apply(job, status, patch, suspended, now, generation, events, afterWrite, ref result);
            return await FinishAsync(job, key, before, status, patch, events, afterWrite, result, now, cancellation).ConfigureAwait(false);
        }

        if (current is null && stale.Count > 0 && !finishedBefore)
        {
            // A changed spec replaces the run: the old trainer checkpoints and stops before the new one starts.
            status.Phase = JobPhase.Pending;
            RemoveRunConditions(status);
            status.CompletionTime = null;
            Conditions.Set(status.Conditions, ConditionTypes.Running, false, ConditionReasons.ReplacingRun, $"waiting for {string.Join(", ", stale.Select(r => r.Metadata.Name))} to stop", generation, now);
            return await FinishAsync(job, key, before, status, patch, events, afterWrite, new ReconcileResult(ReplacementPoll), now, cancellation).ConfigureAwait(false);
        }

        if (current is null && !finishedBefore &&
            await cluster.ListPredecessorPodsAsync(job, all, cancellation).ConfigureAwait(false) is { Count: > 0 } predecessors)
        {
            // A job of this name deleted a moment ago, or this job's own trainer Job deleted by hand (its pod outlives
            // it): that trainer checkpoints into the same output before it stops, so this run starts after it (as a
            // replaced run of the same job does).
            status.Phase = JobPhase.Pending;
            Conditions.Set(status.Conditions, ConditionTypes.Running, false, ConditionReasons.ReplacingRun, $"waiting for trainer pod {predecessors[0].Metadata.Name} (of an earlier run, or of an earlier DistillationJob named {job.Metadata.Name}) to stop", generation, now);
            return await FinishAsync(job, key, before, status, patch, events, afterWrite, new ReconcileResult(ReplacementPoll), now, cancellation).ConfigureAwait(false);
        }

        if (current is null && !finishedBefore &&
            await _outputStarts.TryBeginAsync(key, resolved.Spec.Output.Uri, async () => OutputClaim.HolderFor(job, resolved.Spec.Output.Uri, await cluster.ListWorkloadsAsync(key.Namespace, cancellation).ConfigureAwait(false)), cancellation).ConfigureAwait(false) is { } holder)
        {
            // Two writers would interleave checkpoints and published files: this job starts when the other has stopped.
            var message = $"spec.output.uri {resolved.Spec.Output.Uri} is in use: {holder}; this job starts when that one has stopped";
            if (!status.Conditions.Any(c => c.Type == ConditionTypes.Running && c.Reason == ConditionReasons.OutputInUse))
            {
                events.Add(("Warning", ConditionReasons.OutputInUse, message));
                RemoveRunConditions(status); // nothing of an earlier run (or an earlier invalid spec) describes this wait
                status.CompletionTime = null;
            }

            status.Phase = JobPhase.Pending;
            if (before.Phase != JobPhase.Pending)
            {
                afterWrite.Add(() => metrics.Transition(before.Phase, JobPhase.Pending, ConditionReasons.OutputInUse));
            }

            Conditions.Set(status.Conditions, ConditionTypes.Running, false, ConditionReasons.OutputInUse, message, generation, now);
            return await FinishAsync(job, key, before, status, patch, events, afterWrite, new ReconcileResult(OutputPoll), now, cancellation).ConfigureAwait(false);
        }

        if (current is null && !finishedBefore)
        {
            (V1Job Run, bool Created)? started;
            try
            {
                started = await StartRunAsync(job, resolved, hash, ranBefore: before.TrainerJob is not null, cancellation).ConfigureAwait(false);
            }
            catch (ChildNameConflictException e) when (!e.LeftOver)
            {
                // Only a person can clear it: the status says so as the event did (kubectl get shows Pending, describe
                // the reason), and the retry with back-off starts the run once the name is free.
                status.Phase = JobPhase.Pending;
                Conditions.Set(status.Conditions, ConditionTypes.Running, false, ConditionReasons.NameConflict, e.Message, generation, now);
                await FinishAsync(job, key, before, status, patch, events, afterWrite, ReconcileResult.Done, now, cancellation).ConfigureAwait(false);
                throw;
            }
            finally
            {
                _outputStarts.End(key); // registered by the output check above; the trainer Job is in the cache now
            }

            if (started is not { } start)
            {
                return ReconcileResult.Done; // deleted since the cache saw it: nothing to run
            }

            (current, var created) = start;
            if (created || status.TrainerJob != current.Metadata.Name)
            {
                ResetForNewRun(status, patch, current);
                events.Add(("Normal", ConditionReasons.RunCreated, $"created trainer Job {current.Metadata.Name} for generation {generation}"));
            }
        }
        else if (current is not null && status.TrainerJob != current.Metadata.Name)
        {
            ResetForNewRun(status, patch, current); // adopted after a restart, or a status lost: describe this run
        }

        // current is null here only when the run finished and its Job is gone (deleted by hand): the status stays.
        if (current is not null)
        {
            status.RunSpecHash = RunSpecHash.OfRun(current) ?? status.RunSpecHash;
            current = await FollowSuspendAsync(job, current, cancellation).ConfigureAwait(false);
            var pods = await cluster.ListPodsAsync(current, cancellation).ConfigureAwait(false);
            Apply(job, status, patch, RunObserver.Observe(job, current, pods), now, generation, events, afterWrite, ref result);
        }

        return await FinishAsync(job, key, before, status, patch, events, afterWrite, result, now, cancellation).ConfigureAwait(false);
    }

    private static long? GenerationOf(V1Job run) =>
        run.Metadata.Labels?.TryGetValue(RunNames.GenerationLabel, out var value) == true && long.TryParse(value, System.Globalization.CultureInfo.InvariantCulture, out var generation) ? generation : null;

    private static DistillationJob Resolved(DistillationJob job)
    {
        var resolved = new DistillationJob { Metadata = job.Metadata, Spec = KubernetesJson.Deserialize<DistillationJobSpec>(KubernetesJson.Serialize(job.Spec)) };
        DistillationJobDefaults.Apply(resolved);
        return resolved;
    }

    private static void ResetForNewRun(DistillationJobStatus status, JsonObject patch, V1Job run)
    {
        status.TrainerJob = run.Metadata.Name;
        status.RunSpecHash = RunSpecHash.OfRun(run);
        status.StartTime = null;
        status.CompletionTime = null;
        status.Restarts = 0;
        status.Progress = null;
        status.Result = null;
        RemoveRunConditions(status);

        // The previous run's progress and result do not describe this one.
        patch["progress"] = null;
        patch["result"] = null;
    }

    private static void RemoveRunConditions(DistillationJobStatus status)
    {
        foreach (var type in RunConditions)
        {
            if (status.Conditions?.FirstOrDefault(c => c.Type == type) is { } condition)
            {
                status.Conditions.Remove(condition);
            }
        }
    }

    private static TimeSpan? Ttl(DistillationJob job, DistillationJobStatus status, DateTimeOffset now)
    {
        if (status.Phase is not (JobPhase.Succeeded or JobPhase.Failed) || status.CompletionTime is not { } completed || job.Spec.RunPolicy.TtlSecondsAfterFinished is not { } ttl)
        {
            return null;
        }

        // A TTL beyond ten years is as good as none, and keeps the arithmetic in range.
        var keep = TimeSpan.FromSeconds(Math.Min(ttl, 10L * 366 * 86400));
        var left = new DateTimeOffset(DateTime.SpecifyKind(completed, DateTimeKind.Utc)) + keep - now;
        return left > TimeSpan.Zero ? left : TimeSpan.Zero;
    }

    private static DistillationJobStatus Clone(DistillationJobStatus? status) =>
        status is null ? new DistillationJobStatus() : KubernetesJson.Deserialize<DistillationJobStatus>(KubernetesJson.Serialize(status));

    // Kubernetes times are whole seconds; a fraction would differ from what the API server hands back.
    private static DateTimeOffset Truncate(DateTimeOffset t) => new(t.Ticks - (t.Ticks % TimeSpan.TicksPerSecond), TimeSpan.Zero);

    private static JsonObject OperatorFields(DistillationJobStatus status) => new()
    {
        ["phase"] = status.Phase?.ToString(),
        ["conditions"] = JsonNode.Parse(KubernetesJson.Serialize(status.Conditions ?? [])),
        ["observedGeneration"] = status.ObservedGeneration,
        ["startTime"] = status.StartTime is { } start ? JsonValue.Create(start.ToUniversalTime().ToString("yyyy-MM-dd'T'HH:mm:ss'Z'", System.Globalization.CultureInfo.InvariantCulture)) : null,
        ["completionTime"] = status.CompletionTime is { } end ? JsonValue.Create(end.ToUniversalTime().ToString("yyyy-MM-dd'T'HH:mm:ss'Z'", System.Globalization.CultureInfo.InvariantCulture)) : null,
        ["restarts"] = status.Restarts,
        ["trainerJob"] = status.TrainerJob,
        ["runSpecHash"] = status.RunSpecHash,
        ["promotedVersion"] = status.PromotedVersion,
    };

    // Null when the job turned out to be deleted since the cache saw it: then no trainer Job is made.
    private async Task<(V1Job Run, bool Created)?> StartRunAsync(DistillationJob job, DistillationJob resolved, string hash, bool ranBefore, CancellationToken cancellation)
    {
        var spec = RunSpecBuilder.Build(job);
        (spec.Metadata.Annotations ??= new Dictionary<string, string>())[RunSpecHash.Annotation] = hash;
        var stillExists = cluster.StillExistsAsync(job, cancellation);
        if (ranBefore && !await stillExists.ConfigureAwait(false))
        {
            // A job whose run has vanished is most often being deleted (the run went first): look before making anything.
            return null;
        }

        // For a job that never ran, the trainer's identity, its spec and the fresh read of the job do not depend on
        // each other: one round trip for all five. The Job, whose pod needs the first four, comes after, and only for
        // a job that still exists (the garbage collector removes an identity made for a job deleted meanwhile).
        try
        {
            await Task.WhenAll(
                stillExists,
                cluster.CreateAsync(TrainerRbacBuilder.ServiceAccount(job), cancellation),
                cluster.CreateAsync(TrainerRbacBuilder.Role(job), cancellation),
                cluster.CreateAsync(TrainerRbacBuilder.RoleBinding(job), cancellation),
                cluster.CreateAsync(spec, cancellation)).ConfigureAwait(false);
        }
        catch (ChildNameConflictException e) when (!e.LeftOver)
        {
            // Retried with back-off, but only a person can clear it: say so where kubectl describe shows it.
            await cluster.RecordEventAsync(job, "Warning", ConditionReasons.NameConflict, e.Message, cancellation).ConfigureAwait(false);
            throw;
        }
        if (!await stillExists.ConfigureAwait(false))
        {
            return null;
        }

        var run = TrainerJobBuilder.Build(resolved, trainer);
        (run.Metadata.Annotations ??= new Dictionary<string, string>())[RunSpecHash.Annotation] = hash;
        if (!await cluster.CreateAsync(run, cancellation).ConfigureAwait(false))
        {
            // Someone (a previous term, a stale cache) made it already: continue with the one that exists.
            var runs = await cluster.ListRunsAsync(job, cancellation).ConfigureAwait(false);
            if (runs.FirstOrDefault(r => r.Metadata.Name == run.Metadata.Name) is not { } existing)
            {
                // A Job of that name this job does not own (orphaned by a predecessor, or made by hand): only a person can clear it.
                var message = $"batch/v1 Job {run.Metadata.NamespaceProperty}/{run.Metadata.Name} exists and is not this DistillationJob's trainer Job; delete it or rename the DistillationJob";
                await cluster.RecordEventAsync(job, "Warning", ConditionReasons.NameConflict, message, cancellation).ConfigureAwait(false);
                throw new ChildNameConflictException(message, leftOver: false);
            }

            return (existing, false);
        }

        logger.LogInformation("Created trainer Job {Run}", run.Metadata.Name);
        return (run, true);
    }

    // Without a queue the run's suspend follows spec.runPolicy.suspend; with one, Kueue owns it (it unsuspends the run
    // on admission), and a suspended queued job has no run at all.
    private async Task<V1Job> FollowSuspendAsync(DistillationJob job, V1Job run, CancellationToken cancellation)
    {
        var wanted = job.Spec.RunPolicy.Suspend;
        var actual = run.Spec?.Suspend == true;
        if (actual == wanted || job.Spec.RunPolicy.QueueName.Length > 0)
        {
            return run;
        }

        await cluster.SetSuspendAsync(run, wanted, cancellation).ConfigureAwait(false);
        run.Spec ??= new V1JobSpec();
        run.Spec.Suspend = wanted;
        return run;
    }

    private void Apply(DistillationJob job, DistillationJobStatus status, JsonObject patch, RunObservation observed, DateTimeOffset now, long generation, List<(string Type, string Reason, string Message)> events, List<Action> afterWrite, ref ReconcileResult result)
    {
        // How long ago the run ended (zero while it has not).
        var endedFor = observed.CompletionTime is { } endedAt ? now - new DateTimeOffset(DateTime.SpecifyKind(endedAt, DateTimeKind.Utc)) : TimeSpan.Zero;
        if (observed is { Phase: JobPhase.Failed, LastWordsPending: true, CompletionTime: not null } && status.Phase != JobPhase.Failed && endedFor < LastWordsWait)
        {
            // The Job failed, but the pod whose termination message says why has not reached the cache yet (Jobs and
            // pods come by separate watches, in no order): wait a moment, so the Failed condition and its event carry
            // the trainer's last words (file, line, reason), not only an exit code.
            result = result.Sooner(TimeSpan.FromSeconds(1));
            return;
        }

        var phase = observed.Phase;
        var reason = observed.Reason;
        var message = observed.Message;
        status.StartTime = observed.StartTime ?? status.StartTime;
        status.CompletionTime = observed.CompletionTime;
        status.Restarts = observed.Restarts;
        var conditions = status.Conditions!;

        if (phase == JobPhase.Succeeded)
        {
            var reported = status.Result;
            var promotionKnown = reported?.Promoted is not null; // announced already, unless it arrives in this reconcile
            if (reported is null && observed.TerminationResult is { } fromPod)
            {
                // The trainer could not patch its result: take it from the pod's termination message.
                status.Result = fromPod;
                patch["result"] = JsonNode.Parse(KubernetesJson.Serialize(fromPod));
            }

            if (status.Result is null && !observed.SucceededPodSeen && QualityGateCheck.Evaluate(job.Spec.QualityGate, null) is not null && endedFor < ResultWait)
            {
                // The Job completed, but neither the trainer's patch nor its pod has reached the caches yet. Not for
                // ever: a pod deleted before it was seen (node scaled down) leaves no result, and the gate then fails.
                // Without a gate the run is Succeeded at once; its promotion is announced when its result arrives.
                (phase, reason, message) = (JobPhase.Running, ConditionReasons.AwaitingResult, "the trainer finished; waiting for its result");
                status.CompletionTime = null;
                result = result.Sooner(TimeSpan.FromSeconds(1));
            }
            else
            {
                // The trainer decides the promotion (it alone can compare with the promoted student); a result without
                // a decision (an older trainer image) is checked against the gate here.
                var gate = status.Result?.Promoted is { } promoted
                    ? (job.Spec.QualityGate is null ? null : new GateVerdict(promoted, promoted ? ConditionReasons.QualityTargetReached : status.Result.PromotionReason ?? ConditionReasons.QualityTargetNotMet, status.Result.PromotionMessage ?? ""))
                    : QualityGateCheck.Evaluate(job.Spec.QualityGate, status.Result);
                if (gate is not null)
                {
                    Conditions.Set(conditions, ConditionTypes.QualityTargetMet, gate.Met, gate.Reason, gate.Message, generation, now);
                    if (!gate.Met)
                    {
                        (phase, reason, message) = (JobPhase.Failed, gate.Reason, (gate.Reason == ConditionReasons.RegressionFromPromoted ? "the student is worse than the promoted one: " : "the student missed the quality gate: ") + gate.Message);
                    }
                }

                if (status.Result is { Promoted: { } isPromoted } finished && (status.Phase is not (JobPhase.Succeeded or JobPhase.Failed) || !promotionKnown))
                {
                    // Once per run: when the run ends with its result, or when its result (from the pod's termination
                    // message) arrives after the end was seen.
                    var figures = finished.PromotionMessage is { Length: > 0 } text ? $" ({text})" : "";
                    events.Add(isPromoted
                        ? ("Normal", ConditionReasons.Promoted, $"version {finished.Version} is promoted at {job.Spec.Output.Uri}/current{figures}")
                        : ("Warning", ConditionReasons.NotPromoted, $"version {finished.Version} is kept but not promoted: {finished.PromotionReason}{figures}; current stays {finished.PromotedVersion ?? "empty"}"));
                    var promotionReason = isPromoted ? ConditionReasons.Promoted : finished.PromotionReason ?? ConditionReasons.QualityTargetNotMet;
                    afterWrite.Add(() => metrics.Promotion(isPromoted, promotionReason));
                }

                status.PromotedVersion = status.Result?.PromotedVersion ?? status.PromotedVersion;
            }
        }

        var admitted = phase is not (JobPhase.Queued or JobPhase.Suspended or JobPhase.Pending);
        Conditions.Set(conditions, ConditionTypes.Admitted, admitted, admitted ? "Admitted" : reason, admitted ? "the run may start" : message, generation, now);
        Conditions.Set(conditions, ConditionTypes.Running, phase == JobPhase.Running, reason, message, generation, now);
        if (phase is JobPhase.Succeeded or JobPhase.Failed || conditions.Any(c => c.Type is ConditionTypes.Succeeded or ConditionTypes.Failed))
        {
            Conditions.Set(conditions, ConditionTypes.Succeeded, phase == JobPhase.Succeeded, reason, message, generation, now);
            Conditions.Set(conditions, ConditionTypes.Failed, phase == JobPhase.Failed, reason, message, generation, now);
        }

        if (phase == JobPhase.Running)
        {
            result = result.Sooner(CheckProgress(job, status, observed, now, generation, events));
        }
        else if (phase == JobPhase.Failed)
        {
            Conditions.Set(conditions, ConditionTypes.Stalled, true, reason, message, generation, now);
        }
        else if (conditions.Any(c => c.Type == ConditionTypes.Stalled))
        {
            Conditions.Set(conditions, ConditionTypes.Stalled, false, reason, "the trainer is not running", generation, now);
        }

        var previous = status.Phase;
        status.Phase = phase;
        if (previous != phase)
        {
            // A failure's event carries its cause (BadInput, DeadlineExceeded, QualityTargetNotMet…), as the Job
            // controller's own events do; other transitions are named by the phase they enter.
            var eventReason = phase == JobPhase.Failed && reason.Length > 0 ? reason : phase.ToString();
            events.Add((phase == JobPhase.Failed ? "Warning" : "Normal", eventReason, message));
            var transitionReason = reason;
            afterWrite.Add(() => metrics.Transition(previous, phase, transitionReason));
            // A start of a run (not a restart) is what time-to-running measures: from the Job's creation, or from its
            // last resume when a person suspended it (with a queue, Kueue's admission is part of the wait).
            if (phase == JobPhase.Running && previous is JobPhase.Pending or JobPhase.Initializing or JobPhase.Queued && observed.Restarts == 0 && observed.RunningSince is { } running && observed.RunCreated is { } created)
            {
                var since = job.Spec.RunPolicy.QueueName.Length == 0 && observed.RunResumed is { } resumed && resumed > created ? resumed : created;
                afterWrite.Add(() => metrics.TimeToRunning(running - since));
            }

            if (phase is JobPhase.Succeeded or JobPhase.Failed && status.StartTime is { } started && status.CompletionTime is { } ended)
            {
                afterWrite.Add(() => metrics.Finished(phase, ended - started));
            }
        }
    }

    private static TimeSpan? CheckProgress(DistillationJob job, DistillationJobStatus status, RunObservation observed, DateTimeOffset now, long generation, List<(string Type, string Reason, string Message)> events)
    {
        var timeout = TimeSpan.FromSeconds(job.Spec.RunPolicy.ProgressTimeoutSeconds);
        var since = observed.RunningSince ?? status.StartTime ?? now.UtcDateTime;
        var last = status.Progress?.UpdateTime is { } update && update > since ? update : since;
        var lastSign = new DateTimeOffset(DateTime.SpecifyKind(last, DateTimeKind.Utc));
        var quiet = now - lastSign;
        var conditions = status.Conditions!;
        if (quiet >= timeout)
        {
            var message = $"no progress reported for {(long)quiet.TotalSeconds} s (progressTimeoutSeconds {(long)timeout.TotalSeconds})";
            if (!Conditions.IsTrue(conditions, ConditionTypes.Stalled))
            {
                events.Add(("Warning", ConditionTypes.Stalled, message));
            }

            Conditions.Set(conditions, ConditionTypes.Stalled, true, ConditionReasons.NoProgress, message, generation, now);
            return timeout; // look again: progress may resume
        }

        Conditions.Set(conditions, ConditionTypes.Stalled, false, ConditionReasons.Progressing, "progress is arriving", generation, now);
        return timeout - quiet;
    }

    private async Task<ReconcileResult> FinishAsync(DistillationJob job, ObjectKey key, DistillationJobStatus before, DistillationJobStatus status, JsonObject patch, List<(string Type, string Reason, string Message)> events, List<Action> afterWrite, ReconcileResult result, DateTimeOffset now, CancellationToken cancellation)
    {
        // A finished job lives ttlSecondsAfterFinished past its completion, then goes with its children.
        var ttl = Ttl(job, status, now);
        if (ttl == TimeSpan.Zero)
        {
            logger.LogInformation("TTL of {Key} passed; deleting it", key);
            await cluster.DeleteJobAsync(job, cancellation).ConfigureAwait(false);
            metrics.Forget(key);
            return ReconcileResult.Done;
        }

        result = result.Sooner(ttl);
        Readiness.Set(status, now);
        var old = OperatorFields(before);
        var updated = OperatorFields(status);
        if (!JsonNode.DeepEquals(old, updated) || patch.Count > 0)
        {
            foreach (var (name, value) in updated)
            {
                if (!JsonNode.DeepEquals(value, old[name]))
                {
                    patch[name] = value?.DeepClone();
                }
            }

            await cluster.PatchStatusAsync(job, patch, cancellation).ConfigureAwait(false);
        }

        foreach (var record in afterWrite)
        {
            record();
        }

        foreach (var (type, reason, message) in events)
        {
            try
            {
                await cluster.RecordEventAsync(job, type, reason, message, cancellation).ConfigureAwait(false);
            }
            catch (Exception e) when (e is not OperationCanceledException)
            {
                logger.LogWarning(e, "Could not record event {Reason} on {Key}", reason, key);
            }
        }

        metrics.Observe(key, status.Phase ?? JobPhase.Pending, status);
        return result;
    }
}
