using System.Diagnostics;
using DistillOperator.Api.V1Alpha1;
using DistillOperator.Children;
using DistillOperator.Controllers;
using DistillOperator.Metrics;
using DistillOperator.Reconciliation;
using k8s;
using k8s.Models;
using Microsoft.Extensions.Logging;

namespace DistillOperator.Hosting;

/// <summary>
/// One leadership term of the controller: informers for DistillationJobs and for the Jobs and pods the operator
/// manages, a work queue fed by their changes, and workers that reconcile keys until cancelled. Children map to
/// their DistillationJob by the distill.dev/job label.
/// </summary>
public sealed class DistillationController(IKubernetes client, OperatorOptions options, OperatorMetrics metrics, OperatorState state, ILoggerFactory loggers, TimeProvider time)
{
    /// <summary>The label selector of the Jobs and pods the operator manages.</summary>
    public const string ManagedSelector = "app.kubernetes.io/managed-by=distill-operator";

    /// <summary>How long in-flight reconciles get to finish when the term ends (well inside the 5 s a lost lease leaves before another replica can lead).</summary>
    public static readonly TimeSpan DrainTimeout = TimeSpan.FromSeconds(3);

    private readonly ILogger _logger = loggers.CreateLogger<DistillationController>();

    /// <summary>Runs until <paramref name="stop"/> fires, then lets in-flight reconciles finish.</summary>
    public async Task RunAsync(CancellationToken stop)
    {
        IReadOnlyList<string?> namespaces = options.Namespaces.Count == 0 ? [null] : [.. options.Namespaces];
        var jobs = Set(namespaces, ns => ListWatches.DistillationJobs(client, ns));
        var runs = Set(namespaces, ns => ListWatches.Jobs(client, ns, ManagedSelector));
        var pods = Set(namespaces, ns => ListWatches.Pods(client, ns, ManagedSelector));
        using var queue = new WorkQueue(time);
        metrics.TrackQueue(() => queue.Depth);
        foreach (var informer in jobs.Informers)
        {
            informer.Changed += job => queue.Add(new ObjectKey(job.Metadata.NamespaceProperty, job.Metadata.Name));
        }

        foreach (var informer in runs.Informers)
        {
            informer.Changed += run => EnqueueOwner(queue, run);
        }

        foreach (var informer in pods.Informers)
        {
            informer.Changed += pod => EnqueueOwner(queue, pod);
        }

        var events = new EventRecorder(client, options.Identity, time, loggers.CreateLogger<EventRecorder>());
        var cluster = new KubernetesDistillationCluster(client, jobs, runs, pods, events);
        var reconciler = new DistillationJobReconciler(cluster, new TrainerSettings(options.TrainerImage, options.TrainerImagePullPolicy), metrics, time, loggers.CreateLogger<DistillationJobReconciler>());
        using var hardStop = new CancellationTokenSource();
        using var informing = CancellationTokenSource.CreateLinkedTokenSource(stop);
        var informers = Task.WhenAll(jobs.RunAsync(informing.Token), runs.RunAsync(informing.Token), pods.RunAsync(informing.Token), events.RunAsync(informing.Token));
        try
        {
            await Task.WhenAll(jobs.WaitForSyncAsync(stop), runs.WaitForSyncAsync(stop), pods.WaitForSyncAsync(stop)).ConfigureAwait(false);
            state.Synced = true;
            _logger.LogInformation("Caches synced; starting {Workers} workers", options.Workers);
            var workers = Enumerable.Range(0, options.Workers).Select(_ => WorkAsync(queue, reconciler, stop, hardStop.Token)).ToList();
            await Task.WhenAll(workers).ConfigureAwait(false);
        }
        catch (OperationCanceledException) when (stop.IsCancellationRequested)
        {
        }
        finally
        {
            state.Synced = false;
            metrics.Clear();
            await informing.CancelAsync().ConfigureAwait(false);
            await informers.ConfigureAwait(false);
        }
    }

    private static void EnqueueOwner(WorkQueue queue, IKubernetesObject<V1ObjectMeta> child)
    {
        if (RunNames.JobOf(child.Metadata) is { } owner)
        {
            queue.Add(new ObjectKey(child.Metadata.NamespaceProperty, owner));
        }
    }

    private InformerSet<T> Set<T>(IReadOnlyList<string?> namespaces, Func<string?, IListWatch<T>> source)
        where T : class, IKubernetesObject<V1ObjectMeta> =>
        new([.. namespaces.Select(ns => (ns, new Informer<T>(source(ns), loggers.CreateLogger<Informer<T>>(), options.Resync, time)))]);

    private async Task WorkAsync(WorkQueue queue, DistillationJobReconciler reconciler, CancellationToken stop, CancellationToken hardStop)
    {
        while (!stop.IsCancellationRequested)
        {
            ObjectKey key;
            try
            {
                key = await queue.TakeAsync(stop).ConfigureAwait(false);
            }
            catch (OperationCanceledException)
            {
                return;
            }

            var watch = Stopwatch.StartNew();
            try
            {
                // A reconcile that started finishes even when the term ends, unless it takes longer than DrainTimeout.
                using var drain = CancellationTokenSource.CreateLinkedTokenSource(hardStop);
                using var cancelOnStop = stop.Register(() => drain.CancelAfter(DrainTimeout));
                var result = await reconciler.ReconcileAsync(key, drain.Token).ConfigureAwait(false);
                metrics.Reconciled(watch.Elapsed, success: true);
                queue.Forget(key);
                if (result.RequeueAfter is { } after)
                {
                    queue.AddAfter(key, after);
                }
            }
            catch (Exception e) when (e is not OperationCanceledException || !stop.IsCancellationRequested)
            {
                metrics.Reconciled(watch.Elapsed, success: false);
                var delay = queue.AddRateLimited(key);
                _logger.LogWarning(e, "Reconcile of {Key} failed; retrying in {Delay}", key, delay);
            }
            finally
            {
                queue.Done(key);
            }
        }
    }
}
