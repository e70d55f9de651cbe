using System.Text.Json.Nodes;

namespace DistillOperator.Api.V1Alpha1;

/// <summary>
/// JSON patches (RFC 6902) of a DistillationJob's status that apply only to the job they were computed for. The first
/// operation tests metadata.uid, so a job deleted and re-created under the same name refuses the write (422); a merge
/// patch cannot do this, because the API server drops the metadata of a /status patch. Each field is set with "add";
/// a null removes it, since the API server prunes nulls of a custom resource's fields that are not nullable (none of
/// ours is), as a merge patch's null would.
/// </summary>
public static class StatusPatch
{
    /// <summary>
    /// Sets <paramref name="fields"/> (status field name to value, null to remove) on the job with <paramref name="uid"/>.
    /// With <paramref name="statusMissing"/> (the writer's copy of the job has no status) the patch starts the status,
    /// after testing that the job really has none, so a stale copy never replaces a status written meanwhile.
    /// </summary>
    public static JsonArray ForJob(string? uid, bool statusMissing, JsonObject fields)
    {
        ArgumentNullException.ThrowIfNull(fields);
        var operations = new JsonArray();
        if (!string.IsNullOrEmpty(uid))
        {
            operations.Add(Operation("test", "/metadata/uid", JsonValue.Create(uid)));
        }

        if (statusMissing)
        {
            operations.Add(Operation("test", "/status", null));
            operations.Add(Operation("add", "/status", new JsonObject()));
        }

        foreach (var (name, value) in fields)
        {
            operations.Add(Operation("add", "/status/" + name.Replace("~", "~0", StringComparison.Ordinal).Replace("/", "~1", StringComparison.Ordinal), value?.DeepClone()));
        }

        return operations;
    }

    private static JsonObject Operation(string op, string path, JsonNode? value) => new() { ["op"] = op, ["path"] = path, ["value"] = value };
}
