using DistillOperator.Api.V1Alpha1;
using DistillOperator.Testing;
using DistillOperator.Testing.Emulator.Workloads;
using k8s;
using k8s.Models;

namespace DistillOperator.Tests;

/// <summary>The operator runs with exactly the RBAC the Helm chart grants: nothing it does is denied, and every grant is used.</summary>
public sealed class ChartRbacTests
{
    private const string Namespace = "distill-system";
    private const string Account = "distill-operator";

    [Fact]
    public async Task The_operator_needs_every_rule_of_its_chart_and_nothing_more()
    {
        await using var harness = await OperatorHarness.StartAsync();
        var rules = await InstallChartRbacAsync(harness.Client);
        harness.Emulator.EnforceRbac = true;
        var options = harness.Options(harness.Emulator.TokenFor(Namespace, Account));
        options.LeaderElection = true;
        options.LeaseNamespace = Namespace;
        options.LeaseDuration = TimeSpan.FromSeconds(3);
        await harness.StartOperatorAsync(options);

        // A job through to its TTL, a job whose spec changes while it runs, a job suspended while it runs, a job
        // re-created before its predecessor's children were collected.
        harness.Kubelet.Decide = pod => pod["metadata"]!["labels"]!["distill.dev/job"]!.GetValue<string>() == "expiring"
            ? new PodOutcome.Succeed("""{"studentAccuracy":0.9}""")
            : new PodOutcome.KeepRunning();
        await harness.CreateAsync(TestJobs.Named("expiring").With(j => j.Spec.RunPolicy.TtlSecondsAfterFinished = 1).Build());
        await harness.CreateAsync(TestJobs.Named("changing").Build());
        await harness.CreateAsync(TestJobs.Named("pausing").Build());
        await harness.CreateLeftOversAsync("again");
        await harness.CreateAsync(TestJobs.Named("again").Build());
        await harness.WaitForPhaseAsync("changing", JobPhase.Running);
        await harness.WaitForPhaseAsync("pausing", JobPhase.Running);
        await harness.WaitForPhaseAsync("again", JobPhase.Running);
        await harness.PatchSpecAsync("changing", new { training = new { seed = 7 } });
        await harness.PatchSpecAsync("pausing", new { runPolicy = new { suspend = true } });
        await harness.WaitAsync("changing", j => j.Status?.TrainerJob == "changing-g2" && j.Status.Phase == JobPhase.Running);
        await harness.WaitForPhaseAsync("pausing", JobPhase.Suspended);
        var deadline = DateTime.UtcNow.AddSeconds(30);
        while (await harness.GetAsync("expiring") is not null || !Used(harness, "coordination.k8s.io", "leases", "update"))
        {
            Assert.True(DateTime.UtcNow < deadline, "the TTL deletion or a lease renewal did not happen");
            await Task.Delay(50);
        }

        var attempts = harness.Emulator.AccessLog.Where(a => a.User == $"system:serviceaccount:{Namespace}:{Account}").ToList();
        Assert.Empty(attempts.Where(a => !a.Allowed).Select(a => $"{a.Verb} {a.Group}/{a.Resource} {a.Namespace}/{a.Name}").Distinct());
        var unused = rules.Where(r => !Used(harness, r.Group, r.Resource, r.Verb)).Select(r => $"{r.Verb} {r.Group}/{r.Resource}").ToList();
        Assert.True(unused.Count == 0, $"granted but never used: {string.Join(", ", unused)}");
    }

    private static bool Used(OperatorHarness harness, string group, string resource, string verb) =>
        harness.Emulator.AccessLog.Any(a => a.User == $"system:serviceaccount:{Namespace}:{Account}" && a.Allowed && a.Group == group && a.Resource == resource && a.Verb == verb);

    // Renders the chart with helm and creates its ServiceAccount and RBAC objects; returns every (group, resource, verb) granted.
    private static async Task<List<(string Group, string Resource, string Verb)>> InstallChartRbacAsync(Kubernetes client)
    {
        var (code, output, error) = KubernetesTools.Run(KubernetesTools.Helm, "template", "distill-operator", "charts/distill-operator", "--namespace", Namespace);
        Assert.True(code == 0, error);
        var granted = new List<(string, string, string)>();
        foreach (var document in output.Split("\n---", StringSplitOptions.RemoveEmptyEntries))
        {
            var kind = KubernetesYaml.Deserialize<KubernetesObject>(document)?.Kind;
            switch (kind)
            {
                case "ServiceAccount":
                    await client.CoreV1.CreateNamespacedServiceAccountAsync(KubernetesYaml.Deserialize<V1ServiceAccount>(document), Namespace);
                    break;
                case "ClusterRole":
                    var clusterRole = KubernetesYaml.Deserialize<V1ClusterRole>(document);
                    granted.AddRange(Grants(clusterRole.Rules));
                    await client.RbacAuthorizationV1.CreateClusterRoleAsync(clusterRole);
                    break;
                case "ClusterRoleBinding":
                    await client.RbacAuthorizationV1.CreateClusterRoleBindingAsync(KubernetesYaml.Deserialize<V1ClusterRoleBinding>(document));
                    break;
                case "Role":
                    var role = KubernetesYaml.Deserialize<V1Role>(document);
                    granted.AddRange(Grants(role.Rules));
                    await client.RbacAuthorizationV1.CreateNamespacedRoleAsync(role, role.Metadata.NamespaceProperty);
                    break;
                case "RoleBinding":
                    var binding = KubernetesYaml.Deserialize<V1RoleBinding>(document);
                    await client.RbacAuthorizationV1.CreateNamespacedRoleBindingAsync(binding, binding.Metadata.NamespaceProperty);
                    break;
                default:
                    break; // Deployment, Service: nothing RBAC decides
            }
        }

        Assert.NotEmpty(granted);
        return granted;
    }

    private static IEnumerable<(string, string, string)> Grants(IList<V1PolicyRule> rules) =>
        from rule in rules
        from g in rule.ApiGroups
        from r in rule.Resources
        from v in rule.Verbs
        select (g, r, v);
}
