using System.Text.Json.Nodes;
using DistillOperator.Api.Manifests;
using DistillOperator.Testing;

namespace DistillOperator.Api.Tests;

/// <summary>The example manifests of examples/ and the broken ones beside these tests.</summary>
internal static class ManifestFixtures
{
    public static string ExamplesFolder => RepositoryPaths.Combine("examples");

    public static string BrokenFolder => RepositoryPaths.Combine("tests", "DistillOperator.Api.Tests", "Manifests", "broken");

    public static IEnumerable<string> ExampleFiles => Directory.EnumerateFiles(ExamplesFolder, "*.yaml").Order(StringComparer.Ordinal);

    public static string Broken(string name) => Path.Combine(BrokenFolder, name);

    /// <summary>The DistillationJob documents of a file.</summary>
    public static IEnumerable<JsonObject> Jobs(string path) =>
        YamlManifestReader.ReadAll(File.ReadAllText(path))
            .Select(d => d.Content)
            .OfType<JsonObject>()
            .Where(o => (string?)o["kind"] == "DistillationJob");
}
