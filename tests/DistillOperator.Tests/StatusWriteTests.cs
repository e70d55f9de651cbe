using System.Net;
using System.Text.Json.Nodes;
using DistillOperator.Api.V1Alpha1;
using DistillOperator.Controllers;
using DistillOperator.Testing;
using k8s;
using k8s.Autorest;
using k8s.Models;
using Microsoft.Extensions.Logging.Abstractions;

namespace DistillOperator.Tests;

/// <summary>The operator's status writes reach the job they were computed for, never its successor under the same name.</summary>
public sealed class StatusWriteTests
{
    [Fact]
    public async Task A_status_computed_for_a_deleted_job_is_refused_by_the_job_re_created_under_its_name()
    {
        await using var harness = await OperatorHarness.StartAsync();
        var client = harness.Client;
        var cluster = harness.ClusterWithIdleInformers();
        var first = await harness.CreateAsync(TestJobs.Named("reborn").Build());
        await cluster.PatchStatusAsync(first, new JsonObject { ["phase"] = "Running" }, CancellationToken.None);
        await client.CustomObjects.DeleteNamespacedCustomObjectAsync(ApiGroup.Name, ApiGroup.Version, "default", DistillationJob.Plural, "reborn");
        var second = await harness.CreateAsync(TestJobs.Named("reborn").Build());

        var refused = await Assert.ThrowsAsync<HttpOperationException>(() => cluster.PatchStatusAsync(first, new JsonObject { ["phase"] = "Succeeded" }, CancellationToken.None));

        Assert.Equal(HttpStatusCode.UnprocessableEntity, refused.Response.StatusCode); // its uid test fails
        var stored = await client.CustomObjects.GetNamespacedCustomObjectAsync<DistillationJob>(ApiGroup.Name, ApiGroup.Version, "default", DistillationJob.Plural, "reborn");
        Assert.Equal(second.Metadata.Uid, stored.Metadata.Uid);
        Assert.Null(stored.Status?.Phase);
    }
}
