using System.Text.Json;
using System.Text.Json.Nodes;
using DistillOperator.Api.Schema;
using DistillOperator.Api.V1Alpha1;
using DistillOperator.Api.Validation;
using k8s;

namespace DistillOperator.Api.Manifests;

/// <summary>A problem located in a manifest file.</summary>
/// <param name="Problem">The field and what is wrong with it.</param>
/// <param name="Line">1-based line of the field, or of its nearest ancestor present in the file.</param>
public sealed record LocatedProblem(ValidationProblem Problem, int Line);

/// <summary>The outcome of checking one document of a manifest file.</summary>
public sealed class ManifestCheck
{
    /// <summary>1-based line where the document starts.</summary>
    public required int Line { get; init; }

    /// <summary>The document's kind, or null when it has none.</summary>
    public string? Kind { get; init; }

    /// <summary>The document's metadata.name (or generateName), or null.</summary>
    public string? Name { get; init; }

    /// <summary>Why the document was not checked (another kind), or null when it was.</summary>
    public string? SkippedBecause { get; init; }

    /// <summary>Every problem, empty when the job is valid.</summary>
    public IReadOnlyList<LocatedProblem> Problems { get; init; } = [];

    /// <summary>The defaulted job, when the document could be read as one.</summary>
    public DistillationJob? Job { get; init; }

    /// <summary>True for a DistillationJob with no problems.</summary>
    public bool IsValid => SkippedBecause is null && Problems.Count == 0;
}

/// <summary>
/// Checks manifest documents the way the API server and the operator would, reporting every problem at once: the CRD
/// schema's shape (types, unknown fields, enumerations, required fields), then the C# rules (bounds, URIs, cross-field).
/// </summary>
public static class ManifestValidator
{
    private static readonly Lazy<JsonObject> Schema = new(CrdGenerator.OpenApiV3Schema);

    /// <summary>Checks every document of a manifest's text.</summary>
    /// <exception cref="ManifestSyntaxException">The text is not well-formed YAML or JSON.</exception>
    public static IReadOnlyList<ManifestCheck> CheckText(string text, ValidationTarget target)
    {
        var checks = new List<ManifestCheck>();
        foreach (var document in YamlManifestReader.ReadAll(text).Where(d => d.Content is not null))
        {
            if (document.Content is JsonObject { } list && (string?)list["kind"] == "List" && list["items"] is JsonArray items)
            {
                checks.AddRange(items.Select(item => Check(new ManifestDocument(item?.DeepClone(), document.Line, ManifestDocument.NoLines), target)));
                continue;
            }

            checks.Add(Check(document, target));
        }

        return checks;
    }

    /// <summary>
    /// Reads the first DistillationJob of a manifest file, checked and defaulted, for running it.
    /// </summary>
    /// <exception cref="InvalidDataException">The file holds no job, or the job is invalid: one line per problem as FILE:LINE: PATH: MESSAGE.</exception>
    /// <exception cref="ManifestSyntaxException">The file is not well-formed YAML or JSON.</exception>
    public static DistillationJob ReadJob(string file, ValidationTarget target)
    {
        var check = CheckText(File.ReadAllText(file), target).FirstOrDefault(c => c.SkippedBecause is null)
            ?? throw new InvalidDataException($"{file}: holds no DistillationJob");
        if (!check.IsValid)
        {
            throw new InvalidDataException(string.Join("\n", check.Problems.Select(p => $"{file}:{p.Line}: {p.Problem}")));
        }

        return check.Job!;
    }

    /// <summary>Checks one document; a manifest annotated distill.dev/run-target: local is checked as a local job.</summary>
    public static ManifestCheck Check(ManifestDocument document, ValidationTarget target)
    {
        ArgumentNullException.ThrowIfNull(document);
        if (document.Content is not JsonObject root)
        {
            return Located(document, null, null, [new ValidationProblem("", $"must be an object with apiVersion and kind, got {ProblemMessages.KindOf(document.Content)}")]);
        }

        var kind = Text(root["kind"]);
        var apiVersion = Text(root["apiVersion"]);
        var name = Text(root["metadata"]?["name"]) ?? Text(root["metadata"]?["generateName"]);
        if (kind != DistillationJob.KindName || (apiVersion is not null && !apiVersion.StartsWith(ApiGroup.Name + "/", StringComparison.Ordinal)))
        {
            var what = kind is null ? "a document without kind" : $"{kind} ({apiVersion ?? "no apiVersion"})";
            return new ManifestCheck { Line = document.Line, Kind = kind, Name = name, SkippedBecause = $"{what} is not a {ApiGroup.Name} DistillationJob" };
        }

        if (Text(root["metadata"]?["annotations"]?[DistillationJobAnnotations.RunTarget]) == DistillationJobAnnotations.Local)
        {
            target = ValidationTarget.Local;
        }

        var problems = new List<ValidationProblem>();
        if (apiVersion != ApiGroup.ApiVersion)
        {
            problems.Add(new("apiVersion", $"must be {ApiGroup.ApiVersion}, got {ProblemMessages.Format(apiVersion)}"));
        }

        var working = (JsonObject)root.DeepClone();
        var shapeProblems = StructuralSchemaValidator.Validate(working, Schema.Value, StructuralChecks.Shape | StructuralChecks.PruneInvalid);
        problems.AddRange(shapeProblems);

        DistillationJob? job = null;
        try
        {
            job = KubernetesJson.Deserialize<DistillationJob>(working);
        }
        catch (JsonException e)
        {
            problems.Add(new(JsonPathOf(e.Path), $"cannot be read: {e.Message.Split(" Path:")[0]}"));
        }

        if (job is not null)
        {
            DistillationJobDefaults.Apply(job);
            problems.AddRange(DistillationJobValidator.Validate(job, target)
                .Where(p => !shapeProblems.Any(s => JsonPaths.IsWithin(p.Path, s.Path))));
        }

        return Located(document, name, job, problems);
    }

    private static ManifestCheck Located(ManifestDocument document, string? name, DistillationJob? job, List<ValidationProblem> problems) => new()
    {
        Line = document.Line,
        Kind = DistillationJob.KindName,
        Name = name,
        Job = job,
        Problems = [.. problems.Distinct().Select(p => new LocatedProblem(p, document.LineOf(p.Path))).OrderBy(p => p.Line)],
    };

    private static string? Text(JsonNode? node) =>
        node is JsonValue value && value.GetValueKind() == JsonValueKind.String ? value.GetValue<string>() : null;

    // "$.spec.data['train']" → "spec.data.train"
    private static string JsonPathOf(string? path) =>
        (path ?? "$").TrimStart('$').TrimStart('.').Replace("['", ".", StringComparison.Ordinal).Replace("']", "", StringComparison.Ordinal);
}
