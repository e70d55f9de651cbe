using System.Reflection;
using System.Text.RegularExpressions;
using System.Xml.Linq;

namespace DistillOperator.Api.Schema;

/// <summary>The summaries of an assembly's XML doc comments, read from the .xml file the compiler writes beside it.</summary>
public sealed partial class XmlDocumentation
{
    private readonly Dictionary<string, string> _summaries;

    private XmlDocumentation(Dictionary<string, string> summaries) => _summaries = summaries;

    /// <summary>No documentation: schemas get no descriptions.</summary>
    public static XmlDocumentation None { get; } = new(new Dictionary<string, string>(StringComparer.Ordinal));

    /// <summary>Loads the documentation file that sits beside <paramref name="assembly"/>.</summary>
    /// <exception cref="FileNotFoundException">The .xml file is missing, so descriptions cannot be generated.</exception>
    public static XmlDocumentation For(Assembly assembly)
    {
        ArgumentNullException.ThrowIfNull(assembly);
        var path = Path.ChangeExtension(assembly.Location, ".xml");
        if (!File.Exists(path))
        {
            throw new FileNotFoundException(
                $"The XML documentation of {assembly.GetName().Name} is missing at {path}; the CRD's descriptions come from it. Build with GenerateDocumentationFile.",
                path);
        }

        var summaries = new Dictionary<string, string>(StringComparer.Ordinal);
        foreach (var member in XDocument.Load(path).Descendants("member"))
        {
            var name = (string?)member.Attribute("name");
            var summary = member.Element("summary");
            if (name is not null && summary is not null)
            {
                summaries[name] = Flatten(summary);
            }
        }

        return new XmlDocumentation(summaries);
    }

    /// <summary>The summary of a property, or null when it has none.</summary>
    public string? Summary(PropertyInfo property)
    {
        ArgumentNullException.ThrowIfNull(property);
        return _summaries.GetValueOrDefault($"P:{TypeName(property.DeclaringType!)}.{property.Name}");
    }

    /// <summary>The summary of a type, or null when it has none.</summary>
    public string? Summary(Type type)
    {
        ArgumentNullException.ThrowIfNull(type);
        return _summaries.GetValueOrDefault($"T:{TypeName(type)}");
    }

    private static string TypeName(Type type) => type.FullName!.Replace('+', '.');

    // <c>x</c> becomes x, <see cref="T:A.B"/> becomes B, and runs of white space become one space.
    private static string Flatten(XElement summary)
    {
        var text = string.Concat(summary.Nodes().Select(node => node switch
        {
            XText t => t.Value,
            XElement { Name.LocalName: "see" } see => ((string?)see.Attribute("cref") ?? (string?)see.Attribute("langword") ?? "").Split('.', ':').Last(),
            XElement e => e.Value,
            _ => "",
        }));
        return WhiteSpace().Replace(text, " ").Trim();
    }

    [GeneratedRegex(@"\s+")]
    private static partial Regex WhiteSpace();
}
