using System.Net;
using DistillOperator.Api.V1Alpha1;
using DistillOperator.Testing;
using DistillOperator.Testing.Emulator.Workloads;

namespace DistillOperator.Tests;

/// <summary>/metrics, /healthz and /readyz of a running operator.</summary>
public sealed class OperatorEndpointsTests
{
    [Fact]
    public async Task Metrics_describe_the_jobs_and_pass_promtool()
    {
        await using var harness = await OperatorHarness.StartAsync();
        harness.Kubelet.Decide = _ => new PodOutcome.Succeed("""{"studentAccuracy":0.875,"agreement":0.9375,"version":"20261205-100000-g1-aaaaaaaa","promoted":true,"promotionReason":"Promoted","promotedVersion":"20261205-100000-g1-aaaaaaaa"}""");
        var app = await harness.StartOperatorAsync();
        await harness.CreateAsync(TestJobs.Named("measured").Build());
        await harness.CreateAsync(TestJobs.Named("broken").With(j => j.Spec.Distillation.SoftLabelWeight = j.Spec.Distillation.HardLabelWeight = 0).Build());
        await harness.WaitForPhaseAsync("measured", JobPhase.Succeeded);
        await harness.WaitForPhaseAsync("broken", JobPhase.Failed);

        using var http = new HttpClient { BaseAddress = OperatorHarness.Address(app) };
        var text = await http.GetStringAsync(new Uri("/metrics", UriKind.Relative));

        Assert.Equal(1, Sample(text, "distill_jobs", "phase=\"Succeeded\""));
        Assert.Equal(1, Sample(text, "distill_jobs", "phase=\"Failed\""));
        Assert.Equal(0, Sample(text, "distill_jobs", "phase=\"Running\""));
        Assert.Equal(1, Sample(text, "distill_job_transitions_total", "from=\"None\"", "to=\"Failed\"", "reason=\"InvalidSpec\""));
        Assert.Equal(1, Sample(text, "distill_job_transitions_total", "to=\"Succeeded\""));
        Assert.True(Sample(text, "distill_reconcile_duration_seconds_count", "result=\"success\"") >= 2);
        Assert.Equal(1, Sample(text, "distill_job_duration_seconds_count", "phase=\"Succeeded\""));
        Assert.Equal(0, Sample(text, "distill_workqueue_depth"));
        Assert.Equal(0.875, Sample(text, "distill_job_student_accuracy", "name=\"measured\"", "namespace=\"default\""));
        Assert.Equal(0.9375, Sample(text, "distill_job_agreement", "name=\"measured\""));
        Assert.Contains("service_name=\"distill-operator\"", text, StringComparison.Ordinal);
        Assert.Equal(1, Sample(text, "distill_promotions_total", "result=\"promoted\"", "reason=\"Promoted\""));

        var (code, output) = Promtool(text);
        Assert.True(code == 0, $"promtool check metrics: {output}");
    }

    [Fact]
    public async Task Health_and_readiness_answer_on_the_metrics_port()
    {
        await using var harness = await OperatorHarness.StartAsync();
        var app = await harness.StartOperatorAsync();
        using var http = new HttpClient { BaseAddress = OperatorHarness.Address(app) };

        Assert.Equal(HttpStatusCode.OK, (await http.GetAsync(new Uri("/healthz", UriKind.Relative))).StatusCode);
        var deadline = DateTime.UtcNow.AddSeconds(10);
        HttpResponseMessage ready;
        while ((ready = await http.GetAsync(new Uri("/readyz", UriKind.Relative))).StatusCode != HttpStatusCode.OK)
        {
            Assert.Equal(HttpStatusCode.ServiceUnavailable, ready.StatusCode);
            Assert.True(DateTime.UtcNow < deadline, "never ready");
            await Task.Delay(20);
        }

        Assert.Contains("caches synced", await ready.Content.ReadAsStringAsync(), StringComparison.Ordinal);
    }

    // The value of the one sample of metric NAME whose labels include every one given.
    private static double Sample(string text, string name, params string[] labels)
    {
        var lines = text.Split('\n').Where(l => (l.StartsWith(name + "{", StringComparison.Ordinal) || l.StartsWith(name + " ", StringComparison.Ordinal)) && labels.All(x => l.Contains(x, StringComparison.Ordinal))).ToList();
        Assert.True(lines.Count == 1, $"{lines.Count} samples of {name} with {string.Join(",", labels)} in:\n{text}");
        return double.Parse(lines[0][(lines[0].LastIndexOf(' ') + 1)..], System.Globalization.CultureInfo.InvariantCulture);
    }

    [Fact]
    public void The_alert_rules_in_the_metrics_document_pass_promtool()
    {
        var lines = File.ReadAllLines(RepositoryPaths.Combine("docs", "metrics.md"));
        var start = Array.FindIndex(lines, l => l.StartsWith("Alerts worth having", StringComparison.Ordinal));
        var block = lines.Skip(start).SkipWhile(l => l != "```yaml").Skip(1).TakeWhile(l => l != "```").ToList();
        Assert.Contains(block, l => l.Contains("distill_promotions_total", StringComparison.Ordinal));
        var rules = Path.Combine(Path.GetTempPath(), $"distill-alerts-{Guid.NewGuid():N}.yaml");
        File.WriteAllLines(rules, ["groups:", "  - name: distill", "    rules:", .. block.Select(l => "      " + l)]);
        try
        {
            var (code, output, error) = ToolProcess.Run("promtool", ["check", "rules", rules]);
            Assert.True(code == 0, output + error);
            Assert.Contains($"SUCCESS: {block.Count(l => l.StartsWith("- alert:", StringComparison.Ordinal))} rules found", output, StringComparison.Ordinal);
        }
        finally
        {
            File.Delete(rules);
        }
    }

    private static (int Code, string Output) Promtool(string metrics)
    {
        var (code, output, error) = ToolProcess.Run("promtool", ["check", "metrics"], input: metrics);
        return (code, output + error);
    }
}
