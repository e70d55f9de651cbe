using System.Text.Json.Nodes;

namespace DistillOperator.Testing.Emulator;

/// <summary>A Kubernetes label selector: <c>a=b</c>, <c>a!=b</c>, <c>a in (x,y)</c>, <c>a notin (x)</c>, <c>a</c>, <c>!a</c>, comma-joined.</summary>
public sealed class LabelSelector
{
    private readonly List<Func<IReadOnlyDictionary<string, string>, bool>> _requirements = [];

    private LabelSelector()
    {
    }

    /// <summary>Matches everything.</summary>
    public static LabelSelector Everything { get; } = new();

    /// <summary>Parses a selector; throws a 400 <see cref="ApiError"/> when it is malformed.</summary>
    public static LabelSelector Parse(string? text)
    {
        var selector = new LabelSelector();
        if (string.IsNullOrWhiteSpace(text))
        {
            return selector;
        }

        foreach (var part in SplitTopLevel(text))
        {
            var term = part.Trim();
            if (term.Contains(" notin ", StringComparison.Ordinal) || term.Contains(" in ", StringComparison.Ordinal))
            {
                var negate = term.Contains(" notin ", StringComparison.Ordinal);
                var pieces = term.Split(negate ? " notin " : " in ", 2);
                var key = pieces[0].Trim();
                var values = pieces[1].Trim().TrimStart('(').TrimEnd(')').Split(',').Select(v => v.Trim()).ToHashSet(StringComparer.Ordinal);
                selector._requirements.Add(labels => labels.TryGetValue(key, out var v) ? values.Contains(v) != negate : negate);
            }
            else if (term.Contains("!=", StringComparison.Ordinal))
            {
                var pieces = term.Split("!=", 2);
                var (key, value) = (pieces[0].Trim(), pieces[1].Trim());
                selector._requirements.Add(labels => !labels.TryGetValue(key, out var v) || v != value);
            }
            else if (term.Contains('=', StringComparison.Ordinal))
            {
                var pieces = term.Replace("==", "=", StringComparison.Ordinal).Split('=', 2);
                var (key, value) = (pieces[0].Trim(), pieces[1].Trim());
                selector._requirements.Add(labels => labels.TryGetValue(key, out var v) && v == value);
            }
            else if (term.StartsWith('!'))
            {
                var key = term[1..].Trim();
                selector._requirements.Add(labels => !labels.ContainsKey(key));
            }
            else if (term.Length > 0)
            {
                selector._requirements.Add(labels => labels.ContainsKey(term));
            }
            else
            {
                throw new ApiError(400, "BadRequest", $"unable to parse requirement: empty term in \"{text}\"");
            }
        }

        return selector;
    }

    /// <summary>True when the object's labels satisfy every requirement.</summary>
    public bool Matches(JsonObject obj)
    {
        ArgumentNullException.ThrowIfNull(obj);
        var labels = (obj["metadata"]?["labels"] as JsonObject)?.ToDictionary(p => p.Key, p => (string?)p.Value ?? "", StringComparer.Ordinal)
            ?? new Dictionary<string, string>(StringComparer.Ordinal);
        return _requirements.All(r => r(labels));
    }

    // Commas inside "in (a,b)" do not separate terms.
    private static IEnumerable<string> SplitTopLevel(string text)
    {
        var depth = 0;
        var start = 0;
        for (var i = 0; i < text.Length; i++)
        {
            depth += text[i] == '(' ? 1 : text[i] == ')' ? -1 : 0;
            if (text[i] == ',' && depth == 0)
            {
                yield return text[start..i];
                start = i + 1;
            }
        }

        yield return text[start..];
    }
}
