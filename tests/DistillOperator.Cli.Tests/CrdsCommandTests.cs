using DistillOperator.Api.Schema;
using DistillOperator.Testing;

namespace DistillOperator.Cli.Tests;

public sealed class CrdsCommandTests
{
    [Fact]
    public void Prints_the_committed_CRD()
    {
        var run = CliRun.Of("crds");

        Assert.Equal(0, run.ExitCode);
        Assert.Equal(File.ReadAllText(RepositoryPaths.Combine("crds", CrdGenerator.FileName)), run.Output);
    }

    [Fact]
    public void The_CRD_has_the_status_subresource_short_names_and_printer_columns()
    {
        var crd = CrdGenerator.Generate();
        var version = crd["spec"]!["versions"]![0]!;

        Assert.NotNull(version["subresources"]!["status"]);
        Assert.Equal(["dj", "distill"], crd["spec"]!["names"]!["shortNames"]!.AsArray().Select(n => (string?)n));
        var columns = version["additionalPrinterColumns"]!.AsArray().Select(c => ((string?)c!["name"], (string?)c["jsonPath"])).ToList();
        Assert.Equal(
            [
                ("Phase", ".status.phase"), ("Stage", ".status.progress.stage"), ("Progress", ".status.progress.percent"),
                ("Student-Acc", ".status.result.studentAccuracy"), ("Agreement", ".status.result.agreement"),
                ("Compression", ".status.result.compressionRatio"), ("Strategy", ".spec.distillation.strategy"),
                ("Promoted", ".status.promotedVersion"), ("Age", ".metadata.creationTimestamp"),
            ],
            columns);
        Assert.DoesNotContain(columns, c => c.Item2!.Contains("conditions", StringComparison.Ordinal));
    }
}
