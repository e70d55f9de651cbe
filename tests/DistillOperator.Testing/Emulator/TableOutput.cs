using System.Globalization;
using System.Text.Json.Nodes;

namespace DistillOperator.Testing.Emulator;

/// <summary>
/// Server-side table output (meta.k8s.io/v1 Table), which <c>kubectl get</c> asks for: a Name column, the CRD's
/// printer columns (date columns shown as an age, as the API server does), and Age for kinds without columns.
/// </summary>
internal static class TableOutput
{
    public static bool Wanted(string? accept) => accept?.Contains("as=Table", StringComparison.Ordinal) == true;

    public static JsonObject For(ResourceType type, IEnumerable<JsonObject> objects, long resourceVersion, DateTimeOffset now)
    {
        var columns = type.PrinterColumns?.OfType<JsonObject>().ToList()
            ?? [new JsonObject { ["name"] = "Age", ["type"] = "date", ["jsonPath"] = ".metadata.creationTimestamp" }];
        var definitions = new JsonArray(new JsonObject { ["name"] = "Name", ["type"] = "string", ["format"] = "name", ["description"] = "Name of the object", ["priority"] = 0 });
        foreach (var column in columns)
        {
            definitions.Add(new JsonObject
            {
                ["name"] = (string?)column["name"],
                ["type"] = (string?)column["type"] is "date" ? "string" : (string?)column["type"],
                ["format"] = "",
                ["description"] = (string?)column["description"] ?? "",
                ["priority"] = (int?)column["priority"] ?? 0,
            });
        }

        var rows = new JsonArray();
        foreach (var obj in objects)
        {
            var cells = new JsonArray((string?)obj["metadata"]!["name"]);
            foreach (var column in columns)
            {
                var value = Select(obj, (string)column["jsonPath"]!);
                cells.Add((string?)column["type"] == "date" && value is JsonValue text && DateTimeOffset.TryParse((string?)text, CultureInfo.InvariantCulture, DateTimeStyles.AssumeUniversal, out var when)
                    ? Age(now - when)
                    : value?.DeepClone());
            }

            rows.Add(new JsonObject
            {
                ["cells"] = cells,
                ["object"] = new JsonObject { ["kind"] = "PartialObjectMetadata", ["apiVersion"] = "meta.k8s.io/v1", ["metadata"] = obj["metadata"]!.DeepClone() },
            });
        }

        return new JsonObject
        {
            ["kind"] = "Table",
            ["apiVersion"] = "meta.k8s.io/v1",
            ["metadata"] = new JsonObject { ["resourceVersion"] = resourceVersion.ToString(CultureInfo.InvariantCulture) },
            ["columnDefinitions"] = definitions,
            ["rows"] = rows,
        };
    }

    // The simple JSONPath of printer columns: .a.b.c
    private static JsonNode? Select(JsonObject obj, string path)
    {
        JsonNode? current = obj;
        foreach (var part in path.TrimStart('.').Split('.'))
        {
            current = (current as JsonObject)?[part];
        }

        return current;
    }

    private static string Age(TimeSpan age) =>
        age.TotalDays >= 1 ? $"{(int)age.TotalDays}d" : age.TotalHours >= 1 ? $"{(int)age.TotalHours}h" : age.TotalMinutes >= 1 ? $"{(int)age.TotalMinutes}m" : $"{Math.Max(0, (int)age.TotalSeconds)}s";
}
