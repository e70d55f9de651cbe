using DistillOperator.Testing.Emulator;

namespace DistillOperator.Testing.Tests;

/// <summary>The real kubectl 1.35 against the emulator, with validation on, as a user would work.</summary>
public sealed class KubectlTests : IAsyncLifetime
{
    private KubernetesEmulator _emulator = null!;
    private string _kubeconfig = null!;

    public async Task InitializeAsync()
    {
        _emulator = await KubernetesEmulator.StartAsync();
        _kubeconfig = Path.Combine(Path.GetTempPath(), $"emulator-{Guid.NewGuid():N}.kubeconfig");
        _emulator.WriteKubeconfig(_kubeconfig);
    }

    public async Task DisposeAsync()
    {
        File.Delete(_kubeconfig);
        await _emulator.DisposeAsync();
    }

    private (int ExitCode, string Output, string Error) Kubectl(params string[] arguments) =>
        KubernetesTools.Run(KubernetesTools.Kubectl, ["--kubeconfig", _kubeconfig, .. arguments]);

    [Fact]
    public void Kubectl_installs_the_CRD_applies_the_examples_lists_them_with_printer_columns_and_deletes_them()
    {
        var crd = Kubectl("apply", "-f", "crds/");
        Assert.True(crd.ExitCode == 0, crd.Error);
        Assert.Contains("customresourcedefinition.apiextensions.k8s.io/distillationjobs.distill.dev created", crd.Output, StringComparison.Ordinal);

        var apply = Kubectl("apply", "-f", "examples/");
        Assert.True(apply.ExitCode == 0, apply.Error);
        Assert.Contains("distillationjob.distill.dev/qqp-bert4-sid created", apply.Output, StringComparison.Ordinal);

        var get = Kubectl("get", "distillationjobs", "--all-namespaces");
        Assert.True(get.ExitCode == 0, get.Error);
        var header = get.Output.Split('\n')[0].Split(' ', StringSplitOptions.RemoveEmptyEntries);
        Assert.Equal(["NAMESPACE", "NAME", "PHASE", "STAGE", "PROGRESS", "STUDENT-ACC", "AGREEMENT", "COMPRESSION", "AGE"], header);
        Assert.Contains("qqp-bert4-sid", get.Output, StringComparison.Ordinal);

        var shortName = Kubectl("get", "dj", "-n", "ml-team", "-o", "name");
        Assert.Equal("distillationjob.distill.dev/qqp-bert4-sid", shortName.Output.Trim());

        var again = Kubectl("apply", "-f", "examples/progressive.yaml");
        Assert.Contains("unchanged", again.Output, StringComparison.Ordinal);

        var delete = Kubectl("delete", "-f", "examples/");
        Assert.True(delete.ExitCode == 0, delete.Error);
        var empty = Kubectl("get", "dj", "--all-namespaces");
        Assert.Contains("No resources found", empty.Error, StringComparison.Ordinal);
    }

    [Fact]
    public void Kubectl_apply_of_an_invalid_job_fails_with_the_field_named()
    {
        Assert.Equal(0, Kubectl("apply", "-f", "crds/").ExitCode);
        var broken = RepositoryPaths.Combine("tests", "DistillOperator.Api.Tests", "Manifests", "broken", "out-of-range.yaml");

        var apply = Kubectl("apply", "-f", broken);

        Assert.NotEqual(0, apply.ExitCode);
        Assert.Contains("spec.distillation.temperature: must be greater than 0, got -1", apply.Error, StringComparison.Ordinal);
    }
}
