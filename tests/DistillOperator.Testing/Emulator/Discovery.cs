using System.Text.Json.Nodes;

namespace DistillOperator.Testing.Emulator;

/// <summary>Legacy discovery documents: the group list and each group version's resource list.</summary>
internal static class Discovery
{
    private static readonly string[] Verbs = ["create", "delete", "get", "list", "patch", "update", "watch"];

    public static JsonObject Groups(IEnumerable<ResourceType> types) => new()
    {
        ["kind"] = "APIGroupList",
        ["apiVersion"] = "v1",
        ["groups"] = new JsonArray([.. types.Where(t => t.Group.Length > 0).GroupBy(t => t.Group).OrderBy(g => g.Key, StringComparer.Ordinal).Select(g =>
        {
            var versions = g.Select(t => t.Version).Distinct().Select(v => (JsonNode)new JsonObject { ["groupVersion"] = $"{g.Key}/{v}", ["version"] = v });
            var preferred = g.First().Version;
            return (JsonNode)new JsonObject
            {
                ["name"] = g.Key,
                ["versions"] = new JsonArray([.. versions]),
                ["preferredVersion"] = new JsonObject { ["groupVersion"] = $"{g.Key}/{preferred}", ["version"] = preferred },
            };
        })]),
    };

    public static JsonObject Resources(string group, string version, IEnumerable<ResourceType> types)
    {
        var matching = types.Where(t => t.Group == group && t.Version == version).ToList();
        if (matching.Count == 0)
        {
            throw new ApiError(404, "NotFound", $"the server could not find the requested resource ({(group.Length > 0 ? group + "/" : "")}{version})");
        }

        var resources = new JsonArray();
        foreach (var type in matching.OrderBy(t => t.Plural, StringComparer.Ordinal))
        {
            resources.Add(new JsonObject
            {
                ["name"] = type.Plural,
                ["singularName"] = type.Singular,
                ["namespaced"] = type.Namespaced,
                ["kind"] = type.Kind,
                ["verbs"] = new JsonArray([.. Verbs.Select(v => (JsonNode)v)]),
                ["shortNames"] = type.ShortNames is { } shortNames ? new JsonArray([.. shortNames.Select(n => (JsonNode)n)]) : null,
            });
            if (type.HasStatus)
            {
                resources.Add(new JsonObject { ["name"] = type.Plural + "/status", ["singularName"] = "", ["namespaced"] = type.Namespaced, ["kind"] = type.Kind, ["verbs"] = new JsonArray("get", "patch", "update") });
            }
        }

        return new JsonObject { ["kind"] = "APIResourceList", ["apiVersion"] = "v1", ["groupVersion"] = group.Length > 0 ? $"{group}/{version}" : version, ["resources"] = resources };
    }
}
