using System.Text;
using System.Text.Json.Nodes;
using DistillOperator.Api.V1Alpha1;
using DistillOperator.Status;
using DistillOperator.Testing;
using k8s;
using k8s.Models;

namespace DistillOperator.Tests;

/// <summary>
/// The Argo CD health check in docs/argocd.md, run as written with Debian's lua5.1 (Argo CD runs Lua 5.1) against a
/// DistillationJob in every phase, its Ready and Reconciling conditions set by the operator's own code.
/// </summary>
public sealed class ArgoCdHealthCheckTests
{
    private static readonly DateTimeOffset Now = new(2026, 12, 5, 12, 0, 0, TimeSpan.Zero);

    // The Lua of the argocd-cm key, as a user copies it from the document.
    private static string HealthCheck()
    {
        var lines = File.ReadAllLines(RepositoryPaths.Combine("docs", "argocd.md"));
        var key = Array.FindIndex(lines, l => l.Trim() == "resource.customizations.health.distill.dev_DistillationJob: |");
        Assert.True(key >= 0, "docs/argocd.md has no health check for distill.dev_DistillationJob");
        var body = lines.Skip(key + 1).TakeWhile(l => l.StartsWith("    ", StringComparison.Ordinal) || l.Length == 0).ToList();
        return string.Join("\n", body.Select(l => l.Length >= 4 ? l[4..] : l));
    }

    private static DistillationJob Job(JobPhase? phase, long generation = 3, long? observed = 3, Action<IList<V1Condition>>? conditions = null)
    {
        var job = new DistillationJob { Metadata = new V1ObjectMeta { Name = "sst2", Generation = generation } };
        if (phase is null)
        {
            return job;
        }

        job.Status = new DistillationJobStatus { Phase = phase, ObservedGeneration = observed, Conditions = [], PromotedVersion = "20261205-101500-g3-5f2a9c1e" };
        conditions?.Invoke(job.Status.Conditions);
        Readiness.Set(job.Status, Now);
        return job;
    }

    private static Action<IList<V1Condition>> Running(string reason, string message) => c => Conditions.Set(c, ConditionTypes.Running, false, reason, message, 3, Now);

    private static Action<IList<V1Condition>> Failed(string reason, string message) => c =>
    {
        Conditions.Set(c, ConditionTypes.Failed, true, reason, message, 3, Now);
        Conditions.Set(c, ConditionTypes.Stalled, true, reason, message, 3, Now);
    };

    public static TheoryData<string, DistillationJob, string, string> Statuses() => new()
    {
        { "no status yet", Job(null), "Progressing", "waiting for the operator" },
        { "a succeeded status of the previous generation", Job(JobPhase.Succeeded, generation: 4, observed: 3, Succeeded), "Progressing", "waiting for the operator" },
        { "pending behind another writer", Job(JobPhase.Pending, conditions: Running("OutputInUse", "spec.output.uri is in use")), "Progressing", "OutputInUse: spec.output.uri is in use" },
        { "queued", Job(JobPhase.Queued, conditions: Running("Queued", "waiting for admission by queue team-a")), "Progressing", "Queued: waiting for admission" },
        { "initializing", Job(JobPhase.Initializing, conditions: Running("PodStarting", "pod sst2-g3-x is starting")), "Progressing", "PodStarting" },
        { "running", Job(JobPhase.Running, conditions: c => { Conditions.Set(c, ConditionTypes.Running, true, "Training", "pod is training", 3, Now); Conditions.Set(c, ConditionTypes.Stalled, false, "Progressing", "progress is arriving", 3, Now); }), "Progressing", "Training: pod is training" },
        { "running without progress", Job(JobPhase.Running, conditions: c => { Conditions.Set(c, ConditionTypes.Running, true, "Training", "pod is training", 3, Now); Conditions.Set(c, ConditionTypes.Stalled, true, "NoProgress", "no progress reported for 1800 s", 3, Now); }), "Degraded", "NoProgress: no progress reported for 1800 s" },
        { "succeeded and promoted", Job(JobPhase.Succeeded, conditions: Succeeded), "Healthy", "version 20261205-101500-g3-5f2a9c1e is promoted" },
        { "a student that missed its gate", Job(JobPhase.Failed, conditions: Failed("QualityTargetNotMet", "the student missed the quality gate: student accuracy 0.81 is below 0.9")), "Degraded", "QualityTargetNotMet: the student missed the quality gate" },
        { "a teacher that learned nothing", Job(JobPhase.Failed, conditions: Failed("TeacherNotLearned", "the teacher learned nothing to distil")), "Degraded", "TeacherNotLearned: the teacher learned nothing" },
        { "an invalid spec", Job(JobPhase.Failed, conditions: Failed("InvalidSpec", "spec.distillation.temperature: must be greater than 0")), "Degraded", "InvalidSpec: spec.distillation.temperature" },
        { "suspended", Job(JobPhase.Suspended, conditions: c => Conditions.Set(c, ConditionTypes.Admitted, false, "Suspended", "suspended by spec.runPolicy.suspend", 3, Now)), "Suspended", "suspended by spec.runPolicy.suspend" },
    };

    private static void Succeeded(IList<V1Condition> c)
    {
        Conditions.Set(c, ConditionTypes.Succeeded, true, "Completed", "the student was trained, evaluated and exported", 3, Now);
        Conditions.Set(c, ConditionTypes.Running, false, "Completed", "the student was trained, evaluated and exported", 3, Now);
    }

    [Theory]
    [MemberData(nameof(Statuses))]
    public void The_documented_health_check_reads_each_phase_as_Argo_CD_should_show_it(string name, DistillationJob job, string status, string message)
    {
        var script = new StringBuilder()
            .Append("obj = ").Append(LuaTable(JsonNode.Parse(KubernetesJson.Serialize(job)))).Append('\n')
            .Append("local hs = (function()\n").Append(HealthCheck()).Append("\nend)()\n")
            .Append("io.write(hs.status, \"\\n\", hs.message or \"\")\n")
            .ToString();

        var (exitCode, output, error) = ToolProcess.Run("lua5.1", ["-"], input: script);

        Assert.True(exitCode == 0, $"{name}: {error}");
        var lines = output.Split('\n', 2);
        Assert.Equal(status, lines[0]);
        Assert.Contains(message, lines[1], StringComparison.Ordinal);
    }

    // A JSON value as a Lua 5.1 table constructor: objects keyed by string, arrays in order, null left out.
    private static string LuaTable(JsonNode? node) => node switch
    {
        null => "nil",
        JsonObject o => "{" + string.Join(", ", o.Where(p => p.Value is not null).Select(p => $"[{LuaString(p.Key)}] = {LuaTable(p.Value)}")) + "}",
        JsonArray a => "{" + string.Join(", ", a.Select(LuaTable)) + "}",
        JsonValue v when v.TryGetValue<string>(out var s) => LuaString(s),
        JsonValue v when v.TryGetValue<bool>(out var b) => b ? "true" : "false",
        _ => node.ToJsonString(), // a number
    };

    private static string LuaString(string s) => "\"" + s.Replace("\\", "\\\\", StringComparison.Ordinal).Replace("\"", "\\\"", StringComparison.Ordinal).Replace("\n", "\\n", StringComparison.Ordinal) + "\"";

    [Fact]
    public void The_ready_condition_is_true_only_for_a_succeeded_run_of_the_current_generation()
    {
        foreach (var phase in Enum.GetValues<JobPhase>())
        {
            var job = Job(phase);
            var ready = Assert.Single(job.Status!.Conditions!, c => c.Type == ConditionTypes.Ready);
            var reconciling = Assert.Single(job.Status.Conditions!, c => c.Type == ConditionTypes.Reconciling);
            Assert.Equal(phase == JobPhase.Succeeded ? "True" : "False", ready.Status);
            Assert.Equal(3, ready.ObservedGeneration);
            Assert.Equal(phase is JobPhase.Pending or JobPhase.Queued or JobPhase.Initializing or JobPhase.Running ? "True" : "False", reconciling.Status);
            Assert.False(string.IsNullOrEmpty(ready.Reason), phase.ToString());
        }
    }
}
