using DistillOperator.Training.Distillation;
using DistillOperator.Training.Runs;
using Microsoft.Extensions.Time.Testing;
using Moq;

namespace DistillOperator.Trainer.Tests;

/// <summary>When the trainer's status reporter sends progress, with the cluster mocked and the clock in the test's hand.</summary>
public sealed class StatusReporterTests
{
    private readonly Mock<IStatusPatcher> _patcher = new(MockBehavior.Strict);
    private readonly List<string> _patches = [];
    private readonly FakeTimeProvider _clock = new(new DateTimeOffset(2026, 11, 28, 12, 0, 0, TimeSpan.Zero));

    private static StageProgress Stage(string name, int index) =>
        new(new TrainingStage(name, StageKind.Internal, [], new LossWeights(0, 0, 1, 1), 1, 1e-4), index, 4, 100);

    private static StepProgress Step(string stage, int index, long step) =>
        new(stage, index, 4, 1, step, 400, new Dictionary<string, double> { ["attention"] = 0.5 }, 1e-4);

    [Fact]
    public async Task The_last_checkpoint_is_named_by_its_storage_uri_not_by_the_pods_mount()
    {
        _patcher.Setup(p => p.PatchAsync(It.IsAny<string>(), It.IsAny<CancellationToken>()))
            .Callback<string, CancellationToken>((patch, _) => _patches.Add(patch)).Returns(Task.CompletedTask);
        var reporter = new StatusReporter(_patcher.Object, TimeSpan.FromMinutes(1), TextWriter.Null, _clock);

        reporter.CheckpointWritten(Path.Combine(StoragePaths.PodClaimRoot, "models", "students", "sst2", ".checkpoints", "ab12", "ckpt-0000000500"), 500);
        reporter.StageStarted(Stage("internal-1", 1));
        reporter.CheckpointWritten("/scratch/out/.checkpoints/ab12/ckpt-0000001000", 1000);
        reporter.StageStarted(Stage("internal-2", 2));
        await reporter.FlushAsync();

        Assert.Contains("\"lastCheckpoint\":\"pvc://models/students/sst2/.checkpoints/ab12/ckpt-0000000500\"", _patches[0], StringComparison.Ordinal);
        Assert.Contains("\"lastCheckpoint\":\"file:///scratch/out/.checkpoints/ab12/ckpt-0000001000\"", _patches[^1], StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_warning_is_sent_at_once_into_status_each_message_once()
    {
        _patcher.Setup(p => p.PatchAsync(It.IsAny<string>(), It.IsAny<CancellationToken>()))
            .Callback<string, CancellationToken>((patch, _) => _patches.Add(patch)).Returns(Task.CompletedTask);
        var reporter = new StatusReporter(_patcher.Object, TimeSpan.FromMinutes(1), TextWriter.Null, _clock);

        reporter.StageStarted(Stage("internal-1", 1));
        await reporter.FlushAsync();
        reporter.Warning("the pod was given 1 GPU(s) but libtorch sees none: training on the CPU");
        await reporter.FlushAsync();
        reporter.Warning("the pod was given 1 GPU(s) but libtorch sees none: training on the CPU");
        reporter.Warning("spec.training.keepBest: no evaluation fell in the final stage");
        await reporter.FlushAsync();

        // Within the interval, yet sent: warnings do not wait for the next due step.
        Assert.Equal(3, _patches.Count);
        var warnings = System.Text.Json.Nodes.JsonNode.Parse(_patches[^1])!["status"]!["progress"]!["warnings"]!.AsArray().Select(w => (string?)w).ToList();
        Assert.Equal(["the pod was given 1 GPU(s) but libtorch sees none: training on the CPU", "spec.training.keepBest: no evaluation fell in the final stage"], warnings);
    }

    [Fact]
    public async Task A_stage_start_while_a_patch_is_in_flight_is_sent_when_that_patch_is_answered()
    {
        var first = new TaskCompletionSource();
        _patcher.Setup(p => p.PatchAsync(It.IsAny<string>(), It.IsAny<CancellationToken>()))
            .Callback<string, CancellationToken>((patch, _) => _patches.Add(patch))
            .Returns(() => _patches.Count == 1 ? first.Task : Task.CompletedTask);
        var reporter = new StatusReporter(_patcher.Object, TimeSpan.FromMinutes(1), TextWriter.Null, _clock);

        reporter.StageStarted(Stage("internal-1", 1));
        reporter.StageStarted(Stage("internal-2", 2)); // the first patch is still unanswered
        first.SetResult();
        await reporter.FlushAsync();

        Assert.Equal(2, _patches.Count);
        Assert.Contains("\"stage\":\"internal-2\"", _patches[1], StringComparison.Ordinal);
    }

    [Fact]
    public async Task Steps_within_the_interval_send_nothing_and_the_first_step_after_it_sends_the_newest_progress()
    {
        _patcher.Setup(p => p.PatchAsync(It.IsAny<string>(), It.IsAny<CancellationToken>()))
            .Callback<string, CancellationToken>((patch, _) => _patches.Add(patch)).Returns(Task.CompletedTask);
        var reporter = new StatusReporter(_patcher.Object, TimeSpan.FromSeconds(10), TextWriter.Null, _clock);

        reporter.StageStarted(Stage("internal-1", 1));
        await reporter.FlushAsync();
        for (var step = 1; step <= 5; step++)
        {
            _clock.Advance(TimeSpan.FromSeconds(1));
            reporter.StepCompleted(Step("internal-1", 1, step));
        }

        await reporter.FlushAsync();
        Assert.Single(_patches);

        _clock.Advance(TimeSpan.FromSeconds(6));
        reporter.StepCompleted(Step("internal-1", 1, 6));
        await reporter.FlushAsync();

        Assert.Equal(2, _patches.Count);
        Assert.Contains("\"step\":6", _patches[1], StringComparison.Ordinal);
    }
}
