using System.Text.Json.Nodes;

namespace DistillOperator.Testing.Emulator;

/// <summary>A change to an object, as a watch delivers it.</summary>
/// <param name="ResourceVersion">The store revision of the change.</param>
/// <param name="TypeKey">The <see cref="ResourceType.Key"/> of the object.</param>
/// <param name="Type">ADDED, MODIFIED, DELETED, BOOKMARK or ERROR.</param>
/// <param name="Object">The object after the change (before it, for DELETED).</param>
public sealed record WatchEvent(long ResourceVersion, string TypeKey, string Type, JsonObject Object)
{
    /// <summary>The event as a line of a watch stream.</summary>
    public string ToLine() => new JsonObject { ["type"] = Type, ["object"] = Object.DeepClone() }.ToJsonString();
}
