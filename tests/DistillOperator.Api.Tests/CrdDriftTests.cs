using System.Text.Json.Nodes;
using DistillOperator.Api.Schema;
using DistillOperator.Testing;

namespace DistillOperator.Api.Tests;

public sealed class CrdDriftTests
{
    [Fact]
    public void The_committed_CRD_is_exactly_what_the_CSharp_types_generate()
    {
        var committedPath = RepositoryPaths.Combine("crds", CrdGenerator.FileName);
        var committed = File.ReadAllText(committedPath);

        var generated = CrdGenerator.GenerateYaml();

        Assert.True(
            committed == generated,
            $"crds/{CrdGenerator.FileName} differs from the CRD generated from src/DistillOperator.Api. Regenerate it with:\n"
            + $"  dotnet run --project src/DistillOperator.Cli -- crds > crds/{CrdGenerator.FileName}\n"
            + $"First difference at line {FirstDifferentLine(committed, generated)}.");
    }

    [Fact]
    public void A_property_added_to_a_type_appears_in_the_generated_schema()
    {
        var builder = new OpenApiSchemaBuilder(XmlDocumentation.None);

        var before = builder.ObjectSchema(typeof(SpecBefore)).ToJsonString();
        var after = builder.ObjectSchema(typeof(SpecAfter)).ToJsonString();

        Assert.NotEqual(before, after);
        Assert.NotNull(JsonNode.Parse(after)!["properties"]!["addedLater"]);
    }

    private static int FirstDifferentLine(string a, string b)
    {
        var left = a.Split('\n');
        var right = b.Split('\n');
        var line = 0;
        while (line < left.Length && line < right.Length && left[line] == right[line])
        {
            line++;
        }

        return line + 1;
    }

    /// <summary>A spec.</summary>
    public sealed class SpecBefore
    {
        /// <summary>A field.</summary>
        public int Existing { get; set; }
    }

    /// <summary>The same spec with one more field.</summary>
    public sealed class SpecAfter
    {
        /// <summary>A field.</summary>
        public int Existing { get; set; }

        /// <summary>A field added later.</summary>
        public string? AddedLater { get; set; }
    }
}
