using System.Text.Json.Nodes;
using DistillOperator.Api.Schema;

namespace DistillOperator.Api.Tests;

public sealed class StructuralSchemaValidatorTests
{
    private static JsonObject Minimal() => JsonNode.Parse("""
        {"apiVersion": "distill.dev/v1alpha1", "kind": "DistillationJob", "metadata": {"name": "m"},
         "spec": {"teacher": {"model": {"uri": "pvc://m/t"}}, "data": {"train": {"uri": "pvc://d/t.tsv"}}, "output": {"uri": "pvc://m/s"}}}
        """)!.AsObject();

    [Fact]
    public void Defaults_are_filled_as_the_API_server_would_including_nested_ones()
    {
        var job = Minimal();

        var problems = StructuralSchemaValidator.Validate(job, CrdGenerator.OpenApiV3Schema(), StructuralChecks.ApiServer);

        Assert.Empty(problems);
        Assert.Equal("stacked", (string?)job["spec"]!["distillation"]!["strategy"]);
        Assert.Equal("cosine", (string?)job["spec"]!["distillation"]!["internal"]!["hidden"]!["loss"]);
        Assert.Equal(32, (int?)job["spec"]!["training"]!["batchSize"]);
        Assert.Equal("tsv", (string?)job["spec"]!["data"]!["train"]!["format"]);
        Assert.Null(job["spec"]!["qualityGate"]);
    }

    [Fact]
    public void The_schema_defaults_agree_with_the_CSharp_defaults()
    {
        var job = Minimal();
        StructuralSchemaValidator.Validate(job, CrdGenerator.OpenApiV3Schema(), StructuralChecks.ApplyDefaults);

        var fromSchema = k8s.KubernetesJson.Serialize(k8s.KubernetesJson.Deserialize<V1Alpha1.DistillationJob>(job));
        var fromCSharp = k8s.KubernetesJson.Serialize(k8s.KubernetesJson.Deserialize<V1Alpha1.DistillationJob>(Minimal()));

        Assert.Equal(fromCSharp, fromSchema);
    }

    [Fact]
    public void Values_out_of_bounds_are_reported_when_values_are_checked()
    {
        var job = Minimal();
        job["spec"]!["training"] = new JsonObject { ["learningRate"] = 0, ["seed"] = -1 };

        var problems = StructuralSchemaValidator.Validate(job, CrdGenerator.OpenApiV3Schema(), StructuralChecks.ApiServer);

        Assert.Equal(
            ["spec.training.learningRate: must be greater than 0, got 0", "spec.training.seed: must be at least 0, got -1"],
            problems.Select(p => p.ToString()));
    }

    [Fact]
    public void Pruning_removes_only_the_values_of_the_wrong_shape()
    {
        var job = Minimal();
        job["spec"]!["training"] = new JsonObject { ["batchSize"] = "big", ["seed"] = 7 };

        var problems = StructuralSchemaValidator.Validate(job, CrdGenerator.OpenApiV3Schema(), StructuralChecks.Shape | StructuralChecks.PruneInvalid);

        Assert.Equal("spec.training.batchSize: must be an integer, got a string \"big\"", Assert.Single(problems).ToString());
        Assert.Equal("""{"seed":7}""", job["spec"]!["training"]!.ToJsonString());
    }

    [Fact]
    public void Int_or_string_fields_take_both_and_nothing_else()
    {
        var job = Minimal();
        job["spec"]!["resources"] = new JsonObject { ["cpu"] = 4, ["memory"] = "16Gi", ["nodeSelector"] = new JsonObject { ["gpu"] = 1 } };

        var problems = StructuralSchemaValidator.Validate(job, CrdGenerator.OpenApiV3Schema(), StructuralChecks.ApiServer);

        Assert.Equal("spec.resources.nodeSelector[\"gpu\"]: must be a string, got a number 1", Assert.Single(problems).ToString());
    }
}
