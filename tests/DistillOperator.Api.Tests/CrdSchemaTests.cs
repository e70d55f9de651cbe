using System.Text.Json;
using System.Text.Json.Nodes;
using DistillOperator.Api.Schema;
using Json.Schema;

namespace DistillOperator.Api.Tests;

/// <summary>
/// The generated openAPIV3Schema, checked by an independent JSON Schema validator (JsonSchema.Net): every example
/// passes, and the broken manifests the schema can catch are rejected at the right field.
/// </summary>
public sealed class CrdSchemaTests
{
    private static readonly Lazy<JsonSchema> Schema = new(() => JsonSchema.FromText(OpenApiToJsonSchema.Convert(CrdGenerator.OpenApiV3Schema()).ToJsonString()));

    public static TheoryData<string> Examples() => [.. ManifestFixtures.ExampleFiles.Select(f => Path.GetFileName(f))];

    [Theory]
    [MemberData(nameof(Examples))]
    public void Every_example_satisfies_the_CRD_schema(string file)
    {
        foreach (var job in ManifestFixtures.Jobs(Path.Combine(ManifestFixtures.ExamplesFolder, file)))
        {
            var result = Evaluate(job);

            Assert.True(result.IsValid, $"{file}: {string.Join("; ", Failures(result))}");
        }
    }

    [Theory]
    [InlineData("wrong-types.yaml", new[] { "/spec/distillation/temperature", "/spec/training/batchSize", "/spec/runPolicy/suspend", "/spec/resources/gpus" })]
    [InlineData("out-of-range.yaml", new[] { "/spec/data/maxSequenceLength", "/spec/distillation/temperature", "/spec/training/batchSize", "/spec/training/learningRate", "/spec/training/warmupRatio" })]
    [InlineData("unknown-strategy.yaml", new[] { "/spec/distillation/strategy", "/spec/distillation/tempreature" })]
    [InlineData("cross-field.yaml", new[] { "/spec/resources/memory", "/spec/resources/cpu", "/spec/runPolicy/queueName" })]
    public void Broken_manifests_that_the_schema_can_catch_are_rejected_at_the_field(string file, string[] locations)
    {
        var job = Assert.Single(ManifestFixtures.Jobs(ManifestFixtures.Broken(file)));

        var result = Evaluate(job);

        Assert.False(result.IsValid);
        var failed = Failures(result).Select(f => f.Location).ToHashSet();
        Assert.All(locations, location => Assert.Contains(location, failed));
    }

    [Fact]
    public void A_job_with_only_the_required_fields_satisfies_the_schema()
    {
        var job = JsonNode.Parse("""
            {"apiVersion": "distill.dev/v1alpha1", "kind": "DistillationJob", "metadata": {"name": "minimal"},
             "spec": {"teacher": {"model": {"uri": "pvc://m/t"}}, "data": {"train": {"uri": "pvc://d/t.tsv"}}, "output": {"uri": "pvc://m/s"}}}
            """)!;

        Assert.True(Evaluate(job).IsValid);
    }

    [Fact]
    public void A_job_without_an_output_is_rejected()
    {
        var job = JsonNode.Parse("""
            {"apiVersion": "distill.dev/v1alpha1", "kind": "DistillationJob", "metadata": {"name": "no-output"},
             "spec": {"teacher": {"model": {"uri": "pvc://m/t"}}, "data": {"train": {"uri": "pvc://d/t.tsv"}}}}
            """)!;

        var result = Evaluate(job);

        Assert.False(result.IsValid);
        Assert.Contains(Failures(result), f => f.Location == "/spec" && f.Message.Contains("output", StringComparison.Ordinal));
    }

    private static EvaluationResults Evaluate(JsonNode document) =>
        Schema.Value.Evaluate(JsonDocument.Parse(document.ToJsonString()).RootElement, new EvaluationOptions { OutputFormat = OutputFormat.List });

    private static IEnumerable<(string Location, string Message)> Failures(EvaluationResults result) =>
        (result.Details ?? []).Where(d => d.Errors is { Count: > 0 }).SelectMany(d => d.Errors!.Select(e => (d.InstanceLocation.ToString(), $"{e.Key}: {e.Value}")));
}
