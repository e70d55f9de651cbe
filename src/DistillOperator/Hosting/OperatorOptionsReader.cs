using System.Collections;
using System.Globalization;
using System.Text.Json;

namespace DistillOperator.Hosting;

/// <summary>A setting that could not be read; the message names the flag, variable or file and key.</summary>
public sealed class OperatorOptionsException(string message) : Exception(message);

/// <summary>
/// Reads <see cref="OperatorOptions"/> from, in rising precedence: a JSON config file (<c>--config FILE</c> or
/// DISTILL_CONFIG; keys are the flag names without dashes in front, e.g. <c>{"metrics-port": 9090}</c>), environment
/// variables (DISTILL_ + the flag name in upper case with underscores: DISTILL_METRICS_PORT), and flags
/// (<c>--metrics-port 9090</c> or <c>--metrics-port=9090</c>).
/// </summary>
public static class OperatorOptionsReader
{
    private static readonly Dictionary<string, Action<OperatorOptions, string>> Settings = new(StringComparer.Ordinal)
    {
        ["metrics-port"] = (o, v) => o.MetricsPort = Integer(v, 0, 65535),
        ["namespaces"] = (o, v) => o.Namespaces = [.. v.Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries)],
        ["leader-election"] = (o, v) => o.LeaderElection = Boolean(v),
        ["lease-name"] = (o, v) => o.LeaseName = NonEmpty(v),
        ["lease-namespace"] = (o, v) => o.LeaseNamespace = NonEmpty(v),
        ["lease-duration-seconds"] = (o, v) => o.LeaseDuration = TimeSpan.FromSeconds(Integer(v, 2, 3600)),
        ["identity"] = (o, v) => o.Identity = NonEmpty(v),
        ["trainer-image"] = (o, v) => o.TrainerImage = NonEmpty(v),
        ["trainer-image-pull-policy"] = (o, v) => o.TrainerImagePullPolicy = v is "Always" or "IfNotPresent" or "Never" ? v : throw new FormatException("must be Always, IfNotPresent or Never"),
        ["workers"] = (o, v) => o.Workers = Integer(v, 1, 64),
        ["resync-seconds"] = (o, v) => o.Resync = TimeSpan.FromSeconds(Integer(v, 1, 86400)),
        ["kubeconfig"] = (o, v) => o.Kubeconfig = NonEmpty(v),
    };

    /// <summary>The flag names, for --help.</summary>
    public static IReadOnlyCollection<string> Names => Settings.Keys;

    /// <summary>Reads the options from <paramref name="args"/>, <paramref name="environment"/> and the config file they name.</summary>
    public static OperatorOptions Read(IReadOnlyList<string> args, IDictionary environment)
    {
        ArgumentNullException.ThrowIfNull(args);
        ArgumentNullException.ThrowIfNull(environment);
        var flags = Flags(args);
        var options = new OperatorOptions();
        var configFile = flags.TryGetValue("config", out var fromFlag) ? fromFlag : environment["DISTILL_CONFIG"] as string;
        if (configFile is not null)
        {
            foreach (var (name, value) in File(configFile))
            {
                Apply(options, name, value, $"{configFile}: {name}");
            }
        }

        foreach (var name in Settings.Keys)
        {
            var variable = "DISTILL_" + name.ToUpperInvariant().Replace('-', '_');
            if (environment[variable] is string value)
            {
                Apply(options, name, value, variable);
            }
        }

        foreach (var (name, value) in flags.Where(f => f.Key != "config"))
        {
            Apply(options, name, value, "--" + name);
        }

        return options;
    }

    private static void Apply(OperatorOptions options, string name, string value, string source)
    {
        if (!Settings.TryGetValue(name, out var set))
        {
            throw new OperatorOptionsException($"{source}: unknown setting; known: {string.Join(", ", Settings.Keys)}");
        }

        try
        {
            set(options, value);
        }
        catch (FormatException e)
        {
            throw new OperatorOptionsException($"{source}: {e.Message}, got '{value}'");
        }
    }

    private static Dictionary<string, string> Flags(IReadOnlyList<string> args)
    {
        var flags = new Dictionary<string, string>(StringComparer.Ordinal);
        for (var i = 0; i < args.Count; i++)
        {
            var arg = args[i];
            if (!arg.StartsWith("--", StringComparison.Ordinal) || arg.Length == 2)
            {
                throw new OperatorOptionsException($"{arg}: unexpected argument; settings are --name value or --name=value");
            }

            var (name, value) = arg.IndexOf('=', StringComparison.Ordinal) is var eq and > 0
                ? (arg[2..eq], arg[(eq + 1)..])
                : (arg[2..], (string?)null);
            if (value is null)
            {
                // A bare boolean flag (--leader-election) means true; anything else takes the next argument.
                if (name == "leader-election" && (i + 1 == args.Count || args[i + 1].StartsWith("--", StringComparison.Ordinal)))
                {
                    value = "true";
                }
                else if (i + 1 < args.Count)
                {
                    value = args[++i];
                }
                else
                {
                    throw new OperatorOptionsException($"--{name}: needs a value");
                }
            }

            flags[name] = value;
        }

        return flags;
    }

    private static IEnumerable<(string Name, string Value)> File(string path)
    {
        JsonDocument document;
        try
        {
            document = JsonDocument.Parse(System.IO.File.ReadAllText(path));
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            throw new OperatorOptionsException($"{path}: cannot read the config file: {e.Message}");
        }
        catch (JsonException e)
        {
            throw new OperatorOptionsException($"{path}: line {e.LineNumber + 1}: not valid JSON: {e.Message}");
        }

        using (document)
        {
            if (document.RootElement.ValueKind != JsonValueKind.Object)
            {
                throw new OperatorOptionsException($"{path}: the config file must hold a JSON object");
            }

            foreach (var property in document.RootElement.EnumerateObject())
            {
                var value = property.Value.ValueKind switch
                {
                    JsonValueKind.String => property.Value.GetString()!,
                    JsonValueKind.Array => string.Join(',', property.Value.EnumerateArray().Select(e => e.ToString())),
                    JsonValueKind.True => "true",
                    JsonValueKind.False => "false",
                    _ => property.Value.GetRawText(),
                };
                yield return (property.Name, value);
            }
        }
    }

    private static int Integer(string value, int min, int max) =>
        int.TryParse(value, NumberStyles.Integer, CultureInfo.InvariantCulture, out var n) && n >= min && n <= max
            ? n
            : throw new FormatException($"must be a whole number from {min} to {max}");

    private static bool Boolean(string value) => value.ToLowerInvariant() switch
    {
        "true" or "1" or "yes" => true,
        "false" or "0" or "no" => false,
        _ => throw new FormatException("must be true or false"),
    };

    private static string NonEmpty(string value) => value.Trim().Length > 0 ? value.Trim() : throw new FormatException("must not be empty");
}
