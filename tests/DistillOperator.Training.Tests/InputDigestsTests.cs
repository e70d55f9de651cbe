using System.Security.Cryptography;
using DistillOperator.Training.Runs;

namespace DistillOperator.Training.Tests;

/// <summary>The input digests that key a run's checkpoints: read once, remembered across starts.</summary>
public sealed class InputDigestsTests : IDisposable
{
    private readonly TempFolder _folder = new();

    public void Dispose() => _folder.Dispose();

    [Fact]
    public void A_digest_is_the_files_sha256_and_is_remembered_across_starts_while_size_and_time_stay()
    {
        var data = _folder.Combine("train.tsv");
        File.WriteAllText(data, "good film\t1\n");
        var time = File.GetLastWriteTimeUtc(data);
        var cache = _folder.Combine(".checkpoints", "input-digests.json");
        var first = new InputDigests(cache);
        var digest = first.Of(data);
        first.Save();
        Assert.Equal(Convert.ToHexStringLower(SHA256.HashData(File.ReadAllBytes(data))), digest);
        Assert.True(File.Exists(cache));

        // Same size and time: the remembered digest is used without reading the file (its bytes here differ, to show it).
        File.WriteAllText(data, "good film\t0\n");
        File.SetLastWriteTimeUtc(data, time);
        Assert.Equal(digest, new InputDigests(cache).Of(data));

        // A new time: read again.
        File.SetLastWriteTimeUtc(data, time.AddMinutes(1));
        Assert.NotEqual(digest, new InputDigests(cache).Of(data));
    }

    [Fact]
    public void A_file_gone_since_it_was_listed_does_not_fail_the_run_and_the_cache_keeps_only_the_files_in_use()
    {
        var kept = _folder.Combine("vocab.txt");
        var dropped = _folder.Combine("old.tsv");
        File.WriteAllText(kept, "[PAD]\n");
        File.WriteAllText(dropped, "old\t1\n");
        var cache = _folder.Combine("input-digests.json");
        var first = new InputDigests(cache);
        first.Of(kept);
        first.Of(dropped);
        first.Save();

        File.Delete(dropped);
        var second = new InputDigests(cache);
        Assert.Equal("missing", second.Of(dropped));
        second.Of(kept);
        second.Save();

        var saved = File.ReadAllText(cache);
        Assert.Contains("vocab.txt", saved, StringComparison.Ordinal);
        Assert.DoesNotContain("old.tsv", saved, StringComparison.Ordinal);
    }

    [Fact]
    public void A_damaged_or_unwritable_cache_costs_a_read_not_a_failure()
    {
        var data = _folder.Combine("train.tsv");
        File.WriteAllText(data, "good film\t1\n");
        var cache = _folder.Combine("input-digests.json");
        File.WriteAllText(cache, "{ not json");

        var digests = new InputDigests(cache);
        Assert.Equal(Convert.ToHexStringLower(SHA256.HashData(File.ReadAllBytes(data))), digests.Of(data));
        File.WriteAllText(cache, $$"""{"{{data}}": null}""");
        Assert.Equal(Convert.ToHexStringLower(SHA256.HashData(File.ReadAllBytes(data))), new InputDigests(cache).Of(data));

        Directory.CreateDirectory(_folder.Combine("blocked"));
        var blocked = new InputDigests(_folder.Combine("blocked"));  // a folder where the file should be: cannot be written
        blocked.Of(data);
        blocked.Save();
        Assert.True(Directory.Exists(_folder.Combine("blocked")));
    }
}
