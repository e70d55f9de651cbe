using System.Collections;
using System.ComponentModel.DataAnnotations;
using System.Globalization;
using System.Reflection;
using System.Text.Json;
using System.Text.Json.Nodes;
using System.Text.Json.Serialization;
using k8s.Models;

namespace DistillOperator.Api.Schema;

/// <summary>
/// Builds a Kubernetes structural OpenAPI v3 schema from C# types: JSON names from <see cref="JsonPropertyNameAttribute"/>,
/// descriptions from doc comments, bounds from <see cref="RangeAttribute"/> and the length attributes, patterns from
/// <see cref="SchemaPatternAttribute"/>, CEL rules from <see cref="CelRuleAttribute"/>, and defaults from the property
/// initialisers of a freshly constructed object, so the CRD and C# defaulting cannot disagree.
/// </summary>
public sealed class OpenApiSchemaBuilder(XmlDocumentation documentation)
{
    /// <summary>The schema of an object type, with its properties.</summary>
    public JsonObject ObjectSchema(Type type)
    {
        ArgumentNullException.ThrowIfNull(type);
        var schema = new JsonObject { ["type"] = "object" };
        var properties = new JsonObject();
        var required = new JsonArray();
        var fresh = type.GetConstructor(Type.EmptyTypes) is not null ? Activator.CreateInstance(type) : null;
        foreach (var property in SchemaProperties(type))
        {
            var name = JsonName(property);
            properties[name] = PropertySchema(property, fresh);
            if (property.GetCustomAttribute<RequiredAttribute>() is not null)
            {
                required.Add(name);
            }
        }

        schema["properties"] = properties;
        if (required.Count > 0)
        {
            schema["required"] = required;
        }

        var rules = type.GetCustomAttributes<CelRuleAttribute>().ToList();
        if (rules.Count > 0)
        {
            schema["x-kubernetes-validations"] = new JsonArray([.. rules.Select(r => new JsonObject { ["rule"] = r.Rule, ["message"] = r.Message })]);
        }

        return schema;
    }

    /// <summary>The serialised properties of a type in declaration order.</summary>
    public static IEnumerable<PropertyInfo> SchemaProperties(Type type)
    {
        ArgumentNullException.ThrowIfNull(type);
        return type.GetProperties(BindingFlags.Public | BindingFlags.Instance)
            .Where(p => p.GetCustomAttribute<JsonIgnoreAttribute>() is not { Condition: JsonIgnoreCondition.Always } && p.GetIndexParameters().Length == 0)
            .OrderBy(p => p.MetadataToken);
    }

    /// <summary>The JSON name of a property.</summary>
    public static string JsonName(PropertyInfo property)
    {
        ArgumentNullException.ThrowIfNull(property);
        return property.GetCustomAttribute<JsonPropertyNameAttribute>()?.Name ?? JsonNamingPolicy.CamelCase.ConvertName(property.Name);
    }

    /// <summary>The JSON names of an enum's members, in declaration order.</summary>
    public static IReadOnlyList<string> EnumNames(Type enumType)
    {
        ArgumentNullException.ThrowIfNull(enumType);
        return [.. enumType.GetFields(BindingFlags.Public | BindingFlags.Static)
            .OrderBy(f => f.MetadataToken)
            .Select(f => f.GetCustomAttribute<JsonStringEnumMemberNameAttribute>()?.Name ?? f.Name)];
    }

    private JsonObject PropertySchema(PropertyInfo property, object? fresh)
    {
        var typeSchema = TypeSchema(property.PropertyType, property);
        // Keys in reading order: what it is, what it means, then the details.
        var schema = new JsonObject();
        foreach (var key in new[] { "type", "anyOf", "x-kubernetes-int-or-string" })
        {
            if (typeSchema.Remove(key, out var node))
            {
                schema[key] = node;
            }
        }

        if (documentation.Summary(property) is { } description)
        {
            schema["description"] = description;
        }

        foreach (var (key, node) in typeSchema.ToList())
        {
            typeSchema.Remove(key);
            schema[key] = node;
        }

        ApplyBounds(property, schema);
        if (DefaultValue(property, fresh) is { } defaultValue)
        {
            schema["default"] = defaultValue;
        }

        var rules = property.GetCustomAttributes<CelRuleAttribute>().ToList();
        if (rules.Count > 0)
        {
            schema["x-kubernetes-validations"] = new JsonArray([.. rules.Select(r => new JsonObject { ["rule"] = r.Rule, ["message"] = r.Message })]);
        }

        return schema;
    }

    private JsonObject TypeSchema(Type type, PropertyInfo? property)
    {
        var underlying = Nullable.GetUnderlyingType(type) ?? type;
        if (property?.GetCustomAttribute<IntOrStringAttribute>() is not null)
        {
            return new JsonObject
            {
                ["anyOf"] = new JsonArray(new JsonObject { ["type"] = "integer" }, new JsonObject { ["type"] = "string" }),
                ["x-kubernetes-int-or-string"] = true,
            };
        }

        if (underlying == typeof(string))
        {
            return new JsonObject { ["type"] = "string" };
        }

        if (underlying == typeof(bool))
        {
            return new JsonObject { ["type"] = "boolean" };
        }

        if (underlying == typeof(int))
        {
            return new JsonObject { ["type"] = "integer", ["format"] = "int32" };
        }

        if (underlying == typeof(long))
        {
            return new JsonObject { ["type"] = "integer", ["format"] = "int64" };
        }

        if (underlying == typeof(double) || underlying == typeof(float))
        {
            return new JsonObject { ["type"] = "number", ["format"] = "double" };
        }

        if (underlying == typeof(DateTime) || underlying == typeof(DateTimeOffset))
        {
            return new JsonObject { ["type"] = "string", ["format"] = "date-time" };
        }

        if (underlying.IsEnum)
        {
            return new JsonObject { ["type"] = "string", ["enum"] = new JsonArray([.. EnumNames(underlying).Select(n => (JsonNode)n)]) };
        }

        if (underlying == typeof(V1ObjectMeta))
        {
            return new JsonObject { ["type"] = "object" };
        }

        if (DictionaryValueType(underlying) is { } valueType)
        {
            return new JsonObject { ["type"] = "object", ["additionalProperties"] = TypeSchema(valueType, null) };
        }

        if (ListItemType(underlying) is { } itemType)
        {
            return new JsonObject { ["type"] = "array", ["items"] = TypeSchema(itemType, null) };
        }

        if (underlying.IsClass)
        {
            return ObjectSchema(underlying);
        }

        throw new NotSupportedException($"No OpenAPI mapping for {underlying} (property {property?.DeclaringType?.Name}.{property?.Name}).");
    }

    private static void ApplyBounds(PropertyInfo property, JsonObject schema)
    {
        if (property.GetCustomAttribute<RangeAttribute>() is { } range)
        {
            var integer = (string?)schema["type"] == "integer";
            if (!IsUnbounded(range.Minimum))
            {
                schema["minimum"] = Number(range.Minimum, integer);
                if (range.MinimumIsExclusive)
                {
                    schema["exclusiveMinimum"] = true;
                }
            }

            if (!IsUnbounded(range.Maximum))
            {
                schema["maximum"] = Number(range.Maximum, integer);
                if (range.MaximumIsExclusive)
                {
                    schema["exclusiveMaximum"] = true;
                }
            }
        }

        var isArray = (string?)schema["type"] == "array";
        if (property.GetCustomAttribute<MinLengthAttribute>() is { } minLength)
        {
            schema[isArray ? "minItems" : "minLength"] = minLength.Length;
        }

        if (property.GetCustomAttribute<MaxLengthAttribute>() is { } maxLength)
        {
            schema[isArray ? "maxItems" : "maxLength"] = maxLength.Length;
        }

        if (property.GetCustomAttribute<SchemaPatternAttribute>() is { } pattern)
        {
            schema["pattern"] = pattern.Pattern;
        }
    }

    private static bool IsUnbounded(object bound) => bound switch
    {
        int i => i is int.MaxValue or int.MinValue,
        long l => l is long.MaxValue or long.MinValue,
        double d => double.IsInfinity(d) || Math.Abs(d) >= long.MaxValue, // also (double)long.MaxValue, which Range(1L, long.MaxValue) becomes
        _ => false,
    };

    private static JsonNode Number(object bound, bool integer) =>
        integer ? JsonValue.Create(Convert.ToInt64(bound, CultureInfo.InvariantCulture)) : JsonValue.Create(Convert.ToDouble(bound, CultureInfo.InvariantCulture));

    // Non-nullable, optional properties have a default: scalars take the initialiser's value; objects default to {}
    // so that the API server applies the nested defaults too.
    private static JsonNode? DefaultValue(PropertyInfo property, object? fresh)
    {
        if (fresh is null || property.GetCustomAttribute<RequiredAttribute>() is not null || IsNullable(property))
        {
            return null;
        }

        var type = property.PropertyType;
        if (type.IsValueType || type == typeof(string))
        {
            return JsonSerializer.SerializeToNode(property.GetValue(fresh), type);
        }

        return DictionaryValueType(type) is null && ListItemType(type) is null && type.IsClass ? new JsonObject() : null;
    }

    private static bool IsNullable(PropertyInfo property) =>
        Nullable.GetUnderlyingType(property.PropertyType) is not null
        || new NullabilityInfoContext().Create(property).ReadState == NullabilityState.Nullable;

    private static Type? DictionaryValueType(Type type)
    {
        var dictionary = type.IsGenericType && type.GetGenericTypeDefinition() == typeof(IDictionary<,>)
            ? type
            : type.GetInterfaces().FirstOrDefault(i => i.IsGenericType && i.GetGenericTypeDefinition() == typeof(IDictionary<,>));
        return dictionary?.GetGenericArguments()[0] == typeof(string) ? dictionary.GetGenericArguments()[1] : null;
    }

    private static Type? ListItemType(Type type)
    {
        if (type == typeof(string) || !typeof(IEnumerable).IsAssignableFrom(type))
        {
            return null;
        }

        var list = type.IsGenericType && type.GetGenericTypeDefinition() == typeof(IList<>)
            ? type
            : type.GetInterfaces().FirstOrDefault(i => i.IsGenericType && i.GetGenericTypeDefinition() == typeof(IList<>));
        return list?.GetGenericArguments()[0];
    }
}
