using System.Text.Json.Nodes;
using DistillOperator.Api.Manifests;

namespace DistillOperator.Api.Tests;

public sealed class YamlManifestReaderTests
{
    [Fact]
    public void Plain_scalars_are_typed_as_kubectl_reads_them_and_quoted_ones_stay_strings()
    {
        const string text = """
            a: 1
            b: 2.5
            c: 2e-5
            d: yes
            e: "yes"
            f: 'true'
            g: ~
            h: 0x1F
            i: 16Gi
            j: "4"
            """;

        var doc = (JsonObject)YamlManifestReader.ReadAll(text).Single().Content!;

        Assert.Equal(
            """{"a":1,"b":2.5,"c":2E-05,"d":true,"e":"yes","f":"true","g":null,"h":31,"i":"16Gi","j":"4"}""",
            doc.ToJsonString());
    }

    [Fact]
    public void Documents_are_split_on_separators_and_empty_ones_kept_as_null()
    {
        const string text = "a: 1\n---\n---\nb: 2\n";

        var docs = YamlManifestReader.ReadAll(text);

        Assert.Equal(3, docs.Count);
        Assert.Null(docs[1].Content);
        Assert.Equal(3, docs[2].Line);
    }

    [Fact]
    public void A_key_given_twice_is_a_syntax_error_at_the_second_one()
    {
        var error = Assert.Throws<ManifestSyntaxException>(() => YamlManifestReader.ReadAll("spec:\n  a: 1\n  a: 2\n"));

        Assert.Equal(3, error.Line);
        Assert.Contains("\"a\" appears twice", error.Reason, StringComparison.Ordinal);
    }

    [Fact]
    public void An_unclosed_flow_mapping_is_a_syntax_error_with_its_position()
    {
        var error = Assert.Throws<ManifestSyntaxException>(() => YamlManifestReader.ReadAll("a: {b: 1\nc: 2\n"));

        Assert.True(error.Line >= 1);
        Assert.DoesNotContain("Idx:", error.Reason, StringComparison.Ordinal);
    }

    [Fact]
    public void Anchors_and_aliases_are_expanded()
    {
        var doc = YamlManifestReader.ReadAll("base: &b {x: 1}\ncopy: *b\n").Single().Content!;

        Assert.Equal("""{"base":{"x":1},"copy":{"x":1}}""", doc.ToJsonString());
    }

    [Fact]
    public void JSON_manifests_are_read_too()
    {
        var doc = YamlManifestReader.ReadAll("""{"kind": "DistillationJob", "spec": {"n": [1, 2.5, "x", true]}}""").Single().Content!;

        Assert.Equal("""{"kind":"DistillationJob","spec":{"n":[1,2.5,"x",true]}}""", doc.ToJsonString());
    }

    [Fact]
    public void The_line_of_a_nested_field_is_known()
    {
        var doc = YamlManifestReader.ReadAll("a:\n  b:\n    - x\n    - c: 1\n").Single();

        Assert.Equal(4, doc.LineOf("a.b[1].c"));
        Assert.Equal(2, doc.LineOf("a.b.missing"));
    }
}
