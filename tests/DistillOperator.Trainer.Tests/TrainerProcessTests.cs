using System.Security.Cryptography;
using System.Text.Json.Nodes;
using DistillOperator.Testing;

namespace DistillOperator.Trainer.Tests;

/// <summary>The trainer as a process: exit codes, SIGTERM, and SIGKILL followed by a restart that resumes.</summary>
public sealed class TrainerProcessTests
{
    private static readonly TimeSpan Limit = TimeSpan.FromMinutes(5);

    private const string Job = """
        apiVersion: distill.dev/v1alpha1
        kind: DistillationJob
        metadata: {name: resumable}
        spec:
          teacher:
            architecture: {layers: 4, hiddenSize: 32, heads: 4, intermediateSize: 64}
            finetune: {epochs: 4, learningRate: 0.002}
          student:
            architecture: {layers: 2}
          data:
            train: {uri: train.tsv}
            validation: {uri: dev.tsv}
            maxSequenceLength: 32
          distillation: {strategy: stacked}
          training: {batchSize: 16, learningRate: 0.002, classificationEpochs: 2, checkpointEverySteps: 5, seed: 9}
          output: {uri: out}
        """;

    private static string TrainerAssembly => BuiltAssembly.Path(typeof(TrainerProcessTests).Assembly, "TrainerAssembly");

    private static ChildProcess Trainer(string workspace, params string[] arguments) => ChildProcess.Start(TrainerAssembly, workspace, arguments);

    private static string Workspace()
    {
        var folder = Directory.CreateTempSubdirectory("distill-trainer-").FullName;
        SyntheticSentiment.WriteTsv(Path.Combine(folder, "train.tsv"), 600, seed: 1);
        SyntheticSentiment.WriteTsv(Path.Combine(folder, "dev.tsv"), 150, seed: 2);
        File.WriteAllText(Path.Combine(folder, "job.yaml"), Job);
        return folder;
    }

    private static IEnumerable<long> CheckpointSteps(string workspace) => CheckpointWatch.Steps(Path.Combine(workspace, "out"));

    private static void WaitForCheckpoint(ChildProcess trainer, string workspace, long atLeast) => CheckpointWatch.WaitFor(trainer, Path.Combine(workspace, "out"), atLeast, Limit);

    private static string Hash(string file) => Convert.ToHexStringLower(SHA256.HashData(File.ReadAllBytes(file)));

    [Fact]
    public void A_trainer_killed_with_SIGKILL_after_a_checkpoint_resumes_and_ends_exactly_like_an_uninterrupted_run()
    {
        var uninterrupted = Workspace();
        var interrupted = Workspace();
        try
        {
            using (var run = Trainer(uninterrupted, "--job", "job.yaml", "--local"))
            {
                Assert.True(run.WaitForExit(Limit) == 0, run.Output);
            }

            using (var first = Trainer(interrupted, "--job", "job.yaml", "--local"))
            {
                WaitForCheckpoint(first, interrupted, atLeast: 60);
                first.KillHard();
            }

            var lastBeforeKill = CheckpointSteps(interrupted).Max();
            using var second = Trainer(interrupted, "--job", "job.yaml", "--local");
            Assert.True(second.WaitForExit(Limit) == 0, second.Output);

            Assert.Contains($"resumed from the checkpoint at step {lastBeforeKill}", second.Output, StringComparison.Ordinal);
            var expected = JsonNode.Parse(File.ReadAllText(Path.Combine(uninterrupted, "out", "current", "report.json")))!;
            var actual = JsonNode.Parse(File.ReadAllText(Path.Combine(interrupted, "out", "current", "report.json")))!;
            // Everything the training decides is equal; measured latencies and resumedFromStep naturally are not.
            foreach (var path in new[] { "steps", "agreement", "compressionRatio" })
            {
                Assert.Equal(expected[path]!.ToJsonString(), actual[path]!.ToJsonString());
            }

            foreach (var model in new[] { "teacher", "student" })
            {
                Assert.Equal(expected[model]!["validation"]!.ToJsonString(), actual[model]!["validation"]!.ToJsonString());
                Assert.Equal(expected[model]!["parameters"]!.ToJsonString(), actual[model]!["parameters"]!.ToJsonString());
            }

            Assert.Null(expected["resumedFromStep"]);
            Assert.Equal(lastBeforeKill, (long)actual["resumedFromStep"]!);
            Assert.Equal(Hash(Path.Combine(uninterrupted, "out", "current", "model.safetensors")), Hash(Path.Combine(interrupted, "out", "current", "model.safetensors")));
            Assert.True((double)expected["student"]!["validation"]!["accuracy"]! > 0.7, expected.ToJsonString());
        }
        finally
        {
            Directory.Delete(uninterrupted, recursive: true);
            Directory.Delete(interrupted, recursive: true);
        }
    }

    [Fact]
    public void SIGTERM_writes_a_checkpoint_and_exits_143_and_the_next_run_resumes_from_it()
    {
        var workspace = Workspace();
        try
        {
            using (var first = Trainer(workspace, "--job", "job.yaml", "--local"))
            {
                WaitForCheckpoint(first, workspace, atLeast: 20);
                first.Signal("TERM");
                Assert.Equal(143, first.WaitForExit(Limit));
                Assert.Contains("stopping after a checkpoint", first.Output, StringComparison.Ordinal);
            }

            var stoppedAt = CheckpointSteps(workspace).Max();
            using var second = Trainer(workspace, "--job", "job.yaml", "--local");
            Assert.True(second.WaitForExit(Limit) == 0, second.Output);
            Assert.Contains($"resumed from the checkpoint at step {stoppedAt}", second.Output, StringComparison.Ordinal);
        }
        finally
        {
            Directory.Delete(workspace, recursive: true);
        }
    }

    [Fact]
    public void The_result_is_written_to_the_termination_log_for_the_operator()
    {
        var workspace = Workspace();
        try
        {
            File.WriteAllText(Path.Combine(workspace, "job.yaml"), Job.Replace("classificationEpochs: 2", "classificationEpochs: 1", StringComparison.Ordinal));
            var log = Path.Combine(workspace, "termination-log");
            File.WriteAllText(log, "");
            using var run = ChildProcess.Start(TrainerAssembly, workspace, new Dictionary<string, string> { ["DISTILL_TERMINATION_LOG"] = log }, "--job", "job.yaml", "--local");

            Assert.True(run.WaitForExit(Limit) == 0, run.Output);
            var result = JsonNode.Parse(File.ReadAllText(log))!;
            Assert.Equal($"out/versions/{(string?)result["version"]}", (string?)result["artifactUri"]);
            Assert.InRange((double)result["studentAccuracy"]!, 0.0, 1.0);
            Assert.True((long)result["teacherParameters"]! > (long)result["studentParameters"]!);
        }
        finally
        {
            Directory.Delete(workspace, recursive: true);
        }
    }

    [Fact]
    public void Bad_input_exits_2_with_the_file_named()
    {
        var workspace = Workspace();
        try
        {
            File.Delete(Path.Combine(workspace, "dev.tsv"));
            using var run = Trainer(workspace, "--job", "job.yaml", "--local");

            Assert.Equal(2, run.WaitForExit(Limit));
            Assert.Contains("dev.tsv: data file not found", run.Output, StringComparison.Ordinal);
            Assert.False(Directory.Exists(Path.Combine(workspace, "out")));
        }
        finally
        {
            Directory.Delete(workspace, recursive: true);
        }
    }

    [Fact]
    public void An_invalid_manifest_exits_2_naming_the_line_and_field()
    {
        var workspace = Workspace();
        try
        {
            File.WriteAllText(Path.Combine(workspace, "job.yaml"), Job.Replace("seed: 9", "seed: -9", StringComparison.Ordinal));
            using var run = Trainer(workspace, "--job", "job.yaml", "--local");

            Assert.Equal(2, run.WaitForExit(Limit));
            Assert.Contains("job.yaml:15: spec.training.seed: must be at least 0, got -9", run.Output, StringComparison.Ordinal);
        }
        finally
        {
            Directory.Delete(workspace, recursive: true);
        }
    }
}
