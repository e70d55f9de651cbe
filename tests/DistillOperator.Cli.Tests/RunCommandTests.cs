using System.Globalization;
using System.Text.Json.Nodes;
using DistillOperator.Testing;
using DistillOperator.Training.Models;
using static TorchSharp.torch;

namespace DistillOperator.Cli.Tests;

/// <summary>distill run and distill predict on the README's quickstart.</summary>
public sealed class RunCommandTests
{
    private static readonly TimeSpan Limit = TimeSpan.FromMinutes(5);

    private static string DistillAssembly => BuiltAssembly.Path(typeof(RunCommandTests).Assembly, "DistillAssembly");

    [Fact]
    public void The_quickstart_trains_prints_the_side_by_side_table_and_exports_a_student_PyTorch_agrees_with()
    {
        using var quickstart = new QuickstartCopy();

        var run = CliRun.Of("run", "-f", quickstart.Manifest, "--cache-dir", quickstart.CacheFolder);

        Assert.True(run.ExitCode == 0, run.Output + run.Error);
        foreach (var row in new[] { "accuracy", "macro F1", "Matthews corr.", "agreement", "test accuracy", "parameters", "size on disk", "latency / example", "speed-up", "compression" })
        {
            Assert.Contains(run.OutputLines, l => l.Contains(row, StringComparison.Ordinal));
        }

        // The student is a version of its own, promoted: OUTPUT/current is what a serving system reads.
        var promoted = Path.Combine(quickstart.Output, "current");
        var report = JsonNode.Parse(File.ReadAllText(Path.Combine(promoted, "report.json")))!;
        Assert.True((double)report["student"]!["validation"]!["accuracy"]! > 0.7, report.ToJsonString());
        Assert.True((long)report["teacher"]!["parameters"]! > (long)report["student"]!["parameters"]!);
        Assert.True(File.Exists(Path.Combine(promoted, "README.md")));
        Assert.Equal($"versions/{(string?)report["version"]}", new FileInfo(promoted).LinkTarget);

        var texts = new[] { "the plot was not dull and the cast was very charming", "the ending felt tedious" };
        var predict = CliRun.Of(["predict", "--model", quickstart.Output, "--output", "json", .. texts]);
        Assert.True(predict.ExitCode == 0, predict.Error);
        var predictions = JsonNode.Parse(predict.Output)!.AsArray();
        Assert.Equal(texts, predictions.Select(p => (string?)p!["text"]));

        // The exported folder in the PyTorch reference, on the token ids distill predict used.
        foreach (var prediction in predictions)
        {
            var ids = prediction!["tokenIds"]!.AsArray().Select(i => (long)i!).ToArray();
            var inputs = Path.Combine(quickstart.Root, "inputs.safetensors");
            var outputs = Path.Combine(quickstart.Root, "reference.safetensors");
            SafeTensorsFile.Write(inputs, new Dictionary<string, Tensor>
            {
                ["input_ids"] = tensor(ids, [1, ids.Length]),
                ["attention_mask"] = ones(1, ids.Length, ScalarType.Int64),
                ["token_type_ids"] = zeros(1, ids.Length, ScalarType.Int64),
            });
            PythonReference.Run("forward", promoted, inputs, outputs);
            var probabilities = nn.functional.softmax(SafeTensorsFile.Read(outputs)["logits"], -1)[0].data<float>().ToArray();
            var ours = prediction["probabilities"]!.AsObject().Select(p => (float)p.Value!).ToArray();
            Assert.Equal(probabilities.Length, ours.Length);
            Assert.All(probabilities.Zip(ours), p => Assert.True(Math.Abs(p.First - p.Second) < 1e-5, $"PyTorch {p.First}, distill predict {p.Second}"));
        }
    }

    [Fact]
    public void Json_output_prints_the_report_for_scripts()
    {
        using var quickstart = new QuickstartCopy();
        var manifest = File.ReadAllText(quickstart.Manifest).Replace("finetune: {epochs: 3", "finetune: {epochs: 1", StringComparison.Ordinal).Replace("classificationEpochs: 2", "classificationEpochs: 1", StringComparison.Ordinal);
        File.WriteAllText(quickstart.Manifest, manifest);

        var run = CliRun.Of("run", "-f", quickstart.Manifest, "--output", "json", "--cache-dir", quickstart.CacheFolder);

        Assert.True(run.ExitCode == 0, run.Error);
        var report = JsonNode.Parse(run.Output)!;
        Assert.Equal("quickstart", (string?)report["job"]);
        Assert.Equal("stacked", (string?)report["strategy"]);
        Assert.Equal(2, (int)report["schemaVersion"]!);
    }

    [Fact]
    public void Ctrl_C_stops_after_a_checkpoint_and_running_the_same_command_again_resumes()
    {
        using var quickstart = new QuickstartCopy();
        using (var first = ChildProcess.Start(DistillAssembly, quickstart.Root, "run", "-f", quickstart.Manifest, "--cache-dir", quickstart.CacheFolder))
        {
            CheckpointWatch.WaitFor(first, quickstart.Output, atLeast: 1, Limit);
            first.Signal("INT");
            Assert.Equal(130, first.WaitForExit(Limit));
            Assert.Contains("run the same command again to resume", first.Output, StringComparison.Ordinal);
        }

        var stoppedAt = CheckpointWatch.Steps(quickstart.Output).Max();
        var second = CliRun.Of("run", "-f", quickstart.Manifest, "--cache-dir", quickstart.CacheFolder, "--output", "json");

        Assert.True(second.ExitCode == 0, second.Error);
        Assert.Equal(stoppedAt, (long)JsonNode.Parse(second.Output)!["resumedFromStep"]!);
    }

    [Fact]
    public void A_broken_manifest_exits_2_naming_the_line_and_field()
    {
        using var quickstart = new QuickstartCopy();
        File.WriteAllText(quickstart.Manifest, File.ReadAllText(quickstart.Manifest).Replace("batchSize: 32", "batchSize: -32", StringComparison.Ordinal));

        var run = CliRun.Of("run", "-f", quickstart.Manifest);

        Assert.Equal(2, run.ExitCode);
        Assert.Contains(string.Create(CultureInfo.InvariantCulture, $"quickstart.yaml:32: spec.training.batchSize: must be at least 1, got -32"), run.Error, StringComparison.Ordinal);
        Assert.False(Directory.Exists(quickstart.Output));
    }
}
