using System.Text.Json.Nodes;
using DistillOperator.Api.Validation;

namespace DistillOperator.Api.Manifests;

/// <summary>One document of a manifest file, as JSON, with the source line of each field.</summary>
public sealed class ManifestDocument(JsonNode? content, int line, IReadOnlyDictionary<string, int> lines)
{
    /// <summary>The document; null for an empty one.</summary>
    public JsonNode? Content { get; } = content;

    /// <summary>1-based line where the document starts.</summary>
    public int Line { get; } = line;

    /// <summary>The line of the field at <paramref name="path"/>, or of its nearest ancestor that is in the file.</summary>
    public int LineOf(string path)
    {
        ArgumentNullException.ThrowIfNull(path);
        for (var candidate = path; candidate.Length > 0; candidate = Parent(candidate))
        {
            if (lines.TryGetValue(candidate, out var found))
            {
                return found;
            }
        }

        return Line;
    }

    /// <summary>The field paths of the document with their lines (for documents made in code: empty).</summary>
    public static IReadOnlyDictionary<string, int> NoLines { get; } = new Dictionary<string, int>();

    private static string Parent(string path)
    {
        var cut = Math.Max(path.LastIndexOf('.'), path.LastIndexOf('['));
        return cut <= 0 ? "" : path[..cut];
    }

    internal static string ChildPath(string parent, string key) => JsonPaths.Field(parent, key);
}
