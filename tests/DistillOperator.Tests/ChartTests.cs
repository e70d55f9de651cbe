using DistillOperator.Api.Schema;
using DistillOperator.Hosting;
using DistillOperator.Testing;
using k8s;
using k8s.Models;

namespace DistillOperator.Tests;

/// <summary>The Helm chart: the same CRD as crds/, exactly the operator's permissions, lint, schema and optional parts.</summary>
public sealed class ChartTests
{
    [Fact]
    public void The_chart_installs_the_generated_crd_keeps_it_on_uninstall_and_can_leave_it_out()
    {
        var generated = CommittedCrd.Read();
        var rendered = KubernetesYaml.Deserialize<V1CustomResourceDefinition>(Render().Single(d => d.Contains("\nkind: CustomResourceDefinition\n", StringComparison.Ordinal)));

        // helm's toYaml orders keys; the content must be the same.
        Assert.True(System.Text.Json.Nodes.JsonNode.DeepEquals(System.Text.Json.Nodes.JsonNode.Parse(KubernetesJson.Serialize(generated.Spec)), System.Text.Json.Nodes.JsonNode.Parse(KubernetesJson.Serialize(rendered.Spec))), "the chart's CRD differs from crds/");
        Assert.Equal("keep", rendered.Metadata.Annotations["helm.sh/resource-policy"]);
        Assert.DoesNotContain(Render("crds.install=false"), d => d.Contains("kind: CustomResourceDefinition", StringComparison.Ordinal));
    }

    [Fact]
    public void Helm_lint_accepts_the_chart_with_default_and_namespaced_values()
    {
        var (code, output, error) = KubernetesTools.Run(KubernetesTools.Helm, "lint", "--strict", "charts/distill-operator");
        Assert.True(code == 0, output + error);
        (code, output, error) = KubernetesTools.Run(KubernetesTools.Helm, "template", "x", "charts/distill-operator", "--set", "watchNamespaces={ml,research}", "--set", "leaderElection.enabled=false", "--set", "replicaCount=1");
        Assert.True(code == 0, error);
        Assert.Contains("--namespaces=ml,research", output, StringComparison.Ordinal);
        Assert.DoesNotContain("kind: ClusterRole", output, StringComparison.Ordinal);
        Assert.Equal(2, output.Split("\nkind: Role\n").Length - 1); // one Role per watched namespace, no leader-election Role
    }

    [Fact]
    public void The_charts_rbac_grants_exactly_the_permissions_listed_in_code()
    {
        var documents = Render();
        var clusterRole = KubernetesYaml.Deserialize<V1ClusterRole>(documents.Single(d => d.Contains("\nkind: ClusterRole\n", StringComparison.Ordinal)));
        var leaderRole = KubernetesYaml.Deserialize<V1Role>(documents.Single(d => d.Contains("\nkind: Role\n", StringComparison.Ordinal)));

        Assert.Equal(Grants(OperatorPermissions.Watched), Grants(clusterRole.Rules));
        Assert.Equal(Grants(OperatorPermissions.LeaderElection), Grants(leaderRole.Rules));
    }

    [Theory]
    [InlineData("workers=0", "/workers")]
    [InlineData("replicaCount=0", "/replicaCount")]
    [InlineData("image.pullPolicy=Sometimes", "/image/pullPolicy")]
    [InlineData("watchNamespaces={Not_A_Namespace}", "/watchNamespaces/0")]
    [InlineData("metrics.prot=8080", "/metrics")]
    public void Values_the_schema_rejects_fail_rendering_with_the_path_named(string value, string path)
    {
        var (code, _, error) = KubernetesTools.Run(KubernetesTools.Helm, "template", "x", "charts/distill-operator", "--set", value);
        Assert.NotEqual(0, code);
        Assert.Contains($"at '{path}'", error, StringComparison.Ordinal);
    }

    [Fact]
    public void The_optional_parts_render_when_enabled()
    {
        var text = string.Join("\n---\n", Render("serviceMonitor.enabled=true", "networkPolicy.enabled=true", "grafanaDashboard.enabled=true"));
        Assert.Contains("kind: ServiceMonitor", text, StringComparison.Ordinal);
        Assert.Contains("kind: NetworkPolicy", text, StringComparison.Ordinal);
        Assert.Contains("kind: PodDisruptionBudget", text, StringComparison.Ordinal);
        Assert.Contains("distill_reconcile_duration_seconds_bucket", text, StringComparison.Ordinal); // the dashboard
        var plain = string.Join("\n---\n", Render("replicaCount=1"));
        Assert.DoesNotContain("kind: ServiceMonitor", plain, StringComparison.Ordinal);
        Assert.DoesNotContain("kind: PodDisruptionBudget", plain, StringComparison.Ordinal); // one replica cannot keep one available
    }

    [Fact]
    public void The_deployment_runs_restricted_with_probes_and_leader_election()
    {
        var deployment = KubernetesYaml.Deserialize<V1Deployment>(Render().Single(d => d.Contains("\nkind: Deployment\n", StringComparison.Ordinal)));
        var pod = deployment.Spec.Template.Spec;
        var container = Assert.Single(pod.Containers);
        Assert.True(pod.SecurityContext.RunAsNonRoot);
        Assert.Equal("RuntimeDefault", pod.SecurityContext.SeccompProfile.Type);
        Assert.False(container.SecurityContext.AllowPrivilegeEscalation);
        Assert.True(container.SecurityContext.ReadOnlyRootFilesystem);
        Assert.Equal(["ALL"], container.SecurityContext.Capabilities.Drop);
        Assert.Equal("/healthz", container.LivenessProbe.HttpGet.Path);
        Assert.Equal("/readyz", container.ReadinessProbe.HttpGet.Path);
        Assert.Contains("--leader-election=true", container.Args);
        Assert.Equal(2, deployment.Spec.Replicas);
    }

    [Fact]
    public void Two_replicas_without_leader_election_are_refused_naming_the_values()
    {
        var (code, _, error) = KubernetesTools.Run(KubernetesTools.Helm, "template", "distill-operator", "charts/distill-operator", "--set", "leaderElection.enabled=false");

        Assert.NotEqual(0, code);
        Assert.Contains("replicaCount > 1 needs leaderElection.enabled=true", error, StringComparison.Ordinal);
        Assert.Contains("--leader-election=false", string.Join("\n", Render("leaderElection.enabled=false", "replicaCount=1")), StringComparison.Ordinal);
    }

    private static List<string> Render(params string[] values)
    {
        var arguments = new List<string> { "template", "distill-operator", "charts/distill-operator", "--namespace", "distill-system" };
        foreach (var value in values)
        {
            arguments.AddRange(["--set", value]);
        }

        var (code, output, error) = KubernetesTools.Run(KubernetesTools.Helm, [.. arguments]);
        Assert.True(code == 0, error);
        return [.. output.Split("\n---", StringSplitOptions.RemoveEmptyEntries)];
    }

    private static List<string> Grants(IEnumerable<PermissionRule> rules) =>
        [.. rules.SelectMany(r => r.Verbs.Select(v => $"{v} {r.Group}/{r.Resource}")).Order(StringComparer.Ordinal)];

    private static List<string> Grants(IEnumerable<V1PolicyRule> rules) =>
        [.. rules.SelectMany(r => from g in r.ApiGroups from res in r.Resources from v in r.Verbs select $"{v} {g}/{res}").Order(StringComparer.Ordinal)];

    [Theory]
    [InlineData(true, "port-forward pod/$(kubectl -n distill-system get lease distill-operator -o jsonpath='{.spec.holderIdentity}') 8080")]
    [InlineData(false, "port-forward svc/distill-distill-operator-metrics 8080")]
    public void The_install_notes_send_a_user_to_the_replica_that_reports_the_job_metrics(bool leaderElection, string command)
    {
        string[] values = leaderElection ? [] : ["--set", "leaderElection.enabled=false", "--set", "replicaCount=1"];

        var (code, output, error) = KubernetesTools.Run(KubernetesTools.Helm, ["install", "distill", "charts/distill-operator", "-n", "distill-system", "--dry-run=client", .. values]);

        Assert.True(code == 0, error);
        var notes = output[output.IndexOf("NOTES:", StringComparison.Ordinal)..];
        Assert.Contains(command, notes, StringComparison.Ordinal);
        Assert.Contains("kubectl apply -f examples/soft-label-kd.yaml", notes, StringComparison.Ordinal);
        Assert.True(File.Exists(RepositoryPaths.Combine("examples", "soft-label-kd.yaml")));
    }
}
