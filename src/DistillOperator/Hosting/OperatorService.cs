using DistillOperator.Metrics;
using k8s;
using k8s.LeaderElection;
using k8s.LeaderElection.ResourceLock;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;

namespace DistillOperator.Hosting;

/// <summary>
/// Runs the controller: at once without leader election; with it, only while this replica holds the Lease
/// (LeaderElector + LeaseLock), stopping the term when the Lease is lost and competing again afterwards.
/// </summary>
public sealed class OperatorService(IKubernetes client, OperatorOptions options, OperatorMetrics metrics, OperatorState state, ILoggerFactory loggers, TimeProvider time) : BackgroundService
{
    private readonly ILogger _logger = loggers.CreateLogger<OperatorService>();

    /// <inheritdoc />
    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        try
        {
            if (!options.LeaderElection)
            {
                state.Leading = true;
                await Controller().RunAsync(stoppingToken).ConfigureAwait(false);
                return;
            }

            await LeadAsync(stoppingToken).ConfigureAwait(false);
        }
        catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
        {
        }
        catch (Exception e)
        {
            state.Fault = e.Message;
            _logger.LogCritical(e, "The controller stopped");
            throw;
        }
    }

    private DistillationController Controller() => new(client, options, metrics, state, loggers, time);

    // One leadership term: after the previous term has stopped (however it ended: that term logged it), the controller
    // runs until the term is stopped. A controller that fails while leading would leave this replica holding the Lease
    // and reconciling nothing: the failure marks the operator unhealthy (/healthz) and ends the election (leading), so
    // the replica stops renewing the Lease and the service fails with the controller's error.
    private async Task RunTermAsync(Task previous, CancellationTokenSource leading, CancellationToken stop)
    {
        await previous.ConfigureAwait(ConfigureAwaitOptions.SuppressThrowing);
        try
        {
            await Controller().RunAsync(stop).ConfigureAwait(false);
        }
        catch (OperationCanceledException) when (stop.IsCancellationRequested)
        {
        }
        catch (Exception e) when (stop.IsCancellationRequested)
        {
            _logger.LogWarning(e, "The controller failed while stopping after its term");
        }
        catch (Exception e)
        {
            state.Fault = e.Message;
            _logger.LogCritical(e, "The controller stopped while leading");
            await leading.CancelAsync().ConfigureAwait(false);
            throw;
        }
    }

    private async Task LeadAsync(CancellationToken stoppingToken)
    {
        var ns = options.LeaseNamespace ?? "default";
        var config = new LeaderElectionConfig(new LeaseLock(client, ns, options.LeaseName, options.Identity))
        {
            LeaseDuration = options.LeaseDuration,
            RenewDeadline = options.LeaseDuration * 2 / 3,
            RetryPeriod = options.LeaseDuration / 7,
        };
        // Each leadership term runs its own controller; a lost lease cancels it, and a later term starts afresh.
        var terms = new List<(Task Run, CancellationTokenSource Stop)>();
        using var leading = CancellationTokenSource.CreateLinkedTokenSource(stoppingToken);
        using var elector = new LeaderElector(config);
        elector.OnStartedLeading += () =>
        {
            _logger.LogInformation("{Identity} leads ({Namespace}/{Lease}); starting the controller", options.Identity, ns, options.LeaseName);
            state.Leading = true;
            var stop = CancellationTokenSource.CreateLinkedTokenSource(stoppingToken);
            lock (terms)
            {
                // A new term starts only after the previous one has fully stopped: never two controllers at once.
                var previous = terms.Count > 0 ? terms[^1].Run : Task.CompletedTask;
                terms.Add((Task.Run(() => RunTermAsync(previous, leading, stop.Token), CancellationToken.None), stop));
            }
        };
        elector.OnStoppedLeading += () =>
        {
            _logger.LogWarning("{Identity} lost the lease; stopping the controller", options.Identity);
            state.Leading = false;
            lock (terms)
            {
                foreach (var term in terms)
                {
                    term.Stop.Cancel();
                }
            }
        };
        elector.OnNewLeader += leader => _logger.LogInformation("Leader is {Leader}", leader);
        try
        {
            await elector.RunAndTryToHoldLeadershipForeverAsync(leading.Token).ConfigureAwait(false);
        }
        finally
        {
            List<(Task Run, CancellationTokenSource Stop)> all;
            lock (terms)
            {
                all = [.. terms];
            }

            foreach (var (run, stop) in all)
            {
                await stop.CancelAsync().ConfigureAwait(false);
                await run.ConfigureAwait(false);
                stop.Dispose();
            }

            state.Leading = false;
        }
    }
}
