using System.Globalization;
using System.Text.Json;
using System.Text.Json.Serialization;

namespace DistillOperator.Api.Schema;

/// <summary>Reads a JSON number or string into a string, as Kubernetes quantities allow (<c>cpu: 4</c>); writes a string.</summary>
public sealed class NumberOrStringJsonConverter : JsonConverter<string>
{
    /// <inheritdoc />
    public override string? Read(ref Utf8JsonReader reader, Type typeToConvert, JsonSerializerOptions options) =>
        reader.TokenType switch
        {
            JsonTokenType.String => reader.GetString(),
            JsonTokenType.Number => reader.TryGetInt64(out var whole)
                ? whole.ToString(CultureInfo.InvariantCulture)
                : reader.GetDouble().ToString("R", CultureInfo.InvariantCulture),
            JsonTokenType.Null => null,
            _ => throw new JsonException($"expected a number or a string, got {reader.TokenType}"),
        };

    /// <inheritdoc />
    public override void Write(Utf8JsonWriter writer, string value, JsonSerializerOptions options)
    {
        ArgumentNullException.ThrowIfNull(writer);
        writer.WriteStringValue(value);
    }
}
