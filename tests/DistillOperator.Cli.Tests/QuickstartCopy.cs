using DistillOperator.Testing;

namespace DistillOperator.Cli.Tests;

/// <summary>The repository's examples/quickstart.yaml and its data, copied as they are into a temporary folder.</summary>
internal sealed class QuickstartCopy : IDisposable
{
    public QuickstartCopy()
    {
        Root = Directory.CreateTempSubdirectory("distill-quickstart-").FullName;
        var examples = Directory.CreateDirectory(Path.Combine(Root, "examples", "quickstart")).Parent!.FullName;
        File.Copy(RepositoryPaths.Combine("examples", "quickstart.yaml"), Path.Combine(examples, "quickstart.yaml"));
        foreach (var file in Directory.GetFiles(RepositoryPaths.Combine("examples", "quickstart"), "*.tsv"))
        {
            File.Copy(file, Path.Combine(examples, "quickstart", Path.GetFileName(file)));
        }
    }

    public string Root { get; }

    public string Manifest => Path.Combine(Root, "examples", "quickstart.yaml");

    /// <summary>Where the manifest's output URI (../.out/quickstart-student) points.</summary>
    public string Output => Path.Combine(Root, ".out", "quickstart-student");

    public string CacheFolder => Path.Combine(Root, "cache");

    public void Dispose() => Directory.Delete(Root, recursive: true);
}
