using System.Globalization;
using System.Text.Json;
using System.Text.Json.Nodes;
using System.Text.RegularExpressions;
using DistillOperator.Api.Validation;
using YamlDotNet.Core;
using YamlDotNet.Core.Events;

namespace DistillOperator.Api.Manifests;

/// <summary>
/// Reads multi-document YAML (and JSON) manifests into JSON trees, remembering each field's line. Plain scalars are
/// typed the way kubectl reads them (YAML 1.1 booleans such as yes/no included); quoted scalars stay strings.
/// </summary>
public static partial class YamlManifestReader
{
    /// <summary>Every document in <paramref name="text"/>, in order.</summary>
    /// <exception cref="ManifestSyntaxException">The text is not well-formed; says the line and column.</exception>
    public static IReadOnlyList<ManifestDocument> ReadAll(string text)
    {
        ArgumentNullException.ThrowIfNull(text);
        var documents = new List<ManifestDocument>();
        var parser = new Parser(new StringReader(text));
        try
        {
            parser.Consume<StreamStart>();
            while (parser.TryConsume<DocumentStart>(out var start))
            {
                var lines = new Dictionary<string, int>(StringComparer.Ordinal);
                var anchors = new Dictionary<string, JsonNode?>(StringComparer.Ordinal);
                var content = parser.Accept<DocumentEnd>(out _) ? null : ReadNode(parser, "", lines, anchors);
                parser.Consume<DocumentEnd>();
                documents.Add(new ManifestDocument(content, (int)start.Start.Line, lines));
            }

            parser.Consume<StreamEnd>();
        }
        catch (YamlException e)
        {
            throw new ManifestSyntaxException((int)e.Start.Line, (int)e.Start.Column, Clean(e.Message), e);
        }
        catch (InvalidOperationException e)
        {
            // YamlDotNet's scanner throws this on some malformed input (an unclosed flow mapping); report where it stopped.
            var end = parser.Current?.End ?? Mark.Empty;
            throw new ManifestSyntaxException((int)end.Line, (int)end.Column, "malformed YAML after this point (an unclosed bracket, brace or quote?)", e);
        }

        return documents;
    }

    private static JsonNode? ReadNode(IParser parser, string path, Dictionary<string, int> lines, Dictionary<string, JsonNode?> anchors)
    {
        var current = parser.Current ?? throw new YamlException("unexpected end of the document");
        lines[path] = (int)current.Start.Line;
        switch (current)
        {
            case AnchorAlias alias:
                parser.MoveNext();
                return anchors.TryGetValue(alias.Value.Value, out var target)
                    ? target?.DeepClone()
                    : throw new YamlException(alias.Start, alias.End, $"alias *{alias.Value.Value} names no anchor");
            case Scalar scalar:
                parser.MoveNext();
                var value = scalar.Style is ScalarStyle.Plain ? Resolve(scalar.Value) : JsonValue.Create(scalar.Value);
                Remember(scalar.Anchor, value, anchors);
                return value;
            case SequenceStart sequenceStart:
                parser.MoveNext();
                var array = new JsonArray();
                while (!parser.TryConsume<SequenceEnd>(out _))
                {
                    array.Add(ReadNode(parser, JsonPaths.Index(path, array.Count), lines, anchors));
                }

                Remember(sequenceStart.Anchor, array, anchors);
                return array;
            case MappingStart mappingStart:
                parser.MoveNext();
                var obj = new JsonObject();
                while (!parser.TryConsume<MappingEnd>(out _))
                {
                    var keyEvent = parser.Current;
                    if (keyEvent is not Scalar key)
                    {
                        throw new YamlException(keyEvent!.Start, keyEvent.End, "mapping keys must be plain strings");
                    }

                    parser.MoveNext();
                    if (obj.ContainsKey(key.Value))
                    {
                        throw new YamlException(key.Start, key.End, $"key \"{key.Value}\" appears twice in the same mapping");
                    }

                    obj[key.Value] = ReadNode(parser, ManifestDocument.ChildPath(path, key.Value), lines, anchors);
                    lines[ManifestDocument.ChildPath(path, key.Value)] = (int)key.Start.Line;
                }

                Remember(mappingStart.Anchor, obj, anchors);
                return obj;
            default:
                throw new YamlException(current.Start, current.End, $"unexpected {current.GetType().Name}");
        }
    }

    private static void Remember(AnchorName anchor, JsonNode? value, Dictionary<string, JsonNode?> anchors)
    {
        if (!anchor.IsEmpty)
        {
            anchors[anchor.Value] = value?.DeepClone();
        }
    }

    // The YAML 1.1 resolution kubectl uses for plain scalars.
    private static JsonValue? Resolve(string text)
    {
        switch (text)
        {
            case "" or "~" or "null" or "Null" or "NULL":
                return null;
            case "true" or "True" or "TRUE" or "yes" or "Yes" or "YES" or "on" or "On" or "ON" or "y" or "Y":
                return JsonValue.Create(true);
            case "false" or "False" or "FALSE" or "no" or "No" or "NO" or "off" or "Off" or "OFF" or "n" or "N":
                return JsonValue.Create(false);
            case ".inf" or ".Inf" or ".INF" or "+.inf" or "-.inf" or ".nan" or ".NaN" or ".NAN":
                // JSON has no infinities; keep them as text so validation names the field.
                return JsonValue.Create(text);
        }

        if (DecimalInteger().IsMatch(text))
        {
            return long.TryParse(text, NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture, out var whole)
                ? JsonValue.Create(whole)
                : JsonValue.Create(double.Parse(text, CultureInfo.InvariantCulture));
        }

        if (text.StartsWith("0x", StringComparison.Ordinal) && long.TryParse(text[2..], NumberStyles.AllowHexSpecifier, CultureInfo.InvariantCulture, out var hex))
        {
            return JsonValue.Create(hex);
        }

        if (FloatNumber().IsMatch(text))
        {
            return JsonValue.Create(double.Parse(text, NumberStyles.Float, CultureInfo.InvariantCulture));
        }

        return JsonValue.Create(text);
    }

    // YamlDotNet prefixes messages with "(Line: 3, Col: 5, Idx: 40) - (Line: ...): "; the position is reported separately.
    private static string Clean(string message) => PositionPrefix().Replace(message, "");

    [GeneratedRegex(@"^[-+]?[0-9]+$")]
    private static partial Regex DecimalInteger();

    [GeneratedRegex(@"^[-+]?(\.[0-9]+|[0-9]+(\.[0-9]*)?)([eE][-+]?[0-9]+)?$")]
    private static partial Regex FloatNumber();

    [GeneratedRegex(@"^\(Line: \d+, Col: \d+, Idx: \d+\) - \(Line: \d+, Col: \d+, Idx: \d+\): ")]
    private static partial Regex PositionPrefix();
}
