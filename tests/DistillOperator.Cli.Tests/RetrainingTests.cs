using System.Security.Cryptography;
using System.Text.Json.Nodes;
using DistillOperator.Testing;
using DistillOperator.Training.Outputs;

namespace DistillOperator.Cli.Tests;

/// <summary>
/// Retraining into one output with distill run: every run writes a version of its own, only a student that passes its
/// gate is promoted, and what OUTPUT/current serves never changes under a failed run or a killed one.
/// </summary>
public sealed class RetrainingTests
{
    private static readonly TimeSpan Limit = TimeSpan.FromMinutes(5);
    private static readonly string[] Texts = ["the plot was not dull and the cast was very charming", "the ending felt tedious"];

    private static string DistillAssembly => BuiltAssembly.Path(typeof(RetrainingTests).Assembly, "DistillAssembly");

    // The quickstart, shortened, keeping two versions, with the gate and seed given.
    private static void Configure(QuickstartCopy quickstart, string gate, int seed)
    {
        var manifest = File.ReadAllText(RepositoryPaths.Combine("examples", "quickstart.yaml"))
            .Replace("finetune: {epochs: 3", "finetune: {epochs: 2", StringComparison.Ordinal)
            .Replace("classificationEpochs: 2", "classificationEpochs: 1", StringComparison.Ordinal)
            .Replace("seed: 42", $"seed: {seed}", StringComparison.Ordinal)
            .Replace("    uri: ../.out/quickstart-student", $"    uri: ../.out/quickstart-student\n    keepVersions: 2{gate}", StringComparison.Ordinal);
        File.WriteAllText(quickstart.Manifest, manifest);
    }

    private static Dictionary<string, string> Digests(string folder) =>
        Directory.GetFiles(folder, "*", SearchOption.AllDirectories).ToDictionary(f => Path.GetRelativePath(folder, f), f => Convert.ToHexString(SHA256.HashData(File.ReadAllBytes(f))));

    private static string Predict(string model)
    {
        var predict = CliRun.Of(["predict", "--model", model, "--output", "json", .. Texts]);
        Assert.True(predict.ExitCode == 0, predict.Error);
        return string.Join(";", JsonNode.Parse(predict.Output)!.AsArray().Select(p => p!["probabilities"]!.ToJsonString()));
    }

    [Fact]
    public void Three_runs_to_one_output_promote_only_the_students_that_pass_and_a_failed_run_changes_nothing_served()
    {
        using var quickstart = new QuickstartCopy();
        var current = Path.Combine(quickstart.Output, OutputLayout.CurrentLink);

        // 1. A passing run is promoted.
        Configure(quickstart, "", seed: 42);
        var first = CliRun.Of("run", "-f", quickstart.Manifest, "--cache-dir", quickstart.CacheFolder);
        Assert.True(first.ExitCode == 0, first.Output + first.Error);
        var v1 = Assert.Single(OutputLayout.Versions(quickstart.Output));
        Assert.Equal(v1, Promotion.Current(quickstart.Output)?.Name);
        var served = Digests(current);
        var before = Predict(quickstart.Output);

        // 2. A run that misses the gate (the same training, resumed at its end): exported as a version, not promoted.
        Configure(quickstart, "\n  qualityGate: {minStudentAccuracy: 0.999}", seed: 42);
        var second = CliRun.Of("run", "-f", quickstart.Manifest, "--cache-dir", quickstart.CacheFolder);
        Assert.Equal(4, second.ExitCode);
        Assert.Contains("not promoted: QualityTargetNotMet: student accuracy", second.Error, StringComparison.Ordinal);
        Assert.Contains($"stays version {v1}", second.Error, StringComparison.Ordinal);
        var versions = OutputLayout.Versions(quickstart.Output);
        Assert.Equal(2, versions.Count);
        var v2 = versions[1];
        Assert.Equal(v1, Promotion.Current(quickstart.Output)?.Name);
        Assert.Equal(served, Digests(current));
        Assert.Equal(before, Predict(quickstart.Output));
        var rejected = JsonNode.Parse(File.ReadAllText(Path.Combine(OutputLayout.VersionFolder(quickstart.Output, v2), "report.json")))!;
        Assert.Equal("keep", (string?)rejected["promotion"]!["decision"]);
        Assert.Equal("QualityTargetNotMet", (string?)rejected["promotion"]!["reason"]);
        Assert.Equal(before, Predict(OutputLayout.VersionFolder(quickstart.Output, v2))); // the rejected version is there to inspect: the same training, the same student

        // 3. A passing run with another seed is promoted; keepVersions 2 removes the oldest, never the served one.
        Configure(quickstart, "\n  qualityGate: {minStudentAccuracy: 0.6, maxRegression: 0.2}", seed: 7);
        var third = CliRun.Of("run", "-f", quickstart.Manifest, "--cache-dir", quickstart.CacheFolder, "--output", "json");
        Assert.True(third.ExitCode == 0, third.Error);
        var report = JsonNode.Parse(third.Output)!;
        var v3 = (string)report["version"]!;
        Assert.Equal(v3, Promotion.Current(quickstart.Output)?.Name);
        Assert.Equal([v2, v3], OutputLayout.Versions(quickstart.Output));
        Assert.Equal(v1, (string?)report["promotion"]!["baseline"]!["version"]);
        Assert.InRange((double)report["promotion"]!["baseline"]!["accuracy"]!, 0.6, 1.0);
        Assert.Equal(v3, (string?)JsonNode.Parse(File.ReadAllText(Path.Combine(quickstart.Output, OutputLayout.PointerFile)))!["version"]);
        Assert.NotEqual(before, Predict(quickstart.Output));
        Assert.Equal(Predict(OutputLayout.VersionFolder(quickstart.Output, v3)), Predict(quickstart.Output));

        // Files an older trainer wrote into the output folder itself do not hide the promoted student.
        File.WriteAllText(Path.Combine(quickstart.Output, "config.json"), "{ left by a trainer before versioned outputs }");
        Assert.Equal(Predict(OutputLayout.VersionFolder(quickstart.Output, v3)), Predict(quickstart.Output));
    }

    // Each step of an export and promotion, with whether current has switched to the new version when it is killed
    // there. The kill after the switch comes last: the run after it must first bring current.json in line.
    private static readonly (string Point, bool Switched)[] FailPointsOfAPromotion =
    [
        ("version.before-commit", false),
        ("promote.before-switch", false),
        ("promote.link-staged", false),
        ("promote.after-pointer", true),
        ("promote.after-switch", true),
    ];

    [Fact]
    public void A_trainer_killed_at_any_step_of_a_promotion_leaves_current_a_whole_student_that_predicts()
    {
        using var quickstart = new QuickstartCopy();
        Configure(quickstart, "", seed: 42);
        var first = CliRun.Of("run", "-f", quickstart.Manifest, "--cache-dir", quickstart.CacheFolder);
        Assert.True(first.ExitCode == 0, first.Output + first.Error);
        var before = Predict(quickstart.Output);

        foreach (var (failPoint, switched) in FailPointsOfAPromotion)
        {
            // The same training resumed at its end, exported again and killed at the fail point.
            var served = Promotion.Current(quickstart.Output)!.Name;
            var environment = new Dictionary<string, string> { [FailPoints.Variable] = failPoint };
            using (var killed = ChildProcess.Start(DistillAssembly, quickstart.Root, environment, "run", "-f", quickstart.Manifest, "--cache-dir", quickstart.CacheFolder))
            {
                Assert.Equal(137, killed.WaitForExit(Limit));
                Assert.Contains($"killed at fail point {failPoint}", killed.Output, StringComparison.Ordinal);
            }

            var promoted = Promotion.Current(quickstart.Output);
            Assert.NotNull(promoted);
            Assert.True(switched == (promoted.Name != served), $"{failPoint}: current is {promoted.Name}, was {served}");
            foreach (var file in new[] { "config.json", "model.safetensors", "vocab.txt", "report.json", "README.md" })
            {
                Assert.True(File.Exists(Path.Combine(quickstart.Output, OutputLayout.CurrentLink, file)), $"current/{file} is missing after a kill at {failPoint}");
            }

            Assert.Equal(before, Predict(quickstart.Output)); // the same training: the same student, whichever version is served
        }

        // Killed between the switch and current.json: the next run, even one that promotes nothing, first brings the
        // pointer in line with the link.
        var linked = Promotion.Current(quickstart.Output)!.Name;
        Assert.NotEqual(linked, (string?)JsonNode.Parse(File.ReadAllText(Path.Combine(quickstart.Output, OutputLayout.PointerFile)))!["version"]);
        Configure(quickstart, "\n  qualityGate: {minStudentAccuracy: 0.999}", seed: 42);
        var again = CliRun.Of("run", "-f", quickstart.Manifest, "--cache-dir", quickstart.CacheFolder);
        Assert.True(again.ExitCode == 4, again.Error);
        Assert.Equal(linked, Promotion.Current(quickstart.Output)?.Name);
        Assert.Equal(linked, (string?)JsonNode.Parse(File.ReadAllText(Path.Combine(quickstart.Output, OutputLayout.PointerFile)))!["version"]);
    }

    [Fact]
    public void A_teacher_that_stays_at_chance_stops_the_run_before_distillation_with_exit_code_3()
    {
        using var quickstart = new QuickstartCopy();
        Configure(quickstart, "", seed: 42);
        // Every text the same and the labels balanced: no teacher can beat always predicting one class.
        foreach (var (file, rows) in new[] { ("train.tsv", 64), ("dev.tsv", 20) })
        {
            File.WriteAllLines(Path.Combine(quickstart.Root, "examples", "quickstart", file), ["sentence\tlabel", .. Enumerable.Range(0, rows).Select(i => $"a film like any other\t{i % 2}")]);
        }

        File.Delete(Path.Combine(quickstart.Root, "examples", "quickstart", "test.tsv"));
        File.WriteAllText(quickstart.Manifest, File.ReadAllText(quickstart.Manifest).Replace("    test: {uri: quickstart/test.tsv}\n", "", StringComparison.Ordinal));

        var run = CliRun.Of("run", "-f", quickstart.Manifest, "--cache-dir", quickstart.CacheFolder);

        Assert.Equal(3, run.ExitCode);
        Assert.Contains("the teacher learned nothing to distil: its validation accuracy 0.5 ", run.Error, StringComparison.Ordinal);
        Assert.Contains("is no better than always predicting the majority class", run.Error, StringComparison.Ordinal);
        Assert.Contains("spec.teacher.finetune.epochs", run.Error, StringComparison.Ordinal);
        Assert.Empty(OutputLayout.Versions(quickstart.Output));
        Assert.Null(Promotion.Current(quickstart.Output));
    }
}
