using System.Text.Json.Nodes;

namespace DistillOperator.Testing.Emulator;

/// <summary>An API error, returned as a metav1.Status body with the HTTP code.</summary>
public sealed class ApiError(int code, string reason, string message, JsonObject? details = null) : Exception(message)
{
    /// <summary>HTTP status code.</summary>
    public int Code { get; } = code;

    /// <summary>The Status reason (NotFound, AlreadyExists, Conflict, Invalid, Gone, Forbidden, BadRequest).</summary>
    public string Reason { get; } = reason;

    /// <summary>The Status body.</summary>
    public JsonObject ToStatus() => new()
    {
        ["kind"] = "Status",
        ["apiVersion"] = "v1",
        ["metadata"] = new JsonObject(),
        ["status"] = "Failure",
        ["message"] = Message,
        ["reason"] = Reason,
        ["details"] = details?.DeepClone(),
        ["code"] = Code,
    };

    /// <summary>404 for an object.</summary>
    public static ApiError NotFound(ResourceType type, string name) =>
        new(404, "NotFound", $"{type.Plural}{(type.Group.Length > 0 ? "." + type.Group : "")} \"{name}\" not found", Details(type, name));

    /// <summary>409 for a name in use.</summary>
    public static ApiError AlreadyExists(ResourceType type, string name) =>
        new(409, "AlreadyExists", $"{type.Plural}{(type.Group.Length > 0 ? "." + type.Group : "")} \"{name}\" already exists", Details(type, name));

    /// <summary>409 for a stale resourceVersion.</summary>
    public static ApiError Conflict(ResourceType type, string name) =>
        new(409, "Conflict", $"Operation cannot be fulfilled on {type.Plural}{(type.Group.Length > 0 ? "." + type.Group : "")} \"{name}\": the object has been modified; please apply your changes to the latest version and try again", Details(type, name));

    /// <summary>409 for a write whose metadata.uid is not the stored object's.</summary>
    public static ApiError UidConflict(ResourceType type, string name, string expected, string? actual) =>
        new(409, "Conflict", $"Operation cannot be fulfilled on {type.Plural}{(type.Group.Length > 0 ? "." + type.Group : "")} \"{name}\": Precondition failed: UID in precondition: {expected}, UID in object meta: {actual}", Details(type, name));

    /// <summary>422 with one cause per problem.</summary>
    public static ApiError Invalid(ResourceType type, string name, IEnumerable<(string Field, string Message)> causes)
    {
        var list = causes.ToList();
        var details = Details(type, name);
        details["causes"] = new JsonArray([.. list.Select(c => (JsonNode)new JsonObject { ["reason"] = "FieldValueInvalid", ["message"] = c.Message, ["field"] = c.Field })]);
        return new(422, "Invalid", $"{type.Kind}.{type.Group} \"{name}\" is invalid: {string.Join(", ", list.Select(c => $"{c.Field}: {c.Message}"))}", details);
    }

    private static JsonObject Details(ResourceType type, string name) => new() { ["name"] = name, ["group"] = type.Group, ["kind"] = type.Plural };
}
