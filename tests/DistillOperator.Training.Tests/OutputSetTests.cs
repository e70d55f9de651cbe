using DistillOperator.Training.Runs;

namespace DistillOperator.Training.Tests;

/// <summary>A job's outputs reach the output folder together or not at all.</summary>
public sealed class OutputSetTests : IDisposable
{
    private readonly TempFolder _folder = new();

    public OutputSetTests()
    {
        // The previous run's set.
        File.WriteAllText(_folder.Combine("model.safetensors"), "old student");
        File.WriteAllText(_folder.Combine("report.json"), "old report");
        Directory.CreateDirectory(_folder.Combine(".checkpoints"));
        File.WriteAllText(_folder.Combine(".checkpoints", "ckpt"), "resume point");
    }

    public void Dispose() => _folder.Dispose();

    [Fact]
    public void An_export_that_fails_part_way_leaves_the_previous_set_whole_and_no_staging_behind()
    {
        var failed = Assert.Throws<IOException>(() => ExportThatRunsOutOfSpace(_folder.Path));

        Assert.Contains("No space", failed.Message, StringComparison.Ordinal);
        Assert.Equal("old student", File.ReadAllText(_folder.Combine("model.safetensors")));
        Assert.Equal("old report", File.ReadAllText(_folder.Combine("report.json")));
        Assert.False(Directory.Exists(_folder.Combine(OutputSet.StagingFolder)));
    }

    private static void ExportThatRunsOutOfSpace(string output)
    {
        using var outputs = OutputSet.Begin(output, "report.json");
        File.WriteAllText(Path.Combine(outputs.Staging, "model.safetensors"), "new student");
        throw new IOException("No space left on device"); // while writing the fine-tuned teacher, say
    }

    [Fact]
    public void A_published_set_replaces_the_previous_files_adds_new_ones_and_keeps_the_checkpoints()
    {
        using (var outputs = OutputSet.Begin(_folder.Path, "report.json"))
        {
            File.WriteAllText(Path.Combine(outputs.Staging, "model.safetensors"), "new student");
            Directory.CreateDirectory(Path.Combine(outputs.Staging, "teacher"));
            File.WriteAllText(Path.Combine(outputs.Staging, "teacher", "model.safetensors"), "fine-tuned teacher");
            File.WriteAllText(Path.Combine(outputs.Staging, "report.json"), "new report");
            outputs.Publish();
        }

        Assert.Equal("new student", File.ReadAllText(_folder.Combine("model.safetensors")));
        Assert.Equal("fine-tuned teacher", File.ReadAllText(_folder.Combine("teacher", "model.safetensors")));
        Assert.Equal("new report", File.ReadAllText(_folder.Combine("report.json")));
        Assert.Equal("resume point", File.ReadAllText(_folder.Combine(".checkpoints", "ckpt")));
        Assert.False(Directory.Exists(_folder.Combine(OutputSet.StagingFolder)));
    }

    [Fact]
    public void What_a_killed_export_staged_is_discarded_by_the_next_run_not_published()
    {
        Directory.CreateDirectory(_folder.Combine(OutputSet.StagingFolder));
        File.WriteAllText(_folder.Combine(OutputSet.StagingFolder, "model.safetensors"), "half of an earlier export");

        using (var outputs = OutputSet.Begin(_folder.Path, "report.json"))
        {
            File.WriteAllText(Path.Combine(outputs.Staging, "report.json"), "new report");
            outputs.Publish();
        }

        Assert.Equal("old student", File.ReadAllText(_folder.Combine("model.safetensors")));
        Assert.Equal("new report", File.ReadAllText(_folder.Combine("report.json")));
    }

    [Fact]
    public void Another_writers_staging_is_left_alone_and_one_abandoned_for_over_an_hour_is_removed()
    {
        var busy = _folder.Combine(".staging-trainer-pod-b-1");
        var abandoned = _folder.Combine(".staging-trainer-pod-a-1");
        foreach (var folder in new[] { busy, abandoned })
        {
            Directory.CreateDirectory(folder);
            File.WriteAllText(Path.Combine(folder, "model.safetensors"), "being written");
        }

        File.SetLastWriteTimeUtc(Path.Combine(abandoned, "model.safetensors"), DateTime.UtcNow.AddHours(-2));
        Directory.SetLastWriteTimeUtc(abandoned, DateTime.UtcNow.AddHours(-2));
        Directory.SetLastWriteTimeUtc(busy, DateTime.UtcNow.AddHours(-2)); // an old folder, but a file in it is being written now

        using (var outputs = OutputSet.Begin(_folder.Path, "report.json"))
        {
            File.WriteAllText(Path.Combine(outputs.Staging, "report.json"), "new report");
            outputs.Publish();
        }

        Assert.Equal("being written", File.ReadAllText(Path.Combine(busy, "model.safetensors")));
        Assert.False(Directory.Exists(abandoned));
        Assert.Equal("new report", File.ReadAllText(_folder.Combine("report.json")));
    }
}
