using DistillOperator.Api.Schema;
using DistillOperator.Testing;

namespace DistillOperator.Tests;

/// <summary>The Helm chart installs the same CRD as crds/ and passes helm lint.</summary>
public sealed class ChartTests
{
    [Fact]
    public void The_chart_carries_the_generated_crd_unchanged()
    {
        var generated = File.ReadAllText(RepositoryPaths.Combine("crds", CrdGenerator.FileName));
        var inChart = File.ReadAllText(RepositoryPaths.Combine("charts", "distill-operator", "crds", CrdGenerator.FileName));
        Assert.True(generated == inChart, $"charts/distill-operator/crds/{CrdGenerator.FileName} differs from crds/; copy it: cp crds/{CrdGenerator.FileName} charts/distill-operator/crds/");
    }

    [Fact]
    public void Helm_lint_accepts_the_chart_with_default_and_namespaced_values()
    {
        var (code, output, error) = KubernetesTools.Run(KubernetesTools.Helm, "lint", "--strict", "charts/distill-operator");
        Assert.True(code == 0, output + error);
        (code, output, error) = KubernetesTools.Run(KubernetesTools.Helm, "template", "x", "charts/distill-operator", "--set", "watchNamespaces={ml,research}", "--set", "leaderElection.enabled=false");
        Assert.True(code == 0, error);
        Assert.Contains("--namespaces=ml,research", output, StringComparison.Ordinal);
        Assert.DoesNotContain("kind: ClusterRole", output, StringComparison.Ordinal);
        Assert.Equal(2, output.Split("\nkind: Role\n").Length - 1); // one Role per watched namespace, no leader-election Role
    }
}
