using System.Globalization;
using System.Text.Json;
using System.Text.Json.Nodes;

namespace DistillOperator.Api.Validation;

/// <summary>The wording of problems, shared by the schema check and the C# rules so both say the same thing.</summary>
public static class ProblemMessages
{
    /// <summary>A required field is missing.</summary>
    public const string Required = "is required";

    /// <summary>A value below a lower bound.</summary>
    public static string BelowMinimum(double minimum, bool exclusive, object? value) =>
        exclusive ? $"must be greater than {Format(minimum)}, got {Format(value)}" : $"must be at least {Format(minimum)}, got {Format(value)}";

    /// <summary>A value above an upper bound.</summary>
    public static string AboveMaximum(double maximum, bool exclusive, object? value) =>
        exclusive ? $"must be less than {Format(maximum)}, got {Format(value)}" : $"must be at most {Format(maximum)}, got {Format(value)}";

    /// <summary>A value outside an enumeration.</summary>
    public static string NotOneOf(IEnumerable<string> allowed, object? value) =>
        $"must be one of {string.Join(", ", allowed)}; got {Format(value)}";

    /// <summary>A value of the wrong JSON type.</summary>
    public static string WrongType(string expected, JsonNode? value) =>
        $"must be {Article(expected)}, got {KindOf(value)} {Format(value)}";

    /// <summary>A value rendered for a message: strings quoted, numbers in invariant culture.</summary>
    public static string Format(object? value) => value switch
    {
        null => "null",
        string s => JsonSerializer.Serialize(s),
        double d => d.ToString("R", CultureInfo.InvariantCulture),
        float f => f.ToString("R", CultureInfo.InvariantCulture),
        bool b => b ? "true" : "false",
        JsonNode node => Shorten(node.ToJsonString()),
        IFormattable f => f.ToString(null, CultureInfo.InvariantCulture),
        _ => value.ToString() ?? "",
    };

    /// <summary>The JSON kind of a node in words.</summary>
    public static string KindOf(JsonNode? value) => value switch
    {
        null => "null",
        JsonObject => "an object",
        JsonArray => "a list",
        JsonValue v => v.GetValueKind() switch
        {
            JsonValueKind.String => "a string",
            JsonValueKind.Number => "a number",
            JsonValueKind.True or JsonValueKind.False => "a boolean",
            _ => "a value",
        },
        _ => "a value",
    };

    private static string Article(string type) => type switch
    {
        "object" => "an object",
        "array" => "a list",
        "integer" => "an integer",
        "number" => "a number",
        "boolean" => "a boolean (true or false)",
        "string" => "a string",
        _ => type,
    };

    private static string Shorten(string text) => text.Length <= 60 ? text : text[..57] + "...";
}
