using System.Globalization;
using System.Text.Json;
using System.Text.Json.Nodes;
using System.Text.RegularExpressions;
using DistillOperator.Api.Validation;

namespace DistillOperator.Api.Schema;

/// <summary>What <see cref="StructuralSchemaValidator"/> checks and changes.</summary>
[Flags]
public enum StructuralChecks
{
    /// <summary>Types, required fields, unknown fields and enumerations: what decides whether the document can be read at all.</summary>
    Shape = 1,

    /// <summary>Bounds, lengths and patterns.</summary>
    Values = 2,

    /// <summary>Fill absent fields that have a default, as the API server does before validating.</summary>
    ApplyDefaults = 4,

    /// <summary>Remove values whose shape is wrong, so the rest of the document can still be read.</summary>
    PruneInvalid = 8,

    /// <summary>Everything an API server does with a structural schema (defaults, shape and values).</summary>
    ApiServer = Shape | Values | ApplyDefaults,
}

/// <summary>
/// Checks a JSON document against a Kubernetes structural OpenAPI v3 schema (the CRD's <c>openAPIV3Schema</c>) and
/// reports every problem with its path. CEL rules (<c>x-kubernetes-validations</c>) are not evaluated here.
/// </summary>
public static class StructuralSchemaValidator
{
    /// <summary>Validates <paramref name="document"/> (changing it when defaults or pruning are asked for).</summary>
    public static IReadOnlyList<ValidationProblem> Validate(JsonNode? document, JsonObject schema, StructuralChecks checks, string path = "")
    {
        ArgumentNullException.ThrowIfNull(schema);
        var problems = new List<ValidationProblem>();
        Check(document, schema, path, checks, problems);
        return problems;
    }

    // Returns false when the value's shape is wrong and it should be pruned.
    private static bool Check(JsonNode? value, JsonObject schema, string path, StructuralChecks checks, List<ValidationProblem> problems)
    {
        if (value is null)
        {
            return true;
        }

        var shape = checks.HasFlag(StructuralChecks.Shape);
        if ((bool?)schema["x-kubernetes-int-or-string"] == true)
        {
            if (value is JsonValue v && (v.GetValueKind() == JsonValueKind.String || IsInteger(v)))
            {
                if (v.GetValueKind() == JsonValueKind.String)
                {
                    CheckString(v.GetValue<string>(), schema, path, checks, problems);
                }

                return true;
            }

            if (shape)
            {
                problems.Add(new(path, ProblemMessages.WrongType("integer or string", value)));
            }

            return false;
        }

        var type = (string?)schema["type"];
        switch (type)
        {
            case "object" when value is JsonObject obj:
                CheckObject(obj, schema, path, checks, problems);
                return true;
            case "array" when value is JsonArray array:
                CheckArray(array, schema, path, checks, problems);
                return true;
            case "string" when value is JsonValue s && s.GetValueKind() == JsonValueKind.String:
                return CheckString(s.GetValue<string>(), schema, path, checks, problems);
            case "integer" when value is JsonValue i && IsInteger(i):
            case "number" when value is JsonValue n && n.GetValueKind() == JsonValueKind.Number:
                CheckNumber(double.Parse(value.ToJsonString(), NumberStyles.Float, CultureInfo.InvariantCulture), schema, path, checks, problems);
                return true;
            case "boolean" when value is JsonValue b && b.GetValueKind() is JsonValueKind.True or JsonValueKind.False:
                return true;
            case null:
                return true;
            default:
                if (shape)
                {
                    problems.Add(new(path, ProblemMessages.WrongType(type, value)));
                }

                return false;
        }
    }

    private static void CheckObject(JsonObject obj, JsonObject schema, string path, StructuralChecks checks, List<ValidationProblem> problems)
    {
        var properties = schema["properties"] as JsonObject;
        if (checks.HasFlag(StructuralChecks.ApplyDefaults) && properties is not null)
        {
            foreach (var (name, propertySchema) in properties)
            {
                if (!obj.ContainsKey(name) && propertySchema?["default"] is { } defaultValue)
                {
                    obj[name] = defaultValue.DeepClone();
                }
            }
        }

        if (checks.HasFlag(StructuralChecks.Shape) && schema["required"] is JsonArray required)
        {
            foreach (var name in required.Select(r => (string)r!))
            {
                if (obj[name] is null)
                {
                    problems.Add(new(JsonPaths.Field(path, name), ProblemMessages.Required));
                }
            }
        }

        var additional = schema["additionalProperties"] as JsonObject;
        var freeForm = (bool?)schema["x-kubernetes-preserve-unknown-fields"] == true || (properties is null && additional is null);
        var invalid = new List<string>();
        foreach (var (name, child) in obj)
        {
            var childSchema = properties?[name] as JsonObject ?? additional;
            var childPath = properties is null && additional is not null ? JsonPaths.Key(path, name) : JsonPaths.Field(path, name);
            if (childSchema is null)
            {
                if (!freeForm && checks.HasFlag(StructuralChecks.Shape))
                {
                    problems.Add(new(childPath, UnknownField(name, properties)));
                    invalid.Add(name);
                }

                continue;
            }

            if (!Check(child, childSchema, childPath, checks, problems))
            {
                invalid.Add(name);
            }
        }

        if (checks.HasFlag(StructuralChecks.PruneInvalid))
        {
            invalid.ForEach(name => obj.Remove(name));
        }
    }

    private static void CheckArray(JsonArray array, JsonObject schema, string path, StructuralChecks checks, List<ValidationProblem> problems)
    {
        if (checks.HasFlag(StructuralChecks.Values))
        {
            if (schema["minItems"] is { } minItems && array.Count < Whole(minItems))
            {
                problems.Add(new(path, $"must have at least {Whole(minItems)} items, got {array.Count}"));
            }

            if (schema["maxItems"] is { } maxItems && array.Count > Whole(maxItems))
            {
                problems.Add(new(path, $"must have at most {Whole(maxItems)} items, got {array.Count}"));
            }
        }

        if (schema["items"] is not JsonObject itemSchema)
        {
            return;
        }

        var invalid = new List<int>();
        for (var i = 0; i < array.Count; i++)
        {
            if (!Check(array[i], itemSchema, JsonPaths.Index(path, i), checks, problems))
            {
                invalid.Add(i);
            }
        }

        if (checks.HasFlag(StructuralChecks.PruneInvalid))
        {
            invalid.Reverse();
            invalid.ForEach(array.RemoveAt);
        }
    }

    private static bool CheckString(string text, JsonObject schema, string path, StructuralChecks checks, List<ValidationProblem> problems)
    {
        if (schema["enum"] is JsonArray allowed && !allowed.Any(a => (string?)a == text))
        {
            if (checks.HasFlag(StructuralChecks.Shape))
            {
                problems.Add(new(path, ProblemMessages.NotOneOf(allowed.Select(a => (string)a!), text)));
            }

            return false;
        }

        if (!checks.HasFlag(StructuralChecks.Values))
        {
            return true;
        }

        if (schema["minLength"] is { } minLength && text.Length < Whole(minLength))
        {
            problems.Add(new(path, Whole(minLength) == 1 ? "must not be empty" : $"must be at least {Whole(minLength)} characters, got {text.Length}"));
        }

        if (schema["maxLength"] is { } maxLength && text.Length > Whole(maxLength))
        {
            problems.Add(new(path, $"must be at most {Whole(maxLength)} characters, got {text.Length}"));
        }

        if (schema["pattern"] is { } pattern && !Regex.IsMatch(text, (string)pattern!, RegexOptions.None, TimeSpan.FromSeconds(1)))
        {
            problems.Add(new(path, $"must match {(string)pattern!}, got {ProblemMessages.Format(text)}"));
        }

        return true;
    }

    private static void CheckNumber(double number, JsonObject schema, string path, StructuralChecks checks, List<ValidationProblem> problems)
    {
        if (!checks.HasFlag(StructuralChecks.Values))
        {
            return;
        }

        if (schema["minimum"] is { } minNode)
        {
            var minimum = Number(minNode);
            var exclusive = (bool?)schema["exclusiveMinimum"] == true;
            if (exclusive ? number <= minimum : number < minimum)
            {
                problems.Add(new(path, ProblemMessages.BelowMinimum(minimum, exclusive, number)));
            }
        }

        if (schema["maximum"] is { } maxNode)
        {
            var maximum = Number(maxNode);
            var exclusive = (bool?)schema["exclusiveMaximum"] == true;
            if (exclusive ? number >= maximum : number > maximum)
            {
                problems.Add(new(path, ProblemMessages.AboveMaximum(maximum, exclusive, number)));
            }
        }
    }

    private static double Number(JsonNode node) => double.Parse(node.ToJsonString(), NumberStyles.Float, CultureInfo.InvariantCulture);

    private static int Whole(JsonNode node) => (int)Number(node);

    private static bool IsInteger(JsonValue value) =>
        value.GetValueKind() == JsonValueKind.Number && double.TryParse(value.ToJsonString(), NumberStyles.Float, CultureInfo.InvariantCulture, out var d) && Math.Floor(d) == d && !double.IsInfinity(d);

    private static string UnknownField(string name, JsonObject? properties)
    {
        var known = properties?.Select(p => p.Key).ToList() ?? [];
        var suggestion = known
            .Select(k => (Name: k, Distance: EditDistance(name.ToLowerInvariant(), k.ToLowerInvariant())))
            .Where(c => c.Distance <= Math.Max(2, name.Length / 4))
            .OrderBy(c => c.Distance)
            .Select(c => c.Name)
            .FirstOrDefault();
        return suggestion is not null
            ? $"unknown field {ProblemMessages.Format(name)}; did you mean {ProblemMessages.Format(suggestion)}?"
            : $"unknown field {ProblemMessages.Format(name)}; known fields: {string.Join(", ", known)}";
    }

    private static int EditDistance(string a, string b)
    {
        var row = Enumerable.Range(0, b.Length + 1).ToArray();
        for (var i = 1; i <= a.Length; i++)
        {
            var diagonal = row[0];
            row[0] = i;
            for (var j = 1; j <= b.Length; j++)
            {
                var above = row[j];
                row[j] = Math.Min(Math.Min(row[j] + 1, row[j - 1] + 1), diagonal + (a[i - 1] == b[j - 1] ? 0 : 1));
                diagonal = above;
            }
        }

        return row[b.Length];
    }
}
