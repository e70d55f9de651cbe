using System.Globalization;
using System.Text.Json.Nodes;

namespace DistillOperator.Testing.Emulator.Workloads;

/// <summary>
/// The batch/v1 Job controller, for one-pod Jobs: creates a pod from the template (owned by the Job), retries failed
/// pods up to backoffLimit, applies the podFailurePolicy (FailJob, Ignore, Count on exit codes and on the
/// DisruptionTarget condition), enforces activeDeadlineSeconds, suspends and resumes, and sets the Job's counts and
/// Complete/Failed/Suspended conditions.
/// </summary>
public sealed class JobController(ObjectStore store, TimeProvider? time = null)
{
    private readonly ResourceType _jobs = store.Find("batch", "v1", "jobs")!;
    private readonly ResourceType _pods = store.Find("", "v1", "pods")!;
    private readonly TimeProvider _time = time ?? TimeProvider.System;

    /// <summary>One pass over every Job. Returns true when it changed anything.</summary>
    public bool Step()
    {
        // Only unfinished Jobs and their pods are copied out of the store (under its lock), and the pods once, indexed
        // by owner uid, instead of a pod list per Job: linear in Jobs + pods.
        var jobs = store.Where(_jobs, j => !Finished(j));
        var uids = jobs.Select(j => (string)j["metadata"]!["uid"]!).ToHashSet();
        var podsByOwner = store.Where(_pods, p => Owners(p).Any(uids.Contains))
            .SelectMany(p => Owners(p).Select(owner => (Owner: owner, Pod: p)))
            .ToLookup(x => x.Owner, x => x.Pod);
        var changed = false;
        foreach (var job in jobs.OrderBy(j => (string?)j["metadata"]!["namespace"], StringComparer.Ordinal).ThenBy(j => (string?)j["metadata"]!["name"], StringComparer.Ordinal))
        {
            changed |= Reconcile(job, podsByOwner);
        }

        return changed;
    }

    private static bool Finished(JsonObject job) =>
        job["status"] is JsonObject status && (HasCondition(status, "Complete") || HasCondition(status, "Failed")) || job["metadata"]!["deletionTimestamp"] is not null;

    private static IEnumerable<string> Owners(JsonObject pod) =>
        (pod["metadata"]!["ownerReferences"] as JsonArray ?? []).Select(o => (string?)o!["uid"]).OfType<string>();

    private bool Reconcile(JsonObject job, ILookup<string, JsonObject> podsByOwner)
    {
        var status = job["status"] as JsonObject ?? new JsonObject();

        var ns = (string)job["metadata"]!["namespace"]!;
        var name = (string)job["metadata"]!["name"]!;
        var uid = (string)job["metadata"]!["uid"]!;
        var spec = job["spec"]!;
        var pods = podsByOwner[uid].ToList();
        var active = pods.Where(p => (string?)p["status"]?["phase"] is not ("Succeeded" or "Failed") && p["metadata"]!["deletionTimestamp"] is null).ToList();
        var succeeded = pods.Count(p => (string?)p["status"]?["phase"] == "Succeeded");
        var updated = (JsonObject)status.DeepClone();

        if ((bool?)spec["suspend"] == true)
        {
            foreach (var pod in active)
            {
                store.Delete(_pods, ns, (string)pod["metadata"]!["name"]!, null);
            }

            SetCondition(updated, "Suspended", "True", "JobSuspended", "Job suspended");
            updated["active"] = 0;
            updated.Remove("startTime");
            return Write(ns, name, status, updated);
        }

        if (HasCondition(status, "Suspended"))
        {
            SetCondition(updated, "Suspended", "False", "JobResumed", "Job resumed");
        }

        var (counted, failJob) = ClassifyFailures(spec, pods.Where(p => (string?)p["status"]?["phase"] == "Failed"));
        var backoffLimit = (int?)spec["backoffLimit"] ?? 6;
        var deadline = (long?)spec["activeDeadlineSeconds"];
        var started = (string?)updated["startTime"] is { } start ? DateTimeOffset.Parse(start, CultureInfo.InvariantCulture) : (DateTimeOffset?)null;
        updated["succeeded"] = succeeded;
        updated["failed"] = counted;
        if (succeeded > 0)
        {
            SetCondition(updated, "Complete", "True", "", "");
            updated["completionTime"] = Now();
            updated["active"] = 0;
        }
        else if (failJob is not null)
        {
            Fail(updated, ns, active, "PodFailurePolicy", failJob);
        }
        else if (counted > backoffLimit)
        {
            Fail(updated, ns, active, "BackoffLimitExceeded", "Job has reached the specified backoff limit");
        }
        else if (deadline is { } seconds && started is { } since && _time.GetUtcNow() - since >= TimeSpan.FromSeconds(seconds))
        {
            Fail(updated, ns, active, "DeadlineExceeded", "Job was active longer than specified deadline");
        }
        else
        {
            var running = active.Count;
            if (running == 0)
            {
                CreatePod(job);
                running = 1;
            }

            updated["startTime"] ??= Now();
            updated["active"] = running;
        }

        return Write(ns, name, status, updated);
    }

    private static (int Counted, string? FailJob) ClassifyFailures(JsonNode spec, IEnumerable<JsonObject> failedPods)
    {
        var counted = 0;
        var rules = spec["podFailurePolicy"]?["rules"] as JsonArray ?? [];
        foreach (var pod in failedPods)
        {
            var exitCode = (int?)pod["status"]?["containerStatuses"]?[0]?["state"]?["terminated"]?["exitCode"];
            var conditions = pod["status"]?["conditions"] as JsonArray ?? [];
            var action = rules.OfType<JsonObject>().Select(rule => (Rule: rule, Matches: RuleMatches(rule, exitCode, conditions))).FirstOrDefault(r => r.Matches).Rule?["action"];
            switch ((string?)action)
            {
                case "FailJob":
                    // The pod that fails the Job counts in status.failed, as every failure but an ignored one does.
                    return (counted + 1, $"Container trainer for pod {(string?)pod["metadata"]!["name"]} failed with exit code {exitCode} matching FailJob rule");
                case "Ignore":
                    break;
                default:
                    counted++;
                    break;
            }
        }

        return (counted, null);
    }

    private static bool RuleMatches(JsonObject rule, int? exitCode, JsonArray conditions)
    {
        if (rule["onExitCodes"] is JsonObject onExitCodes && exitCode is { } code)
        {
            var values = onExitCodes["values"]!.AsArray().Select(v => (int)v!).ToList();
            return (string?)onExitCodes["operator"] == "NotIn" ? !values.Contains(code) : values.Contains(code);
        }

        return rule["onPodConditions"] is JsonArray wanted && wanted.OfType<JsonObject>().Any(w =>
            conditions.OfType<JsonObject>().Any(c => (string?)c["type"] == (string?)w["type"] && (string?)c["status"] == ((string?)w["status"] ?? "True")));
    }

    private void Fail(JsonObject status, string ns, List<JsonObject> active, string reason, string message)
    {
        foreach (var pod in active)
        {
            store.Delete(_pods, ns, (string)pod["metadata"]!["name"]!, null);
        }

        SetCondition(status, "Failed", "True", reason, message);
        status["active"] = 0;
    }

    private void CreatePod(JsonObject job)
    {
        var metadata = job["metadata"]!;
        var template = job["spec"]!["template"]!;
        var labels = template["metadata"]?["labels"]?.DeepClone() as JsonObject ?? new JsonObject();
        labels["batch.kubernetes.io/job-name"] = (string?)metadata["name"];
        labels["job-name"] = (string?)metadata["name"];
        labels["batch.kubernetes.io/controller-uid"] = (string?)metadata["uid"];
        labels["controller-uid"] = (string?)metadata["uid"];
        store.Create(_pods, (string?)metadata["namespace"], new JsonObject
        {
            ["metadata"] = new JsonObject
            {
                ["generateName"] = $"{(string?)metadata["name"]}-",
                ["labels"] = labels,
                ["annotations"] = template["metadata"]?["annotations"]?.DeepClone(),
                ["ownerReferences"] = new JsonArray(new JsonObject
                {
                    ["apiVersion"] = "batch/v1",
                    ["kind"] = "Job",
                    ["name"] = (string?)metadata["name"],
                    ["uid"] = (string?)metadata["uid"],
                    ["controller"] = true,
                    ["blockOwnerDeletion"] = true,
                }),
            },
            ["spec"] = template["spec"]?.DeepClone(),
            ["status"] = new JsonObject { ["phase"] = "Pending" },
        });
    }

    private bool Write(string ns, string name, JsonObject before, JsonObject after)
    {
        if (JsonNode.DeepEquals(before, after))
        {
            return false;
        }

        store.Replace(_jobs, ns, name, new JsonObject { ["status"] = after }, status: true);
        return true;
    }

    private static bool HasCondition(JsonObject status, string type) =>
        status["conditions"] is JsonArray conditions && conditions.Any(c => (string?)c!["type"] == type && (string?)c["status"] == "True");

    private void SetCondition(JsonObject status, string type, string value, string reason, string message)
    {
        var conditions = status["conditions"] as JsonArray ?? [];
        status["conditions"] = conditions;
        var existing = conditions.OfType<JsonObject>().FirstOrDefault(c => (string?)c["type"] == type);
        if (existing is null)
        {
            conditions.Add(new JsonObject { ["type"] = type, ["status"] = value, ["reason"] = reason, ["message"] = message, ["lastTransitionTime"] = Now() });
        }
        else if ((string?)existing["status"] != value)
        {
            existing["status"] = value;
            existing["reason"] = reason;
            existing["message"] = message;
            existing["lastTransitionTime"] = Now();
        }
    }

    private string Now() => _time.GetUtcNow().UtcDateTime.ToString("yyyy-MM-dd'T'HH:mm:ss'Z'", CultureInfo.InvariantCulture);
}
