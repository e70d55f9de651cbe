using System.Text.Json.Nodes;

namespace DistillOperator.Api.Tests;

/// <summary>
/// Rewrites a Kubernetes OpenAPI v3.0 structural schema into JSON Schema 2020-12 so a general validator can check it:
/// boolean exclusive bounds become numeric ones, objects with declared properties reject others (kubectl's strict
/// field validation), and the x-kubernetes extensions, which JSON Schema does not know, are dropped.
/// </summary>
internal static class OpenApiToJsonSchema
{
    public static JsonObject Convert(JsonObject openApi)
    {
        var schema = Rewrite(openApi);
        schema["$schema"] = "https://json-schema.org/draft/2020-12/schema";
        return schema;
    }

    private static JsonObject Rewrite(JsonObject source)
    {
        var result = new JsonObject();
        foreach (var (key, value) in source)
        {
            if (key.StartsWith("x-kubernetes-", StringComparison.Ordinal) || key is "exclusiveMinimum" or "exclusiveMaximum")
            {
                continue;
            }

            result[key] = value switch
            {
                JsonObject properties when key == "properties" => new JsonObject(properties.Select(p => KeyValuePair.Create(p.Key, (JsonNode?)Rewrite((JsonObject)p.Value!)))),
                JsonObject child when key is "items" or "additionalProperties" => Rewrite(child),
                JsonArray anyOf when key == "anyOf" => new JsonArray([.. anyOf.Select(a => (JsonNode)Rewrite((JsonObject)a!))]),
                _ => value?.DeepClone(),
            };
        }

        if ((bool?)source["exclusiveMinimum"] == true)
        {
            result["exclusiveMinimum"] = result["minimum"]!.DeepClone();
            result.Remove("minimum");
        }

        if ((bool?)source["exclusiveMaximum"] == true)
        {
            result["exclusiveMaximum"] = result["maximum"]!.DeepClone();
            result.Remove("maximum");
        }

        if (source["properties"] is not null && source["additionalProperties"] is null && (bool?)source["x-kubernetes-preserve-unknown-fields"] != true)
        {
            result["additionalProperties"] = false;
        }

        return result;
    }
}
