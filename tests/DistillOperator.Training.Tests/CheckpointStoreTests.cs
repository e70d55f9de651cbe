using DistillOperator.Testing;
using DistillOperator.Training.Checkpoints;

namespace DistillOperator.Training.Tests;

/// <summary>What a killed save leaves behind is cleaned up, and a damaged state.json falls back to the checkpoint before it.</summary>
public sealed class CheckpointStoreTests : IDisposable
{
    private readonly TempFolder _folder = new();
    private readonly List<string> _warnings = [];

    public void Dispose() => _folder.Dispose();

    private string Save(CheckpointStore store, long step) =>
        store.Save(new TrainingPosition(0, 0, (int)step, step, step), folder => File.WriteAllText(folder.File("student.bin"), $"weights at {step}"));

    [Fact]
    public void A_save_removes_the_folders_a_killed_save_left_and_keeps_one_being_written()
    {
        var store = new CheckpointStore(_folder.Path);
        Save(store, 1);
        var abandoned = Directory.CreateDirectory(_folder.Combine(".tmp-abandoned")).FullName;
        File.WriteAllText(Path.Combine(abandoned, "student.bin"), "half");
        var replaced = Directory.CreateDirectory(_folder.Combine("ckpt-0000000001.old-abandoned")).FullName;
        foreach (var left in new[] { abandoned, replaced })
        {
            Directory.SetLastWriteTimeUtc(left, DateTime.UtcNow.AddHours(-2));
        }

        var writing = Directory.CreateDirectory(_folder.Combine(".tmp-writing")).FullName;

        Save(store, 2);

        Assert.False(Directory.Exists(abandoned));
        Assert.False(Directory.Exists(replaced));
        Assert.True(Directory.Exists(writing));
        Assert.Equal(2, store.Latest(_warnings.Add)!.Position.GlobalStep);
    }

    [Fact]
    public void A_state_json_without_its_position_is_reported_and_the_checkpoint_before_it_resumed()
    {
        var store = new CheckpointStore(_folder.Path, keep: 3);
        Save(store, 1);
        var newest = Save(store, 2);
        var state = Path.Combine(newest, "state.json");
        File.WriteAllText(state, File.ReadAllText(state).Replace("\"globalStep\"", "\"step\"", StringComparison.Ordinal));

        var latest = store.Latest(_warnings.Add);

        Assert.Equal(1, latest!.Position.GlobalStep);
        var warning = Assert.Single(_warnings);
        Assert.Contains("state.json: no number globalStep", warning, StringComparison.Ordinal);
    }

    [Fact]
    public void A_file_carried_over_from_the_checkpoint_before_is_linked_with_its_recorded_hash_not_one_read_again()
    {
        var store = new CheckpointStore(_folder.Path, keep: 3);
        var first = store.Save(new TrainingPosition(0, 0, 1, 1, 1), folder => folder.LinkOrWrite(earlier: null, "teacher.bin", file => File.WriteAllText(file, "frozen teacher")));
        var written = 0;
        var second = store.Save(new TrainingPosition(0, 0, 2, 2, 2), folder => folder.LinkOrWrite(Path.Combine(first, "teacher.bin"), "teacher.bin", _ => written++));

        Assert.Equal(0, written);
        Assert.Equal(2, store.Latest(_warnings.Add)!.Position.GlobalStep);

        // Damaged after the first checkpoint recorded it, before the next save links it: hashing the file again at
        // that save would record the damage as sound and resume from it.
        File.AppendAllText(Path.Combine(second, "teacher.bin"), " damaged");
        store.Save(new TrainingPosition(0, 0, 3, 3, 3), folder => folder.LinkOrWrite(Path.Combine(second, "teacher.bin"), "teacher.bin", _ => written++));

        Assert.Equal(0, written);
        Assert.Null(store.Latest(_warnings.Add));
        Assert.Equal(3, _warnings.Count(w => w.Contains("teacher.bin does not match its recorded SHA-256", StringComparison.Ordinal)));
    }

    [Fact]
    public void A_file_whose_earlier_checkpoint_records_no_hash_for_it_is_written_and_hashed()
    {
        var store = new CheckpointStore(_folder.Path, keep: 3);
        var stray = _folder.Combine("stray.bin");
        File.WriteAllText(stray, "not part of any checkpoint");

        var saved = store.Save(new TrainingPosition(0, 0, 1, 1, 1), folder => folder.LinkOrWrite(stray, "teacher.bin", file => File.WriteAllText(file, "teacher")));

        Assert.Equal("teacher", File.ReadAllText(Path.Combine(saved, "teacher.bin")));
        Assert.Equal(1, store.Latest(_warnings.Add)!.Position.GlobalStep);
        Assert.Empty(_warnings);
    }
}
