using DistillOperator.Api.Manifests;
using DistillOperator.Api.Validation;

namespace DistillOperator.Api.Tests;

public sealed class ManifestValidatorTests
{
    public static TheoryData<string, string[]> BrokenManifests() => new()
    {
        { "wrong-types.yaml", ["spec.distillation.temperature", "spec.training.batchSize", "spec.runPolicy.suspend", "spec.resources.gpus"] },
        { "out-of-range.yaml", ["spec.data.maxSequenceLength", "spec.distillation.temperature", "spec.training.batchSize", "spec.training.learningRate", "spec.training.warmupRatio"] },
        { "bad-uris.yaml", ["spec.teacher.model.uri", "spec.data.train.uri", "spec.data.validation.uri", "spec.data.tokenizer.vocab", "spec.output.uri"] },
        { "unknown-strategy.yaml", ["spec.distillation.strategy", "spec.distillation.tempreature"] },
        {
            "mapping-out-of-range.yaml",
            ["spec.distillation.internal.layerPairs[1].student", "spec.distillation.internal.layerPairs[1].teacher", "spec.distillation.internal.layerPairs[2].student", "spec.distillation.internal.layerPairs[2].teacher"]
        },
        {
            "cross-field.yaml",
            ["spec.teacher.architecture", "spec.data.train.textPairField", "spec.data.tokenizer.vocab", "spec.distillation.softLabelWeight", "spec.distillation.internal", "spec.resources.memory", "spec.resources.cpu", "spec.runPolicy.queueName", "spec.qualityGate"]
        },
    };

    [Theory]
    [MemberData(nameof(BrokenManifests))]
    public void Every_problem_of_a_broken_manifest_is_reported_at_its_path(string file, string[] paths)
    {
        var check = Assert.Single(ManifestValidator.CheckText(File.ReadAllText(ManifestFixtures.Broken(file)), ValidationTarget.Cluster), c => c.SkippedBecause is null);

        var reported = check.Problems.Select(p => p.Problem.Path).ToList();

        Assert.Equal(paths.Order(StringComparer.Ordinal), reported.Order(StringComparer.Ordinal));
    }

    [Fact]
    public void Problems_carry_the_line_of_the_field_in_the_file()
    {
        var check = ManifestValidator.CheckText(File.ReadAllText(ManifestFixtures.Broken("out-of-range.yaml")), ValidationTarget.Cluster).Single();

        var temperature = check.Problems.Single(p => p.Problem.Path == "spec.distillation.temperature");

        Assert.Equal(15, temperature.Line);
        Assert.Equal("must be greater than 0, got -1", temperature.Problem.Message);
    }

    [Fact]
    public void A_misspelled_field_suggests_the_real_one()
    {
        var check = ManifestValidator.CheckText(File.ReadAllText(ManifestFixtures.Broken("unknown-strategy.yaml")), ValidationTarget.Cluster).Single();

        var problem = check.Problems.Single(p => p.Problem.Path == "spec.distillation.tempreature").Problem;

        Assert.Equal("unknown field \"tempreature\"; did you mean \"temperature\"?", problem.Message);
    }

    [Fact]
    public void Documents_of_other_kinds_are_skipped_with_the_reason()
    {
        var checks = ManifestValidator.CheckText(File.ReadAllText(ManifestFixtures.Broken("cross-field.yaml")), ValidationTarget.Cluster);

        var skipped = Assert.Single(checks, c => c.SkippedBecause is not null);
        Assert.Equal("Deployment", skipped.Kind);
        Assert.Equal("not-a-job", skipped.Name);
        Assert.Contains("not a distill.dev DistillationJob", skipped.SkippedBecause, StringComparison.Ordinal);
    }

    [Fact]
    public void A_YAML_syntax_error_names_its_line_and_column()
    {
        var error = Assert.Throws<ManifestSyntaxException>(() => ManifestValidator.CheckText(File.ReadAllText(ManifestFixtures.Broken("syntax-error.yaml")), ValidationTarget.Cluster));

        Assert.Equal(10, error.Line);
        Assert.Equal(4, error.Column);
    }

    [Theory]
    [MemberData(nameof(CrdSchemaTests.Examples), MemberType = typeof(CrdSchemaTests))]
    public void Every_example_is_valid(string file)
    {
        var checks = ManifestValidator.CheckText(File.ReadAllText(Path.Combine(ManifestFixtures.ExamplesFolder, file)), ValidationTarget.Cluster);

        Assert.NotEmpty(checks);
        Assert.All(checks, c => Assert.True(c.IsValid, string.Join("; ", c.Problems.Select(p => p.Problem))));
    }

    [Fact]
    public void A_wrong_apiVersion_of_the_group_is_a_problem_not_a_skip()
    {
        const string text = """
            apiVersion: distill.dev/v1
            kind: DistillationJob
            metadata: {name: future}
            spec:
              teacher: {model: {uri: pvc://m/t}}
              data: {train: {uri: pvc://d/t.tsv}}
              output: {uri: pvc://m/s}
            """;

        var check = ManifestValidator.CheckText(text, ValidationTarget.Cluster).Single();

        Assert.Equal("apiVersion: must be distill.dev/v1alpha1, got \"distill.dev/v1\"", Assert.Single(check.Problems).Problem.ToString());
    }

    [Fact]
    public void Plain_paths_are_accepted_for_local_runs_only()
    {
        const string text = """
            apiVersion: distill.dev/v1alpha1
            kind: DistillationJob
            metadata: {name: local}
            spec:
              teacher: {architecture: {layers: 2, hiddenSize: 32, heads: 2, intermediateSize: 64}}
              data: {train: {uri: data/train.tsv}}
              output: {uri: out/student}
            """;

        var local = ManifestValidator.CheckText(text, ValidationTarget.Local).Single();
        var cluster = ManifestValidator.CheckText(text, ValidationTarget.Cluster).Single();

        Assert.True(local.IsValid, string.Join("; ", local.Problems.Select(p => p.Problem)));
        Assert.Equal(["spec.data.train.uri", "spec.output.uri"], cluster.Problems.Select(p => p.Problem.Path));
    }

    [Fact]
    public void A_List_document_is_checked_item_by_item()
    {
        const string text = """
            apiVersion: v1
            kind: List
            items:
            - apiVersion: distill.dev/v1alpha1
              kind: DistillationJob
              metadata: {name: first}
              spec: {teacher: {model: {uri: pvc://m/t}}, data: {train: {uri: pvc://d/t.tsv}}, output: {uri: pvc://m/s}}
            - apiVersion: distill.dev/v1alpha1
              kind: DistillationJob
              metadata: {name: second}
              spec: {teacher: {model: {uri: pvc://m/t}}, data: {train: {uri: pvc://d/t.tsv}}}
            """;

        var checks = ManifestValidator.CheckText(text, ValidationTarget.Cluster);

        Assert.Equal(["first", "second"], checks.Select(c => c.Name));
        Assert.True(checks[0].IsValid);
        Assert.Equal("spec.output: is required", Assert.Single(checks[1].Problems).Problem.ToString());
    }

    [Fact]
    public void A_manifest_annotated_as_local_is_checked_as_a_local_job()
    {
        const string text = """
            apiVersion: distill.dev/v1alpha1
            kind: DistillationJob
            metadata:
              name: local
              annotations: {distill.dev/run-target: local}
            spec:
              teacher: {architecture: {layers: 2, hiddenSize: 32, heads: 2, intermediateSize: 64}}
              data: {train: {uri: data/train.tsv}}
              output: {uri: out}
            """;

        Assert.True(ManifestValidator.CheckText(text, ValidationTarget.Cluster).Single().IsValid);
    }
}
