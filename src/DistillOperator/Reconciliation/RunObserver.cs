using System.Text.Json;
using DistillOperator.Api.V1Alpha1;
using DistillOperator.Children;
using DistillOperator.Status;
using k8s;
using k8s.Models;

namespace DistillOperator.Reconciliation;

/// <summary>Reads a run's phase, times and restarts from its batch/v1 Job and pods. Pure: no I/O.</summary>
public static class RunObserver
{
    /// <summary>Longest part of a trainer's failure message copied into a condition.</summary>
    public const int MaxMessageLength = 1024;

    /// <summary>Observes <paramref name="run"/> (null: not created yet) of <paramref name="job"/> with its pods.</summary>
    public static RunObservation Observe(DistillationJob job, V1Job? run, IReadOnlyList<V1Pod> pods) =>
        ObserveRun(job, run, pods) with
        {
            RunCreated = run?.Metadata?.CreationTimestamp,
            RunResumed = run?.Status?.Conditions?.FirstOrDefault(c => c.Type == "Suspended" && c.Status == "False")?.LastTransitionTime,
        };

    private static RunObservation ObserveRun(DistillationJob job, V1Job? run, IReadOnlyList<V1Pod> pods)
    {
        ArgumentNullException.ThrowIfNull(job);
        ArgumentNullException.ThrowIfNull(pods);
        if (run is null)
        {
            return new RunObservation(JobPhase.Pending, "Pending", "the trainer Job is being created", null, null, 0, null, null);
        }

        var status = run.Status;
        // The Job's own count is fresh; the pods may come from a cache a moment behind.
        var restarts = Math.Max(pods.Count(p => p.Status?.Phase == "Failed"), run.Status?.Failed ?? 0);
        var startTime = status?.StartTime;
        if (Condition(run, "Complete") is not null)
        {
            var succeeded = pods.LastOrDefault(p => p.Status?.Phase == "Succeeded");
            return new RunObservation(JobPhase.Succeeded, ConditionReasons.Completed, "the student was trained, evaluated and exported", startTime, status?.CompletionTime ?? Condition(run, "Complete")?.LastTransitionTime, restarts, null, ResultOf(succeeded), SucceededPodSeen: succeeded is not null);
        }

        if (Condition(run, "Failed") is { } failed)
        {
            var (reason, message) = failed.Reason switch
            {
                "PodFailurePolicy" when ExitCodeOf(pods) == TrainerJobBuilder.TeacherNotLearnedExitCode => (ConditionReasons.TeacherNotLearned, "the teacher is no better than predicting the majority class (exit code 3)"),
                "PodFailurePolicy" => (ConditionReasons.BadInput, "the trainer rejected its input (exit code 2)"),
                "BackoffLimitExceeded" => (ConditionReasons.BackoffLimitExceeded, $"the trainer failed {restarts} time(s), more than backoffLimit {job.Spec.RunPolicy.BackoffLimit} allows"),
                "DeadlineExceeded" => (ConditionReasons.DeadlineExceeded, $"the run took longer than activeDeadlineSeconds ({job.Spec.RunPolicy.ActiveDeadlineSeconds} s)"),
                _ => (failed.Reason ?? "Failed", failed.Message ?? "the trainer Job failed"),
            };
            // Evicted and preempted pods (DisruptionTarget) do not count as failures; their words are not the reason.
            var failures = pods.Where(p => p.Status?.Phase == "Failed" && p.Status.Conditions?.Any(c => c.Type == "DisruptionTarget" && c.Status == "True") != true).ToList();
            var lastWords = TerminationMessage(failures.LastOrDefault());
            if (lastWords.Length > 0)
            {
                message += ": " + lastWords;
            }

            // A trainer that failed (bad input, or its last crash) left its reason in its termination message; a Job
            // counting more failures than the cached pods show has a pod the cache has not seen yet.
            var wordsExpected = reason is ConditionReasons.BadInput or ConditionReasons.TeacherNotLearned or ConditionReasons.BackoffLimitExceeded;
            return new RunObservation(JobPhase.Failed, reason, message, startTime, status?.CompletionTime ?? failed.LastTransitionTime, restarts, null, null, LastWordsPending: wordsExpected && failures.Count < (status?.Failed ?? 0));
        }

        if (run.Spec?.Suspend == true)
        {
            return job.Spec.RunPolicy.Suspend
                ? new RunObservation(JobPhase.Suspended, ConditionReasons.Suspended, "suspended by spec.runPolicy.suspend; resumes from the last checkpoint", startTime, null, restarts, null, null)
                : new RunObservation(JobPhase.Queued, ConditionReasons.Queued, $"waiting for admission by queue {job.Spec.RunPolicy.QueueName}", startTime, null, restarts, null, null);
        }

        var active = pods.LastOrDefault(p => p.Status?.Phase is not ("Succeeded" or "Failed") && p.Metadata.DeletionTimestamp is null);
        if (active?.Status?.Phase == "Running")
        {
            var container = active.Status.ContainerStatuses?.FirstOrDefault(c => c.Name == TrainerJobBuilder.ContainerName);
            var since = container?.State?.Running?.StartedAt ?? active.Status.StartTime;
            // The Job controller records its startTime after it created the pod, so a watch can show the pod running
            // first; the pod's own start is the nearest (the container's comes later, after the image pull).
            return new RunObservation(JobPhase.Running, ConditionReasons.Training, $"pod {active.Metadata.Name} is training", startTime ?? active.Status.StartTime ?? since, null, restarts, since, null);
        }

        if (active is null && (pods.Any(p => p.Status?.Phase == "Succeeded") || status?.Succeeded > 0))
        {
            // The trainer exited 0 and the Job controller has not marked the Job Complete yet: still running, briefly.
            return new RunObservation(JobPhase.Running, ConditionReasons.Completing, "the trainer finished; waiting for the Job to complete", startTime, null, restarts, null, null);
        }

        if (active is not null)
        {
            var (phase, reason, message) = WhyNotRunning(active);
            return new RunObservation(phase, reason, message, startTime, null, restarts, null, null);
        }

        return restarts > 0
            ? new RunObservation(JobPhase.Initializing, ConditionReasons.Restarting, $"the trainer is being restarted after {restarts} failed or disrupted pod(s)", startTime, null, restarts, null, null)
            : new RunObservation(JobPhase.Pending, "Pending", $"waiting for Job {run.Metadata.Name} to create its pod", startTime, null, restarts, null, null);
    }

    // What keeps a created pod from running, in the words of the scheduler or the kubelet (a pod that fits no node, an
    // image that cannot be pulled, a container that cannot be created), rather than "starting" until
    // activeDeadlineSeconds. The run stays Initializing: it was admitted; its pod waits.
    private static (JobPhase Phase, string Reason, string Message) WhyNotRunning(V1Pod pod)
    {
        var name = pod.Metadata.Name;
        if (pod.Status?.Conditions?.FirstOrDefault(c => c.Type == "PodScheduled" && c.Status == "False") is { } scheduling)
        {
            return (JobPhase.Initializing, ConditionReasons.Unschedulable, $"pod {name} cannot be scheduled yet: {Shorten(scheduling.Message ?? scheduling.Reason ?? "no node fits it")}");
        }

        if (pod.Status?.ContainerStatuses?.FirstOrDefault(c => c.Name == TrainerJobBuilder.ContainerName)?.State?.Waiting is { Reason: { } waiting } state
            && waiting is not ("ContainerCreating" or "PodInitializing"))
        {
            return (JobPhase.Initializing, waiting, $"pod {name} cannot start its trainer: {waiting}{(string.IsNullOrEmpty(state.Message) ? "" : ": " + Shorten(state.Message))}");
        }

        return (JobPhase.Initializing, ConditionReasons.PodStarting, $"pod {name} is starting");
    }

    private static string Shorten(string message) =>
        message.Length > MaxMessageLength ? message[..MaxMessageLength] + "…" : message;

    // The exit code of the trainer that failed last (not evicted), when a cached pod shows it.
    private static int? ExitCodeOf(IReadOnlyList<V1Pod> pods) =>
        pods.LastOrDefault(p => p.Status?.Phase == "Failed" && p.Status.Conditions?.Any(c => c.Type == "DisruptionTarget" && c.Status == "True") != true)
            ?.Status?.ContainerStatuses?.FirstOrDefault(c => c.Name == TrainerJobBuilder.ContainerName)?.State?.Terminated?.ExitCode;

    private static V1JobCondition? Condition(V1Job run, string type) =>
        run.Status?.Conditions?.FirstOrDefault(c => c.Type == type && c.Status == "True");

    private static string TerminationMessage(V1Pod? pod)
    {
        var message = pod?.Status?.ContainerStatuses?.FirstOrDefault(c => c.Name == TrainerJobBuilder.ContainerName)?.State?.Terminated?.Message?.Trim() ?? "";
        return message.Length > MaxMessageLength ? "…" + message[^MaxMessageLength..] : message;
    }

    private static JobResult? ResultOf(V1Pod? pod)
    {
        var message = TerminationMessage(pod);
        if (message.Length == 0 || message[0] != '{')
        {
            return null;
        }

        try
        {
            return KubernetesJson.Deserialize<JobResult>(message);
        }
        catch (JsonException)
        {
            return null; // not the trainer's result (a log tail): the gate then sees no result
        }
    }
}
