using System.Collections;
using System.ComponentModel.DataAnnotations;
using System.Globalization;
using System.Reflection;
using System.Text.RegularExpressions;
using DistillOperator.Api.Schema;

namespace DistillOperator.Api.Validation;

/// <summary>
/// Enforces, on typed objects, the same per-field bounds the CRD schema carries (<see cref="RangeAttribute"/>, the
/// length attributes, <see cref="SchemaPatternAttribute"/>, required strings), walking the object graph of this API.
/// </summary>
internal static class AttributeRules
{
    public static void Check(object? value, string path, List<ValidationProblem> problems)
    {
        if (value is null || !IsApiType(value.GetType()))
        {
            return;
        }

        foreach (var property in OpenApiSchemaBuilder.SchemaProperties(value.GetType()))
        {
            var childPath = JsonPaths.Field(path, OpenApiSchemaBuilder.JsonName(property));
            var child = property.GetValue(value);
            CheckProperty(property, child, childPath, problems);
            switch (child)
            {
                case string:
                    break;
                case IEnumerable items when child is not IDictionary:
                    var index = 0;
                    foreach (var item in items)
                    {
                        Check(item, JsonPaths.Index(childPath, index++), problems);
                    }

                    break;
                default:
                    Check(child, childPath, problems);
                    break;
            }
        }
    }

    private static void CheckProperty(PropertyInfo property, object? value, string path, List<ValidationProblem> problems)
    {
        if (value is null)
        {
            return;
        }

        if (property.GetCustomAttribute<RangeAttribute>() is { } range && value is int or long or double)
        {
            var number = Convert.ToDouble(value, CultureInfo.InvariantCulture);
            var minimum = Convert.ToDouble(range.Minimum, CultureInfo.InvariantCulture);
            var maximum = Convert.ToDouble(range.Maximum, CultureInfo.InvariantCulture);
            if (double.IsNaN(number) || (range.MinimumIsExclusive ? number <= minimum : number < minimum))
            {
                problems.Add(new(path, ProblemMessages.BelowMinimum(minimum, range.MinimumIsExclusive, value)));
            }
            else if (range.MaximumIsExclusive ? number >= maximum : number > maximum)
            {
                problems.Add(new(path, ProblemMessages.AboveMaximum(maximum, range.MaximumIsExclusive, value)));
            }
        }

        if (value is string text)
        {
            if (property.GetCustomAttribute<RequiredAttribute>() is not null && text.Length == 0)
            {
                problems.Add(new(path, ProblemMessages.Required));
                return;
            }

            if (property.GetCustomAttribute<MinLengthAttribute>() is { } minLength && text.Length < minLength.Length)
            {
                problems.Add(new(path, minLength.Length == 1 ? "must not be empty" : $"must be at least {minLength.Length} characters, got {text.Length}"));
            }

            if (property.GetCustomAttribute<MaxLengthAttribute>() is { } maxLength && text.Length > maxLength.Length)
            {
                problems.Add(new(path, $"must be at most {maxLength.Length} characters, got {text.Length}"));
            }

            if (property.GetCustomAttribute<SchemaPatternAttribute>() is { } pattern && !Regex.IsMatch(text, pattern.Pattern, RegexOptions.None, TimeSpan.FromSeconds(1)))
            {
                problems.Add(new(path, $"must be {pattern.Meaning}, got {ProblemMessages.Format(text)}"));
            }
        }
        else if (value is ICollection collection and not IDictionary)
        {
            if (property.GetCustomAttribute<MinLengthAttribute>() is { } minItems && collection.Count < minItems.Length)
            {
                problems.Add(new(path, $"must have at least {minItems.Length} items, got {collection.Count}"));
            }

            if (property.GetCustomAttribute<MaxLengthAttribute>() is { } maxItems && collection.Count > maxItems.Length)
            {
                problems.Add(new(path, $"must have at most {maxItems.Length} items, got {collection.Count}"));
            }
        }
    }

    private static bool IsApiType(Type type) => type.Namespace?.StartsWith("DistillOperator.Api", StringComparison.Ordinal) == true && type.IsClass;
}
