using DistillOperator.Testing;

namespace DistillOperator.Cli.Tests;

public sealed class ValidateCommandTests
{
    private static readonly string Broken = RepositoryPaths.Combine("tests", "DistillOperator.Api.Tests", "Manifests", "broken");

    [Fact]
    public void The_examples_folder_is_valid_and_exits_0()
    {
        var run = CliRun.Of("validate", "-f", RepositoryPaths.Combine("examples"));

        Assert.Equal(0, run.ExitCode);
        Assert.NotEmpty(run.OutputLines);
        Assert.All(run.OutputLines, line => Assert.EndsWith(": valid", line, StringComparison.Ordinal));
        Assert.Contains("0 invalid", run.Error, StringComparison.Ordinal);
    }

    [Fact]
    public void Broken_manifests_exit_1_with_one_line_per_problem_naming_file_job_and_path()
    {
        var run = CliRun.Of("validate", "-f", Broken);

        Assert.Equal(1, run.ExitCode);
        var temperature = Path.Combine(Broken, "out-of-range.yaml") + ":15: DistillationJob/out-of-range: spec.distillation.temperature: must be greater than 0, got -1";
        Assert.Contains(temperature, run.OutputLines);
        Assert.Contains(run.OutputLines, l => l.Contains("DistillationJob/unknown-strategy: spec.distillation.strategy: must be one of none, soft, all-layers, progressive, stacked; got \"fast\"", StringComparison.Ordinal));
        Assert.Contains(run.OutputLines, l => l.Contains("DistillationJob/bad-uris: spec.teacher.model.uri: uses unsupported scheme \"s3\"", StringComparison.Ordinal));
        Assert.Contains(run.OutputLines, l => l.Contains("DistillationJob/wrong-types: spec.training.batchSize: must be an integer, got a number 32.5", StringComparison.Ordinal));
        Assert.Contains(run.OutputLines, l => l.Contains("DistillationJob/mapping-out-of-range: spec.distillation.internal.layerPairs[1].teacher: must be at most the teacher's layer count (4), got 6", StringComparison.Ordinal));
        Assert.Contains(Path.Combine(Broken, "syntax-error.yaml") + ":10:4: YAML syntax error: While parsing a block mapping, did not find expected key.", run.OutputLines);
        Assert.Contains(run.OutputLines, l => l.EndsWith("Deployment/not-a-job: skipped: Deployment (apps/v1) is not a distill.dev DistillationJob", StringComparison.Ordinal));
    }

    [Fact]
    public void One_invalid_file_among_valid_ones_still_exits_1()
    {
        var run = CliRun.Of("validate", "-f", RepositoryPaths.Combine("examples", "progressive.yaml"), Path.Combine(Broken, "wrong-types.yaml"));

        Assert.Equal(1, run.ExitCode);
        Assert.Contains("1 valid, 1 invalid", run.Error, StringComparison.Ordinal);
    }

    [Fact]
    public void A_file_that_cannot_be_read_exits_2_and_names_it()
    {
        var missing = Path.Combine(Path.GetTempPath(), $"missing-{Guid.NewGuid():N}.yaml");

        var run = CliRun.Of("validate", "-f", RepositoryPaths.Combine("examples", "progressive.yaml"), missing);

        Assert.Equal(2, run.ExitCode);
        Assert.Contains($"{missing}: cannot read:", run.Error, StringComparison.Ordinal);
    }

    [Fact]
    public void Plain_paths_pass_with_local_and_fail_without()
    {
        var folder = Directory.CreateTempSubdirectory("distill-validate-");
        try
        {
            var file = Path.Combine(folder.FullName, "local.yaml");
            File.WriteAllText(file, """
                apiVersion: distill.dev/v1alpha1
                kind: DistillationJob
                metadata: {name: local}
                spec:
                  teacher: {architecture: {layers: 2, hiddenSize: 32, heads: 2, intermediateSize: 64}}
                  data: {train: {uri: data/train.tsv}}
                  output: {uri: out}
                """);

            Assert.Equal(0, CliRun.Of("validate", "--local", "-f", file).ExitCode);
            Assert.Equal(1, CliRun.Of("validate", "-f", file).ExitCode);
        }
        finally
        {
            folder.Delete(recursive: true);
        }
    }

    [Fact]
    public void Missing_the_file_option_is_a_usage_error()
    {
        var run = CliRun.Of("validate");

        Assert.Equal(2, run.ExitCode);
        Assert.Contains("--filename", run.Error, StringComparison.Ordinal);
    }
}
