using System.Globalization;
using System.Threading.Channels;
using DistillOperator.Api.V1Alpha1;
using k8s;
using k8s.Models;
using Microsoft.Extensions.Logging;

namespace DistillOperator.Controllers;

/// <summary>
/// Writes Kubernetes Events in the background, so a reconcile does not wait for them (as client-go's recorder does):
/// events are best-effort; when the queue is full, new ones are dropped with a warning rather than slowing reconciles.
/// </summary>
public sealed class EventRecorder(IKubernetes client, string identity, TimeProvider time, ILogger logger, int capacity = 1000)
{
    /// <summary>The event source component.</summary>
    public const string Component = "distill-operator";

    /// <summary>How long a stopping recorder keeps writing what is still queued.</summary>
    public static readonly TimeSpan DrainTime = TimeSpan.FromSeconds(2);

    private readonly Channel<Corev1Event> _pending = Channel.CreateBounded<Corev1Event>(new BoundedChannelOptions(capacity) { FullMode = BoundedChannelFullMode.DropWrite, SingleReader = true });
    private long _dropped;

    /// <summary>Queues an Event about <paramref name="job"/>.</summary>
    public void Record(DistillationJob job, string type, string reason, string message)
    {
        ArgumentNullException.ThrowIfNull(job);
        var now = time.GetUtcNow().UtcDateTime;
        var ns = job.Metadata.NamespaceProperty;
        var @event = new Corev1Event
        {
            Metadata = new V1ObjectMeta { Name = string.Create(CultureInfo.InvariantCulture, $"{job.Metadata.Name}.{now.Ticks:x}{Random.Shared.Next(0x1000):x3}"), NamespaceProperty = ns },
            InvolvedObject = new V1ObjectReference { ApiVersion = job.ApiVersion, Kind = job.Kind, Name = job.Metadata.Name, NamespaceProperty = ns, Uid = job.Metadata.Uid, ResourceVersion = job.Metadata.ResourceVersion },
            Type = type,
            Reason = reason,
            Message = message.Length > 1024 ? message[..1021] + "..." : message,
            FirstTimestamp = now,
            LastTimestamp = now,
            Count = 1,
            Source = new V1EventSource { Component = Component },
            ReportingComponent = ApiGroup.Name + "/operator",
            ReportingInstance = identity,
        };
        if (!_pending.Writer.TryWrite(@event) && Interlocked.Increment(ref _dropped) % 100 == 1)
        {
            logger.LogWarning("The event queue is full; dropped {Dropped} event(s) so far", Interlocked.Read(ref _dropped));
        }
    }

    /// <summary>Writes queued events until <paramref name="stop"/> fires, then what is still queued, briefly.</summary>
    public async Task RunAsync(CancellationToken stop)
    {
        try
        {
            await foreach (var @event in _pending.Reader.ReadAllAsync(stop).ConfigureAwait(false))
            {
                await WriteAsync(@event, stop).ConfigureAwait(false);
            }
        }
        catch (OperationCanceledException) when (stop.IsCancellationRequested)
        {
        }

        // What is still queued gets two seconds; a stop never fails because an event could not be written in time.
        using var drain = new CancellationTokenSource(DrainTime);
        try
        {
            while (!drain.IsCancellationRequested && _pending.Reader.TryRead(out var @event))
            {
                await WriteAsync(@event, drain.Token).ConfigureAwait(false);
            }
        }
        catch (OperationCanceledException) when (drain.IsCancellationRequested)
        {
        }

        var unwritten = _pending.Reader.Count;
        if (unwritten > 0)
        {
            logger.LogWarning("Stopped with {Unwritten} event(s) not written", unwritten);
        }
    }

    private async Task WriteAsync(Corev1Event @event, CancellationToken cancellation)
    {
        try
        {
            await client.CoreV1.CreateNamespacedEventAsync(@event, @event.Metadata.NamespaceProperty, cancellationToken: cancellation).ConfigureAwait(false);
        }
        catch (Exception e) when (e is not OperationCanceledException)
        {
            logger.LogWarning(e, "Could not record event {Reason} on {Name}", @event.Reason, @event.InvolvedObject.Name);
        }
    }
}
