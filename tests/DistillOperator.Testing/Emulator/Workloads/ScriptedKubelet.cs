using System.Globalization;
using System.Text.Json.Nodes;

namespace DistillOperator.Testing.Emulator.Workloads;

/// <summary>
/// A kubelet whose pods do what the test says: each new pod starts Running, then follows <see cref="Decide"/>
/// (succeed, exit with a code, be evicted, or keep running until <see cref="Finish"/>).
/// </summary>
public sealed class ScriptedKubelet(ObjectStore store, TimeProvider? time = null) : IKubelet
{
    private readonly ResourceType _pods = store.Find("", "v1", "pods")!;
    private readonly TimeProvider _time = time ?? TimeProvider.System;

    /// <summary>Decides what a pod does; by default every pod succeeds.</summary>
    public Func<JsonObject, PodOutcome> Decide { get; set; } = _ => new PodOutcome.Succeed();

    /// <inheritdoc />
    public string? Logs(string ns, string name) => null;

    /// <summary>Starts every Pending pod and applies its outcome. Returns true when it changed anything.</summary>
    public bool Step()
    {
        var changed = false;
        var pending = store.Where(_pods, p => (string?)p["status"]?["phase"] is null or "Pending" && p["metadata"]!["deletionTimestamp"] is null);
        foreach (var pod in pending.OrderBy(p => (string?)p["metadata"]!["namespace"], StringComparer.Ordinal).ThenBy(p => (string?)p["metadata"]!["name"], StringComparer.Ordinal))
        {
            var outcome = Decide(pod);
            Write(pod, outcome is PodOutcome.KeepRunning ? Running() : Terminated(outcome));
            changed = true;
        }

        return changed;
    }

    /// <summary>Ends a running pod with <paramref name="outcome"/>.</summary>
    public void Finish(string ns, string name, PodOutcome outcome)
    {
        ArgumentNullException.ThrowIfNull(outcome);
        Write(store.Get(_pods, ns, name), Terminated(outcome));
    }

    private void Write(JsonObject pod, JsonObject status) =>
        store.Replace(_pods, (string?)pod["metadata"]!["namespace"], (string)pod["metadata"]!["name"]!, new JsonObject { ["status"] = status }, status: true);

    private JsonObject Running() => new()
    {
        ["phase"] = "Running",
        ["startTime"] = Now(),
        ["containerStatuses"] = new JsonArray(new JsonObject { ["name"] = "trainer", ["ready"] = true, ["restartCount"] = 0, ["state"] = new JsonObject { ["running"] = new JsonObject { ["startedAt"] = Now() } } }),
    };

    private JsonObject Terminated(PodOutcome outcome)
    {
        var (code, message, evicted) = outcome switch
        {
            PodOutcome.Succeed s => (0, s.Message, false),
            PodOutcome.Exit e => (e.Code, e.Message, false),
            PodOutcome.Evict => (137, "evicted", true),
            _ => (0, null, false),
        };
        var status = new JsonObject
        {
            ["phase"] = code == 0 ? "Succeeded" : "Failed",
            ["startTime"] = Now(),
            ["containerStatuses"] = new JsonArray(new JsonObject
            {
                ["name"] = "trainer",
                ["ready"] = false,
                ["restartCount"] = 0,
                ["state"] = new JsonObject { ["terminated"] = new JsonObject { ["exitCode"] = code, ["message"] = message, ["reason"] = code == 0 ? "Completed" : "Error", ["finishedAt"] = Now() } },
            }),
        };
        if (evicted)
        {
            status["reason"] = "Evicted";
            status["conditions"] = new JsonArray(new JsonObject { ["type"] = "DisruptionTarget", ["status"] = "True", ["reason"] = "EvictionByEvictionAPI", ["lastTransitionTime"] = Now() });
        }

        return status;
    }

    private string Now() => _time.GetUtcNow().UtcDateTime.ToString("yyyy-MM-dd'T'HH:mm:ss'Z'", CultureInfo.InvariantCulture);
}
