using System.Text.Json.Nodes;
using DistillOperator.Training.Outputs;

namespace DistillOperator.Training.Tests;

/// <summary>Version folders, the promoted link and pointer, and retention, on plain files.</summary>
public sealed class OutputLayoutTests : IDisposable
{
    private readonly TempFolder _folder = new();

    public void Dispose() => _folder.Dispose();

    private string Output => _folder.Path;

    private string Commit(string version, string student)
    {
        using var staged = StagedVersion.Begin(Output);
        File.WriteAllText(Path.Combine(staged.Folder, "model.safetensors"), student);
        Directory.CreateDirectory(Path.Combine(staged.Folder, "teacher"));
        File.WriteAllText(Path.Combine(staged.Folder, "teacher", "model.safetensors"), "teacher of " + student);
        var name = staged.FreeName(version);
        staged.Commit(name);
        return name;
    }

    [Fact]
    public void Version_names_sort_in_the_order_the_runs_ended_and_say_which_run_made_them()
    {
        var earlier = OutputLayout.VersionName(new DateTimeOffset(2026, 12, 5, 9, 59, 59, TimeSpan.Zero), 12, "0123456789abcdef");
        var later = OutputLayout.VersionName(new DateTimeOffset(2026, 12, 5, 10, 0, 0, TimeSpan.Zero), 3, "fedcba9876543210");

        Assert.Equal("20261205-095959-g12-01234567", earlier);
        Assert.Equal("20261205-100000-g3-fedcba98", later);
        Assert.Equal("20261205-100000-local-fedcba98", OutputLayout.VersionName(new DateTimeOffset(2026, 12, 5, 10, 0, 0, TimeSpan.Zero), null, "fedcba9876543210"));
        Assert.True(string.CompareOrdinal(earlier, later) < 0);
        Assert.True(OutputLayout.IsVersionName(earlier));
        Assert.False(OutputLayout.IsVersionName(".staging-host-12"));
    }

    [Fact]
    public void An_export_that_fails_part_way_leaves_no_version_and_no_staging_behind()
    {
        var failed = Assert.Throws<IOException>(() => ExportThatRunsOutOfSpace(Output));

        Assert.Contains("No space", failed.Message, StringComparison.Ordinal);
        Assert.Empty(OutputLayout.Versions(Output));
        Assert.Empty(Directory.GetFileSystemEntries(Path.Combine(Output, OutputLayout.VersionsFolder)));
    }

    private static void ExportThatRunsOutOfSpace(string output)
    {
        using var staged = StagedVersion.Begin(output);
        File.WriteAllText(Path.Combine(staged.Folder, "model.safetensors"), "new student");
        throw new IOException("No space left on device"); // while writing the fine-tuned teacher, say
    }

    [Fact]
    public void A_committed_version_appears_whole_and_a_second_version_of_the_same_name_gets_a_suffix()
    {
        var first = Commit("20261205-100000-g1-aaaaaaaa", "student one");
        var second = Commit("20261205-100000-g1-aaaaaaaa", "student two");

        Assert.Equal("20261205-100000-g1-aaaaaaaa", first);
        Assert.Equal("20261205-100000-g1-aaaaaaaa-2", second);
        Assert.Equal([first, second], OutputLayout.Versions(Output));
        Assert.Equal("student one", File.ReadAllText(Path.Combine(OutputLayout.VersionFolder(Output, first), "model.safetensors")));
        Assert.Equal("teacher of student two", File.ReadAllText(Path.Combine(OutputLayout.VersionFolder(Output, second), "teacher", "model.safetensors")));
    }

    [Fact]
    public void What_a_killed_export_staged_is_discarded_and_another_writers_busy_staging_is_left_alone()
    {
        var versions = Directory.CreateDirectory(Path.Combine(Output, OutputLayout.VersionsFolder)).FullName;
        var own = Path.Combine(versions, $".staging-{Environment.MachineName}-{Environment.ProcessId}");
        var busy = Path.Combine(versions, ".staging-trainer-pod-b-1");
        var abandoned = Path.Combine(versions, ".staging-trainer-pod-a-1");
        foreach (var folder in new[] { own, busy, abandoned })
        {
            Directory.CreateDirectory(folder);
            File.WriteAllText(Path.Combine(folder, "model.safetensors"), "being written");
        }

        File.SetLastWriteTimeUtc(Path.Combine(abandoned, "model.safetensors"), DateTime.UtcNow.AddHours(-2));
        Directory.SetLastWriteTimeUtc(abandoned, DateTime.UtcNow.AddHours(-2));
        Directory.SetLastWriteTimeUtc(busy, DateTime.UtcNow.AddHours(-2)); // an old folder, but a file in it is being written now

        using (var staged = StagedVersion.Begin(Output))
        {
            Assert.Empty(Directory.GetFileSystemEntries(staged.Folder)); // this writer's half-written export is gone
        }

        Assert.Equal("being written", File.ReadAllText(Path.Combine(busy, "model.safetensors")));
        Assert.False(Directory.Exists(abandoned));
    }

    [Fact]
    public void Promotion_switches_the_link_and_the_pointer_to_a_committed_version()
    {
        var first = Commit("20261205-100000-g1-aaaaaaaa", "student one");
        var second = Commit("20261205-110000-g2-bbbbbbbb", "student two");
        Assert.Null(Promotion.Current(Output));

        Promotion.Promote(Output, first, DateTimeOffset.UtcNow);
        Assert.Equal(first, Promotion.Current(Output)?.Name);
        Promotion.Promote(Output, second, DateTimeOffset.UtcNow);

        var current = Path.Combine(Output, OutputLayout.CurrentLink);
        Assert.Equal($"versions/{second}", new FileInfo(current).LinkTarget);
        Assert.Equal("student two", File.ReadAllText(Path.Combine(current, "model.safetensors")));
        var pointer = JsonNode.Parse(File.ReadAllText(Path.Combine(Output, OutputLayout.PointerFile)))!;
        Assert.Equal(second, (string?)pointer["version"]);
        Assert.Equal($"versions/{second}", (string?)pointer["path"]);
        Assert.Empty(Directory.GetFileSystemEntries(Output, ".current*")); // no staged link left behind
    }

    [Fact]
    public void A_pointer_left_behind_by_a_crash_after_the_switch_is_brought_in_line_with_the_link()
    {
        var first = Commit("20261205-100000-g1-aaaaaaaa", "student one");
        var second = Commit("20261205-110000-g2-bbbbbbbb", "student two");
        Promotion.Promote(Output, first, DateTimeOffset.UtcNow);
        var pointerPath = Path.Combine(Output, OutputLayout.PointerFile);
        var stale = File.ReadAllText(pointerPath);
        Promotion.Promote(Output, second, DateTimeOffset.UtcNow);
        File.WriteAllText(pointerPath, stale); // as if killed between the rename of the link and the pointer's write

        Promotion.RepairPointer(Output);

        Assert.Equal(second, (string?)JsonNode.Parse(File.ReadAllText(pointerPath))!["version"]);
    }

    [Fact]
    public void A_folder_named_current_made_by_hand_stops_the_run_instead_of_being_replaced()
    {
        Directory.CreateDirectory(Path.Combine(Output, OutputLayout.CurrentLink));
        File.WriteAllText(Path.Combine(Output, OutputLayout.CurrentLink, "model.safetensors"), "someone's model");

        var error = Assert.Throws<InvalidDataException>(() => Promotion.EnsureManageable(Output));

        Assert.StartsWith($"spec.output.uri: {Path.Combine(Output, OutputLayout.CurrentLink)} is a folder", error.Message, StringComparison.Ordinal);
        Assert.Equal("someone's model", File.ReadAllText(Path.Combine(Output, OutputLayout.CurrentLink, "model.safetensors")));
    }

    [Fact]
    public void A_promoted_version_removed_by_hand_reads_as_nothing_promoted()
    {
        var first = Commit("20261205-100000-g1-aaaaaaaa", "student one");
        Promotion.Promote(Output, first, DateTimeOffset.UtcNow);
        Directory.Delete(OutputLayout.VersionFolder(Output, first), recursive: true);

        Assert.Null(Promotion.Current(Output));
        Promotion.EnsureManageable(Output); // a dangling link is still the trainer's to replace
    }

    [Fact]
    public void Retention_keeps_the_newest_versions_the_promoted_one_and_the_running_specs_checkpoints()
    {
        var names = Enumerable.Range(1, 5).Select(i => Commit($"20261205-1{i}0000-g{i}-aaaaaaa{i}", $"student {i}")).ToList();
        Promotion.Promote(Output, names[0], DateTimeOffset.UtcNow); // the oldest is the one served
        var checkpoints = Path.Combine(Output, ".checkpoints");
        var specs = Enumerable.Range(1, 4).Select(i => Directory.CreateDirectory(Path.Combine(checkpoints, $"spec{i}")).FullName).ToList();
        for (var i = 0; i < specs.Count; i++)
        {
            Directory.SetLastWriteTimeUtc(specs[i], DateTime.UtcNow.AddHours(i - 10));
        }

        File.WriteAllText(Path.Combine(checkpoints, "input-digests.json"), "{}");

        // The oldest spec's checkpoints are the running run's (a spec reverted to): they stay whatever their age.
        var removed = OutputRetention.Apply(Output, keep: 2, written: names[4], checkpoints, running: specs[0]);

        Assert.Equal([names[0], names[3], names[4]], OutputLayout.Versions(Output));
        Assert.Equal(names[0], Promotion.Current(Output)?.Name);
        Assert.Equal([specs[0], specs[3]], Directory.GetDirectories(checkpoints).Order(StringComparer.Ordinal));
        Assert.True(File.Exists(Path.Combine(checkpoints, "input-digests.json")));
        Assert.Equal(4, removed.Count);
    }
}
