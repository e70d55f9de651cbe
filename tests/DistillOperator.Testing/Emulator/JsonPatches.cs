using System.Text.Json.Nodes;

namespace DistillOperator.Testing.Emulator;

/// <summary>JSON merge patch (RFC 7386) and JSON patch (RFC 6902, with test), as the API server applies them.</summary>
public static class JsonPatches
{
    /// <summary>Applies a merge patch: objects merge key by key, null removes, anything else replaces.</summary>
    public static JsonNode? Merge(JsonNode? target, JsonNode? patch)
    {
        if (patch is not JsonObject patchObject)
        {
            return patch?.DeepClone();
        }

        var result = target is JsonObject targetObject ? (JsonObject)targetObject.DeepClone() : new JsonObject();
        foreach (var (key, value) in patchObject)
        {
            if (value is null)
            {
                result.Remove(key);
            }
            else
            {
                result[key] = Merge(result[key], value);
            }
        }

        return result;
    }

    /// <summary>Applies a JSON patch; a failed <c>test</c> or a bad path is a 422 <see cref="ApiError"/>.</summary>
    public static JsonNode Apply(JsonNode target, JsonArray operations)
    {
        ArgumentNullException.ThrowIfNull(target);
        ArgumentNullException.ThrowIfNull(operations);
        var document = target.DeepClone();
        foreach (var operation in operations.OfType<JsonObject>())
        {
            var op = (string?)operation["op"];
            var path = (string?)operation["path"] ?? throw Unprocessable("a JSON patch operation has no path");
            switch (op)
            {
                case "add":
                    document = Set(document, path, operation["value"]?.DeepClone(), insert: true);
                    break;
                case "replace":
                    Get(document, path);
                    document = Set(document, path, operation["value"]?.DeepClone(), insert: false);
                    break;
                case "remove":
                    document = Remove(document, path);
                    break;
                case "move":
                {
                    var from = (string)operation["from"]!;
                    var value = Get(document, from)?.DeepClone();
                    document = Set(Remove(document, from), path, value, insert: true);
                    break;
                }

                case "copy":
                    document = Set(document, path, Get(document, (string)operation["from"]!)?.DeepClone(), insert: true);
                    break;
                case "test":
                    // As the API server's implementation: a missing member tests equal to null, but a missing parent fails.
                    var tokens = Tokens(path);
                    if (tokens.Length > 1 && !Exists(document, "/" + string.Join('/', tokens[..^1].Select(t => t.Replace("~", "~0", StringComparison.Ordinal).Replace("/", "~1", StringComparison.Ordinal)))))
                    {
                        throw Unprocessable($"the test operation does not apply: the path {path} is missing");
                    }

                    if (!JsonNode.DeepEquals(Exists(document, path) ? Get(document, path) : null, operation["value"]))
                    {
                        throw Unprocessable($"the test operation at {path} failed");
                    }

                    break;
                default:
                    throw Unprocessable($"unknown JSON patch operation \"{op}\"");
            }
        }

        return document;
    }

    private static ApiError Unprocessable(string message) => new(422, "Invalid", message);

    private static string[] Tokens(string pointer) =>
        pointer.Length == 0 ? [] : [.. pointer.TrimStart('/').Split('/').Select(t => t.Replace("~1", "/", StringComparison.Ordinal).Replace("~0", "~", StringComparison.Ordinal))];

    private static bool Exists(JsonNode document, string pointer)
    {
        JsonNode? current = document;
        foreach (var token in Tokens(pointer))
        {
            switch (current)
            {
                case JsonObject o when o.ContainsKey(token):
                    current = o[token];
                    break;
                case JsonArray a when int.TryParse(token, out var i) && i >= 0 && i < a.Count:
                    current = a[i];
                    break;
                default:
                    return false;
            }
        }

        return true;
    }

    private static JsonNode? Get(JsonNode document, string pointer)
    {
        JsonNode? current = document;
        foreach (var token in Tokens(pointer))
        {
            current = current switch
            {
                JsonObject o when o.ContainsKey(token) => o[token],
                JsonArray a when int.TryParse(token, out var i) && i >= 0 && i < a.Count => a[i],
                _ => throw Unprocessable($"the path {pointer} does not exist"),
            };
        }

        return current;
    }

    private static JsonNode Set(JsonNode document, string pointer, JsonNode? value, bool insert)
    {
        var tokens = Tokens(pointer);
        if (tokens.Length == 0)
        {
            return value ?? throw Unprocessable("cannot replace the whole document with null");
        }

        var parent = tokens.Length == 1 ? document : Get(document, "/" + string.Join('/', tokens[..^1].Select(t => t.Replace("~", "~0", StringComparison.Ordinal).Replace("/", "~1", StringComparison.Ordinal))));
        var last = tokens[^1];
        switch (parent)
        {
            case JsonObject o:
                o[last] = value;
                break;
            case JsonArray a when last == "-":
                a.Add(value);
                break;
            case JsonArray a when int.TryParse(last, out var i) && i >= 0 && i <= a.Count:
                if (insert)
                {
                    a.Insert(i, value);
                }
                else
                {
                    a[i] = value;
                }

                break;
            default:
                throw Unprocessable($"the path {pointer} does not exist");
        }

        return document;
    }

    private static JsonNode Remove(JsonNode document, string pointer)
    {
        var tokens = Tokens(pointer);
        var parent = tokens.Length == 1 ? document : Get(document, "/" + string.Join('/', tokens[..^1]));
        var last = tokens[^1];
        switch (parent)
        {
            case JsonObject o when o.ContainsKey(last):
                o.Remove(last);
                break;
            case JsonArray a when int.TryParse(last, out var i) && i >= 0 && i < a.Count:
                a.RemoveAt(i);
                break;
            default:
                throw Unprocessable($"the path {pointer} does not exist");
        }

        return document;
    }
}
