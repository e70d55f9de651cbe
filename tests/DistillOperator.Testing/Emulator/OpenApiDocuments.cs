using System.Text.Json.Nodes;

namespace DistillOperator.Testing.Emulator;

/// <summary>
/// OpenAPI v3 documents, as kubectl downloads them before <c>apply</c>: the index of group versions, and per group
/// version the paths (with the <c>fieldValidation</c> parameter, so kubectl lets the server validate) and the kinds'
/// schemas tagged with <c>x-kubernetes-group-version-kind</c>. Built-in kinds get an open schema.
/// </summary>
internal static class OpenApiDocuments
{
    public static JsonObject Index(IEnumerable<ResourceType> types) => new()
    {
        ["paths"] = new JsonObject(types.Select(GroupVersionPath).Distinct(StringComparer.Ordinal).Order(StringComparer.Ordinal)
            .Select(path => KeyValuePair.Create(path, (JsonNode?)new JsonObject { ["serverRelativeURL"] = $"/openapi/v3/{path}?hash=emulator" }))),
    };

    public static JsonObject GroupVersion(string group, string version, IEnumerable<ResourceType> types)
    {
        var matching = types.Where(t => t.Group == group && t.Version == version).ToList();
        if (matching.Count == 0)
        {
            throw new ApiError(404, "NotFound", $"no OpenAPI document for {(group.Length > 0 ? group + "/" : "")}{version}");
        }

        var paths = new JsonObject();
        var schemas = new JsonObject();
        foreach (var type in matching)
        {
            var prefix = (type.Group.Length == 0 ? "/api/" : $"/apis/{type.Group}/") + type.Version + (type.Namespaced ? "/namespaces/{namespace}/" : "/") + type.Plural;
            var gvk = new JsonArray(new JsonObject { ["group"] = type.Group, ["version"] = type.Version, ["kind"] = type.Kind });
            paths[prefix] = new JsonObject { ["get"] = Operation(gvk, false), ["post"] = Operation(gvk, true) };
            paths[prefix + "/{name}"] = new JsonObject { ["get"] = Operation(gvk, false), ["put"] = Operation(gvk, true), ["patch"] = Operation(gvk, true), ["delete"] = Operation(gvk, false) };
            var schema = type.Schema?.DeepClone() as JsonObject ?? new JsonObject { ["type"] = "object", ["x-kubernetes-preserve-unknown-fields"] = true };
            schema["x-kubernetes-group-version-kind"] = gvk.DeepClone();
            schemas[SchemaName(type)] = schema;
        }

        return new JsonObject
        {
            ["openapi"] = "3.0.0",
            ["info"] = new JsonObject { ["title"] = "Kubernetes", ["version"] = "v1.35.0" },
            ["paths"] = paths,
            ["components"] = new JsonObject { ["schemas"] = schemas },
        };
    }

    private static string GroupVersionPath(ResourceType type) => type.Group.Length == 0 ? $"api/{type.Version}" : $"apis/{type.Group}/{type.Version}";

    private static string SchemaName(ResourceType type) =>
        string.Join('.', (type.Group.Length == 0 ? "io.k8s.api.core" : string.Join('.', type.Group.Split('.').Reverse())).Split('.').Append(type.Version).Append(type.Kind));

    private static JsonObject Operation(JsonArray gvk, bool writes)
    {
        var parameters = new JsonArray(new JsonObject { ["name"] = "dryRun", ["in"] = "query", ["schema"] = new JsonObject { ["type"] = "string" } });
        if (writes)
        {
            parameters.Add(new JsonObject { ["name"] = "fieldValidation", ["in"] = "query", ["schema"] = new JsonObject { ["type"] = "string" } });
            parameters.Add(new JsonObject { ["name"] = "fieldManager", ["in"] = "query", ["schema"] = new JsonObject { ["type"] = "string" } });
        }

        return new JsonObject
        {
            ["parameters"] = parameters,
            ["responses"] = new JsonObject { ["200"] = new JsonObject { ["description"] = "OK" } },
            ["x-kubernetes-group-version-kind"] = gvk[0]!.DeepClone(),
        };
    }
}
