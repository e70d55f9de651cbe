using System.Text.RegularExpressions;

namespace DistillOperator.Api.Validation;

/// <summary>Builds the field paths that problems are reported at.</summary>
public static partial class JsonPaths
{
    /// <summary>The path of a named field under <paramref name="parent"/>.</summary>
    public static string Field(string parent, string name) =>
        string.IsNullOrEmpty(parent) ? name : PlainName().IsMatch(name) ? $"{parent}.{name}" : $"{parent}[{Quote(name)}]";

    /// <summary>The path of a list element.</summary>
    public static string Index(string parent, int index) => $"{parent}[{index}]";

    /// <summary>The path of a map entry.</summary>
    public static string Key(string parent, string key) => $"{parent}[{Quote(key)}]";

    /// <summary>True when <paramref name="path"/> is <paramref name="ancestor"/> or lies under it.</summary>
    public static bool IsWithin(string path, string ancestor)
    {
        ArgumentNullException.ThrowIfNull(path);
        ArgumentNullException.ThrowIfNull(ancestor);
        return path == ancestor
            || (path.StartsWith(ancestor, StringComparison.Ordinal) && path.Length > ancestor.Length && path[ancestor.Length] is '.' or '[');
    }

    private static string Quote(string key) => "\"" + key.Replace("\\", "\\\\", StringComparison.Ordinal).Replace("\"", "\\\"", StringComparison.Ordinal) + "\"";

    [GeneratedRegex("^[A-Za-z_][A-Za-z0-9_]*$")]
    private static partial Regex PlainName();
}
