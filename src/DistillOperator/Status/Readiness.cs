using DistillOperator.Api.V1Alpha1;

namespace DistillOperator.Status;

/// <summary>
/// The conditions GitOps tools read, derived from the phase and the other conditions. kstatus (Flux, kpt, cli-utils)
/// reads a custom resource as InProgress while <c>Reconciling</c> is True, Failed while <c>Stalled</c> is True, and
/// Current otherwise (with <c>observedGeneration</c> equal to <c>metadata.generation</c>); <c>Ready</c> is True
/// exactly when neither is, for <c>kubectl wait --for=condition=Ready</c> and health checks that look for it.
/// </summary>
public static class Readiness
{
    /// <summary>Sets Ready and Reconciling on <paramref name="status"/> from its phase.</summary>
    public static void Set(DistillationJobStatus status, DateTimeOffset now)
    {
        ArgumentNullException.ThrowIfNull(status);
        var conditions = status.Conditions ??= [];
        var generation = status.ObservedGeneration;
        var phase = status.Phase ?? JobPhase.Pending;
        var (reason, message) = phase switch
        {
            JobPhase.Succeeded => Of(conditions, ConditionTypes.Succeeded, ConditionReasons.Completed, "the run succeeded"),
            JobPhase.Failed => Of(conditions, ConditionTypes.Failed, "Failed", "the run failed"),
            _ => Of(conditions, ConditionTypes.Running, phase.ToString(), phase.ToString()),
        };
        if (phase == JobPhase.Succeeded && status.PromotedVersion is { } version)
        {
            message = $"{message}; version {version} is promoted";
        }

        var inProgress = phase is JobPhase.Pending or JobPhase.Queued or JobPhase.Initializing or JobPhase.Running;
        Conditions.Set(conditions, ConditionTypes.Reconciling, inProgress, inProgress ? reason : phase.ToString(), inProgress ? message : $"no run in progress ({phase})", generation, now);
        Conditions.Set(conditions, ConditionTypes.Ready, phase == JobPhase.Succeeded, reason, message, generation, now);
    }

    private static (string Reason, string Message) Of(IList<k8s.Models.V1Condition> conditions, string type, string reason, string message) =>
        conditions.FirstOrDefault(c => c.Type == type) is { } condition
            ? (string.IsNullOrEmpty(condition.Reason) ? reason : condition.Reason, string.IsNullOrEmpty(condition.Message) ? message : condition.Message)
            : (reason, message);
}
