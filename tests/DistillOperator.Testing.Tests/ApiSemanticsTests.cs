using System.Net;
using System.Text.Json;
using System.Text.Json.Nodes;
using DistillOperator.Api.Manifests;
using DistillOperator.Api.V1Alpha1;
using k8s;
using k8s.Autorest;
using k8s.Models;

namespace DistillOperator.Testing.Tests;

/// <summary>The emulator's API server semantics, each through the real KubernetesClient over HTTP.</summary>
public sealed class ApiSemanticsTests : IAsyncLifetime
{
    private readonly EmulatorFixture _fixture = new();

    private Kubernetes Client => _fixture.Client;

    public Task InitializeAsync() => _fixture.InitializeAsync();

    public Task DisposeAsync() => _fixture.DisposeAsync();

    private static JsonObject Example(string file) =>
        (JsonObject)YamlManifestReader.ReadAll(File.ReadAllText(RepositoryPaths.Combine("examples", file))).Single().Content!;

    private Task<DistillationJob> CreateJob(JsonObject job, string ns = "default") =>
        Client.CustomObjects.CreateNamespacedCustomObjectAsync<DistillationJob>(job, ApiGroup.Name, ApiGroup.Version, ns, DistillationJob.Plural);

    private Task<DistillationJob> GetJob(string name, string ns = "default") =>
        Client.CustomObjects.GetNamespacedCustomObjectAsync<DistillationJob>(ApiGroup.Name, ApiGroup.Version, ns, DistillationJob.Plural, name);

    [Fact]
    public async Task A_created_custom_resource_gets_uid_generation_resourceVersion_and_the_CRD_defaults()
    {
        var job = await CreateJob(Example("progressive.yaml"));

        Assert.False(string.IsNullOrEmpty(job.Metadata.Uid));
        Assert.Equal(1, job.Metadata.Generation);
        Assert.NotNull(job.Metadata.ResourceVersion);
        Assert.Equal(32, job.Spec.Training.BatchSize);
        var raw = await Client.CustomObjects.GetNamespacedCustomObjectAsync<JsonElement>(ApiGroup.Name, ApiGroup.Version, "default", DistillationJob.Plural, "mrpc-bert6-pid");
        Assert.Equal(32, raw.GetProperty("spec").GetProperty("training").GetProperty("batchSize").GetInt32());
        Assert.Equal("huggingface", raw.GetProperty("spec").GetProperty("teacher").GetProperty("model").GetProperty("format").GetString());
    }

    [Fact]
    public async Task A_custom_resource_that_breaks_the_schema_is_rejected_with_422_naming_the_field()
    {
        var job = Example("progressive.yaml");
        job["spec"]!["distillation"]!["temperature"] = -1;

        var error = await Assert.ThrowsAsync<HttpOperationException>(() => CreateJob(job));

        Assert.Equal(HttpStatusCode.UnprocessableEntity, error.Response.StatusCode);
        Assert.Contains("spec.distillation.temperature: must be greater than 0, got -1", error.Response.Content, StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_write_with_a_stale_resourceVersion_gets_409_Conflict()
    {
        var created = await CreateJob(Example("progressive.yaml"));
        created.Spec.Training.Seed = 7;
        await Client.CustomObjects.ReplaceNamespacedCustomObjectAsync<DistillationJob>(created, ApiGroup.Name, ApiGroup.Version, "default", DistillationJob.Plural, created.Metadata.Name);

        created.Spec.Training.Seed = 8; // still carries the old resourceVersion
        var error = await Assert.ThrowsAsync<HttpOperationException>(() =>
            Client.CustomObjects.ReplaceNamespacedCustomObjectAsync<DistillationJob>(created, ApiGroup.Name, ApiGroup.Version, "default", DistillationJob.Plural, created.Metadata.Name));

        Assert.Equal(HttpStatusCode.Conflict, error.Response.StatusCode);
        Assert.Contains("\"reason\":\"Conflict\"", error.Response.Content, StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_uid_guards_a_PUT_but_is_dropped_from_a_status_merge_patch_and_a_JSON_patch_test_of_it_refuses_the_write()
    {
        var created = await CreateJob(Example("progressive.yaml"));
        var name = created.Metadata.Name;
        created.Metadata.Uid = "uid-of-a-deleted-job";
        var put = await Assert.ThrowsAsync<HttpOperationException>(() =>
            Client.CustomObjects.ReplaceNamespacedCustomObjectAsync<DistillationJob>(created, ApiGroup.Name, ApiGroup.Version, "default", DistillationJob.Plural, name));
        Assert.Equal(HttpStatusCode.Conflict, put.Response.StatusCode);

        // As the API server's status strategy: the patch's metadata is replaced by the stored object's, uid included.
        var merge = new V1Patch("""{"metadata":{"uid":"uid-of-a-deleted-job"},"status":{"phase":"Running"}}""", V1Patch.PatchType.MergePatch);
        await Client.CustomObjects.PatchNamespacedCustomObjectStatusAsync(merge, ApiGroup.Name, ApiGroup.Version, "default", DistillationJob.Plural, name);
        Assert.Equal(JobPhase.Running, (await GetJob(name)).Status?.Phase);

        var guarded = new V1Patch(StatusPatch.ForJob("uid-of-a-deleted-job", statusMissing: false, new JsonObject { ["phase"] = "Failed" }).ToJsonString(), V1Patch.PatchType.JsonPatch);
        var refused = await Assert.ThrowsAsync<HttpOperationException>(() =>
            Client.CustomObjects.PatchNamespacedCustomObjectStatusAsync(guarded, ApiGroup.Name, ApiGroup.Version, "default", DistillationJob.Plural, name));
        Assert.Equal(HttpStatusCode.UnprocessableEntity, refused.Response.StatusCode);
        Assert.Equal(JobPhase.Running, (await GetJob(name)).Status?.Phase);
    }

    [Fact]
    public async Task A_status_JSON_patch_adds_fields_removes_them_with_null_and_starts_a_status_only_where_there_is_none()
    {
        var created = await CreateJob(Example("progressive.yaml"));
        var name = created.Metadata.Name;
        var uid = created.Metadata.Uid;
        Task Patch(bool statusMissing, JsonObject fields) => Client.CustomObjects.PatchNamespacedCustomObjectStatusAsync(
            new V1Patch(StatusPatch.ForJob(uid, statusMissing, fields).ToJsonString(), V1Patch.PatchType.JsonPatch), ApiGroup.Name, ApiGroup.Version, "default", DistillationJob.Plural, name);

        await Patch(statusMissing: true, new JsonObject { ["phase"] = "Running", ["restarts"] = 1 });
        var started = (await GetJob(name)).Status!;
        Assert.Equal((JobPhase.Running, 1), (started.Phase, started.Restarts));

        await Patch(statusMissing: false, new JsonObject { ["restarts"] = null, ["phase"] = "Succeeded" });
        var status = (await GetJob(name)).Status!;
        Assert.Equal(JobPhase.Succeeded, status.Phase);
        Assert.Null(status.Restarts);

        // A writer whose copy has no status (a stale read) does not wipe the status written meanwhile.
        var stale = await Assert.ThrowsAsync<HttpOperationException>(() => Patch(statusMissing: true, new JsonObject { ["phase"] = "Pending" }));
        Assert.Equal(HttpStatusCode.UnprocessableEntity, stale.Response.StatusCode);
        Assert.Equal(JobPhase.Succeeded, (await GetJob(name)).Status!.Phase);
    }

    [Fact]
    public async Task Generation_moves_on_spec_changes_only_and_status_is_written_through_its_subresource_only()
    {
        var created = await CreateJob(Example("progressive.yaml"));

        var labelled = await Client.CustomObjects.PatchNamespacedCustomObjectAsync<DistillationJob>(
            new V1Patch("""{"metadata": {"labels": {"team": "nlp"}}, "status": {"phase": "Running"}}""", V1Patch.PatchType.MergePatch),
            ApiGroup.Name, ApiGroup.Version, "default", DistillationJob.Plural, created.Metadata.Name);
        var respecced = await Client.CustomObjects.PatchNamespacedCustomObjectAsync<DistillationJob>(
            new V1Patch("""{"spec": {"training": {"seed": 5}}}""", V1Patch.PatchType.MergePatch),
            ApiGroup.Name, ApiGroup.Version, "default", DistillationJob.Plural, created.Metadata.Name);
        var statused = await Client.CustomObjects.PatchNamespacedCustomObjectStatusAsync<DistillationJob>(
            new V1Patch("""{"status": {"phase": "Running", "observedGeneration": 2}, "spec": {"training": {"seed": 6}}}""", V1Patch.PatchType.MergePatch),
            ApiGroup.Name, ApiGroup.Version, "default", DistillationJob.Plural, created.Metadata.Name);

        Assert.Equal(1, labelled.Metadata.Generation);
        Assert.Null(labelled.Status?.Phase);
        Assert.Equal(2, respecced.Metadata.Generation);
        Assert.Equal(2, statused.Metadata.Generation);
        Assert.Equal(JobPhase.Running, statused.Status!.Phase);
        Assert.Equal(5, statused.Spec.Training.Seed);
        Assert.True(long.Parse(statused.Metadata.ResourceVersion) > long.Parse(respecced.Metadata.ResourceVersion));
    }

    [Fact]
    public async Task A_JSON_patch_whose_test_fails_is_rejected_and_changes_nothing()
    {
        var created = await CreateJob(Example("progressive.yaml"));
        var patch = new V1Patch("""[{"op": "test", "path": "/spec/training/seed", "value": 1}, {"op": "replace", "path": "/spec/training/seed", "value": 2}]""", V1Patch.PatchType.JsonPatch);

        var error = await Assert.ThrowsAsync<HttpOperationException>(() =>
            Client.CustomObjects.PatchNamespacedCustomObjectAsync<DistillationJob>(patch, ApiGroup.Name, ApiGroup.Version, "default", DistillationJob.Plural, created.Metadata.Name));

        Assert.Equal(HttpStatusCode.UnprocessableEntity, error.Response.StatusCode);
        Assert.Equal(42, (await GetJob(created.Metadata.Name)).Spec.Training.Seed);
    }

    [Fact]
    public async Task A_missing_object_is_404_with_a_Status_body()
    {
        var error = await Assert.ThrowsAsync<HttpOperationException>(() => GetJob("absent"));

        Assert.Equal(HttpStatusCode.NotFound, error.Response.StatusCode);
        var status = JsonNode.Parse(error.Response.Content)!;
        Assert.Equal("Status", (string?)status["kind"]);
        Assert.Equal("NotFound", (string?)status["reason"]);
        Assert.Equal(404, (int)status["code"]!);
    }

    [Fact]
    public async Task GenerateName_makes_a_unique_name_and_a_taken_name_is_409_AlreadyExists()
    {
        var first = await Client.CoreV1.CreateNamespacedConfigMapAsync(new V1ConfigMap { Metadata = new V1ObjectMeta { GenerateName = "run-" } }, "default");
        var second = await Client.CoreV1.CreateNamespacedConfigMapAsync(new V1ConfigMap { Metadata = new V1ObjectMeta { GenerateName = "run-" } }, "default");

        Assert.StartsWith("run-", first.Metadata.Name, StringComparison.Ordinal);
        Assert.NotEqual(first.Metadata.Name, second.Metadata.Name);
        var error = await Assert.ThrowsAsync<HttpOperationException>(() => Client.CoreV1.CreateNamespacedConfigMapAsync(new V1ConfigMap { Metadata = new V1ObjectMeta { Name = first.Metadata.Name } }, "default"));
        Assert.Equal(HttpStatusCode.Conflict, error.Response.StatusCode);
    }

    [Fact]
    public async Task Lists_filter_by_label_and_field_selectors()
    {
        foreach (var (name, team) in new[] { ("a", "nlp"), ("b", "vision"), ("c", "nlp") })
        {
            await Client.CoreV1.CreateNamespacedConfigMapAsync(new V1ConfigMap { Metadata = new V1ObjectMeta { Name = name, Labels = new Dictionary<string, string> { ["team"] = team } } }, "default");
        }

        var nlp = await Client.CoreV1.ListNamespacedConfigMapAsync("default", labelSelector: "team=nlp");
        var notNlp = await Client.CoreV1.ListNamespacedConfigMapAsync("default", labelSelector: "team notin (nlp)");
        var byName = await Client.CoreV1.ListNamespacedConfigMapAsync("default", fieldSelector: "metadata.name=c");

        Assert.Equal(["a", "c"], nlp.Items.Select(i => i.Metadata.Name));
        Assert.Equal(["b"], notNlp.Items.Select(i => i.Metadata.Name));
        Assert.Equal(["c"], byName.Items.Select(i => i.Metadata.Name));
        Assert.NotNull(nlp.Metadata.ResourceVersion);
    }

    [Fact]
    public async Task A_finalizer_holds_deletion_until_it_is_removed()
    {
        await Client.CoreV1.CreateNamespacedConfigMapAsync(new V1ConfigMap { Metadata = new V1ObjectMeta { Name = "held", Finalizers = ["distill.dev/cleanup"] } }, "default");

        await Client.CoreV1.DeleteNamespacedConfigMapAsync("held", "default");
        var marked = await Client.CoreV1.ReadNamespacedConfigMapAsync("held", "default");
        await Client.CoreV1.PatchNamespacedConfigMapAsync(new V1Patch("""{"metadata": {"finalizers": null}}""", V1Patch.PatchType.MergePatch), "held", "default");

        Assert.NotNull(marked.Metadata.DeletionTimestamp);
        var error = await Assert.ThrowsAsync<HttpOperationException>(() => Client.CoreV1.ReadNamespacedConfigMapAsync("held", "default"));
        Assert.Equal(HttpStatusCode.NotFound, error.Response.StatusCode);
    }

    [Fact]
    public async Task Deleting_an_owner_collects_its_dependents_unless_they_are_orphaned()
    {
        var owner = await CreateJob(Example("progressive.yaml"));
        V1OwnerReference Reference() => new() { ApiVersion = ApiGroup.ApiVersion, Kind = DistillationJob.KindName, Name = owner.Metadata.Name, Uid = owner.Metadata.Uid, Controller = true };
        await Client.CoreV1.CreateNamespacedConfigMapAsync(new V1ConfigMap { Metadata = new V1ObjectMeta { Name = "run-spec", OwnerReferences = [Reference()] } }, "default");
        await Client.CoreV1.CreateNamespacedServiceAccountAsync(new V1ServiceAccount { Metadata = new V1ObjectMeta { Name = "trainer", OwnerReferences = [Reference()] } }, "default");

        await Client.CustomObjects.DeleteNamespacedCustomObjectAsync(ApiGroup.Name, ApiGroup.Version, "default", DistillationJob.Plural, owner.Metadata.Name);

        Assert.Empty((await Client.CoreV1.ListNamespacedConfigMapAsync("default")).Items);
        Assert.Empty((await Client.CoreV1.ListNamespacedServiceAccountAsync("default")).Items);
    }

    [Theory]
    [InlineData("Foreground", 0)]
    [InlineData("Background", 0)]
    [InlineData("Orphan", 1)]
    public async Task The_propagation_policy_decides_what_happens_to_dependents(string policy, int remaining)
    {
        var owner = await Client.CoreV1.CreateNamespacedConfigMapAsync(new V1ConfigMap { Metadata = new V1ObjectMeta { Name = "owner" } }, "default");
        await Client.CoreV1.CreateNamespacedServiceAccountAsync(new V1ServiceAccount
        {
            Metadata = new V1ObjectMeta { Name = "dependent", OwnerReferences = [new V1OwnerReference { ApiVersion = "v1", Kind = "ConfigMap", Name = "owner", Uid = owner.Metadata.Uid }] },
        }, "default");

        await Client.CoreV1.DeleteNamespacedConfigMapAsync("owner", "default", new V1DeleteOptions { PropagationPolicy = policy });

        var left = (await Client.CoreV1.ListNamespacedServiceAccountAsync("default")).Items;
        Assert.Equal(remaining, left.Count);
        Assert.All(left, sa => Assert.Empty(sa.Metadata.OwnerReferences ?? []));
    }
}
