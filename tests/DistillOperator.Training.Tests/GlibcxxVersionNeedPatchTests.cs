using System.Diagnostics;
using System.Reflection;
using DistillOperator.Build;

namespace DistillOperator.Training.Tests;

/// <summary>The one-entry ELF fix of DESIGN §8, applied to a copy of the package's libLibTorchSharp.so.</summary>
public sealed class GlibcxxVersionNeedPatchTests
{
    private const string Missing = "GLIBCXX_3.4.32";
    private const string Present = "GLIBCXX_3.4.21";

    private static byte[] PackageLibrary()
    {
        var root = typeof(GlibcxxVersionNeedPatchTests).Assembly.GetCustomAttributes<AssemblyMetadataAttribute>()
            .Single(a => a.Key == "NuGetPackageRoot").Value!;
        var path = Path.Combine(root, "torchsharp", "0.107.0", "runtimes", "linux-x64", "native", "libLibTorchSharp.so");
        Assert.True(File.Exists(path), $"the TorchSharp package's library is not at {path}");
        return File.ReadAllBytes(path);
    }

    [Fact]
    public void The_package_library_needs_GLIBCXX_3_4_32_from_libstdcxx()
    {
        var needs = ElfVersionNeedPatcher.ReadVersionNeeds(PackageLibrary());

        Assert.Contains(needs, n => n.File == "libstdc++.so.6" && n.Version == Missing && n.Hash == ElfVersionNeedPatcher.ElfHash(Missing));
    }

    [Fact]
    public void Patching_rewrites_only_the_name_and_hash_of_that_entry()
    {
        var original = PackageLibrary();
        var patched = (byte[])original.Clone();

        var outcome = ElfVersionNeedPatcher.Patch(patched, Missing, Present);

        Assert.Equal(VersionNeedPatchOutcome.Patched, outcome);
        var needs = ElfVersionNeedPatcher.ReadVersionNeeds(patched);
        Assert.DoesNotContain(needs, n => n.Version == Missing);
        var entry = ElfVersionNeedPatcher.ReadVersionNeeds(original).Single(n => n.Version == Missing).EntryOffset;
        var rewritten = needs.Single(n => n.EntryOffset == entry);
        Assert.Equal(Present, rewritten.Version);
        Assert.Equal(ElfVersionNeedPatcher.ElfHash(Present), rewritten.Hash);
        var changed = Enumerable.Range(0, original.Length).Where(i => original[i] != patched[i]).ToList();
        Assert.NotEmpty(changed);
        Assert.All(changed, i => Assert.True(
            (i >= entry && i < entry + 4) || (i >= entry + 8 && i < entry + 12),
            $"byte {i} changed, outside vna_hash and vna_name of the entry at {entry}"));
        Assert.Equal(original.Length, patched.Length);
    }

    [Fact]
    public void Patching_twice_changes_nothing_more()
    {
        var once = PackageLibrary();
        ElfVersionNeedPatcher.Patch(once, Missing, Present);
        var twice = (byte[])once.Clone();

        var outcome = ElfVersionNeedPatcher.Patch(twice, Missing, Present);

        Assert.Equal(VersionNeedPatchOutcome.NotNeeded, outcome);
        Assert.Equal(once, twice);
    }

    [Fact]
    public void The_elf_hash_matches_what_the_linker_wrote_for_every_entry()
    {
        var needs = ElfVersionNeedPatcher.ReadVersionNeeds(PackageLibrary());

        Assert.True(needs.Count > 10, $"expected the library's many version needs, read {needs.Count}");
        Assert.All(needs, n => Assert.Equal(n.Hash, ElfVersionNeedPatcher.ElfHash(n.Version)));
    }

    [Fact]
    public void A_file_that_is_not_elf_is_refused_with_a_reason()
    {
        var error = Assert.Throws<InvalidDataException>(() => ElfVersionNeedPatcher.Patch(new byte[128], Missing, Present));

        Assert.Contains("not an ELF file", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Readelf_agrees_with_the_patched_copy()
    {
        var patched = PackageLibrary();
        ElfVersionNeedPatcher.Patch(patched, Missing, Present);
        var path = Path.Combine(Path.GetTempPath(), $"libLibTorchSharp-{Guid.NewGuid():N}.so");
        File.WriteAllBytes(path, patched);
        try
        {
            using var readelf = Process.Start(new ProcessStartInfo("readelf", ["-V", path]) { RedirectStandardOutput = true })!;
            var text = readelf.StandardOutput.ReadToEnd();
            readelf.WaitForExit();

            Assert.Equal(0, readelf.ExitCode);
            Assert.DoesNotContain(Missing, text, StringComparison.Ordinal);
            Assert.Contains(Present, text, StringComparison.Ordinal);
        }
        finally
        {
            File.Delete(path);
        }
    }
}
