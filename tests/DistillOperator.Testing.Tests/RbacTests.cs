using System.Net;
using System.Text.Json.Nodes;
using DistillOperator.Api.Manifests;
using DistillOperator.Api.V1Alpha1;
using k8s;
using k8s.Autorest;
using k8s.Models;

namespace DistillOperator.Testing.Tests;

/// <summary>RBAC enforcement for a service account's token: exactly what its Roles grant, and no more.</summary>
public sealed class RbacTests : IAsyncLifetime
{
    private readonly EmulatorFixture _fixture = new();

    private Kubernetes Admin => _fixture.Client;

    public async Task InitializeAsync()
    {
        await _fixture.InitializeAsync();
        var job = (JsonObject)YamlManifestReader.ReadAll(File.ReadAllText(RepositoryPaths.Combine("examples", "progressive.yaml"))).Single().Content!;
        foreach (var name in new[] { "job-a", "job-b" })
        {
            job["metadata"]!["name"] = name;
            await Admin.CustomObjects.CreateNamespacedCustomObjectAsync(job, ApiGroup.Name, ApiGroup.Version, "default", DistillationJob.Plural);
        }

        // What the operator gives a trainer: patch on the status of its own job only.
        await Admin.RbacAuthorizationV1.CreateNamespacedRoleAsync(new V1Role
        {
            Metadata = new V1ObjectMeta { Name = "trainer-job-a" },
            Rules = [new V1PolicyRule { ApiGroups = [ApiGroup.Name], Resources = ["distillationjobs/status"], Verbs = ["patch"], ResourceNames = ["job-a"] }],
        }, "default");
        await Admin.RbacAuthorizationV1.CreateNamespacedRoleBindingAsync(new V1RoleBinding
        {
            Metadata = new V1ObjectMeta { Name = "trainer-job-a" },
            RoleRef = new V1RoleRef { ApiGroup = "rbac.authorization.k8s.io", Kind = "Role", Name = "trainer-job-a" },
            Subjects = [new Rbacv1Subject { Kind = "ServiceAccount", Name = "trainer-job-a", NamespaceProperty = "default" }],
        }, "default");
        _fixture.Emulator.EnforceRbac = true;
    }

    public Task DisposeAsync() => _fixture.DisposeAsync();

    private static V1Patch Phase => new("""{"status": {"phase": "Running"}}""", V1Patch.PatchType.MergePatch);

    [Fact]
    public async Task A_trainer_token_may_patch_its_own_jobs_status_and_nothing_else()
    {
        using var trainer = _fixture.Emulator.CreateClient(_fixture.Emulator.TokenFor("default", "trainer-job-a"));

        var patched = await trainer.CustomObjects.PatchNamespacedCustomObjectStatusAsync<DistillationJob>(Phase, ApiGroup.Name, ApiGroup.Version, "default", DistillationJob.Plural, "job-a");
        var otherJob = await Assert.ThrowsAsync<HttpOperationException>(() => trainer.CustomObjects.PatchNamespacedCustomObjectStatusAsync<DistillationJob>(Phase, ApiGroup.Name, ApiGroup.Version, "default", DistillationJob.Plural, "job-b"));
        var spec = await Assert.ThrowsAsync<HttpOperationException>(() => trainer.CustomObjects.PatchNamespacedCustomObjectAsync<DistillationJob>(Phase, ApiGroup.Name, ApiGroup.Version, "default", DistillationJob.Plural, "job-a"));
        var read = await Assert.ThrowsAsync<HttpOperationException>(() => trainer.CustomObjects.GetNamespacedCustomObjectAsync<DistillationJob>(ApiGroup.Name, ApiGroup.Version, "default", DistillationJob.Plural, "job-a"));

        Assert.Equal(JobPhase.Running, patched.Status!.Phase);
        Assert.All(new[] { otherJob, spec, read }, e => Assert.Equal(HttpStatusCode.Forbidden, e.Response.StatusCode));
        Assert.Contains("User \"system:serviceaccount:default:trainer-job-a\" cannot patch resource \"distillationjobs/status\" in API group \"distill.dev\" in the namespace \"default\"", (string?)JsonNode.Parse(otherJob.Response.Content)!["message"], StringComparison.Ordinal);
        Assert.Equal(
            [("patch", "distillationjobs/status", "job-a", true), ("patch", "distillationjobs/status", "job-b", false), ("patch", "distillationjobs", "job-a", false), ("get", "distillationjobs", "job-a", false)],
            _fixture.Emulator.AccessLog.Select(a => (a.Verb, a.Resource, a.Name, a.Allowed)));
    }

    [Fact]
    public async Task A_ClusterRoleBinding_grants_across_namespaces()
    {
        await Admin.RbacAuthorizationV1.CreateClusterRoleAsync(new V1ClusterRole
        {
            Metadata = new V1ObjectMeta { Name = "job-reader" },
            Rules = [new V1PolicyRule { ApiGroups = [ApiGroup.Name], Resources = ["distillationjobs"], Verbs = ["get", "list", "watch"] }],
        });
        await Admin.RbacAuthorizationV1.CreateClusterRoleBindingAsync(new V1ClusterRoleBinding
        {
            Metadata = new V1ObjectMeta { Name = "operator-reads-jobs" },
            RoleRef = new V1RoleRef { ApiGroup = "rbac.authorization.k8s.io", Kind = "ClusterRole", Name = "job-reader" },
            Subjects = [new Rbacv1Subject { Kind = "ServiceAccount", Name = "operator", NamespaceProperty = "distill-system" }],
        });
        using var operatorClient = _fixture.Emulator.CreateClient(_fixture.Emulator.TokenFor("distill-system", "operator"));

        var jobs = await operatorClient.CustomObjects.ListClusterCustomObjectAsync<DistillationJobList>(ApiGroup.Name, ApiGroup.Version, DistillationJob.Plural);
        var write = await Assert.ThrowsAsync<HttpOperationException>(() => operatorClient.CustomObjects.DeleteNamespacedCustomObjectAsync(ApiGroup.Name, ApiGroup.Version, "default", DistillationJob.Plural, "job-a"));

        Assert.Equal(["job-a", "job-b"], jobs.Items.Select(j => j.Metadata.Name));
        Assert.Equal(HttpStatusCode.Forbidden, write.Response.StatusCode);
    }

    [Fact]
    public async Task An_unknown_token_is_401()
    {
        using var stranger = _fixture.Emulator.CreateClient("not-a-token");

        var error = await Assert.ThrowsAsync<HttpOperationException>(() => stranger.CoreV1.ListNamespacedPodAsync("default"));

        Assert.Equal(HttpStatusCode.Unauthorized, error.Response.StatusCode);
    }
}
