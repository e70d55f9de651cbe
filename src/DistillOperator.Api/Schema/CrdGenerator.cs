using System.Text.Json.Nodes;
using DistillOperator.Api.V1Alpha1;

namespace DistillOperator.Api.Schema;

/// <summary>Generates the DistillationJob CustomResourceDefinition from the C# types.</summary>
public static class CrdGenerator
{
    /// <summary>Name of the CRD object.</summary>
    public const string CrdName = DistillationJob.Plural + "." + ApiGroup.Name;

    /// <summary>File name of the committed CRD under crds/.</summary>
    public const string FileName = ApiGroup.Name + "_" + DistillationJob.Plural + ".yaml";

    private static readonly Lazy<JsonObject> Generated = new(Build);

    /// <summary>The CRD as a JSON tree (a fresh copy each call).</summary>
    public static JsonObject Generate() => (JsonObject)Generated.Value.DeepClone();

    /// <summary>The <c>openAPIV3Schema</c> of the served version (a fresh copy each call).</summary>
    public static JsonObject OpenApiV3Schema() =>
        (JsonObject)Generated.Value["spec"]!["versions"]![0]!["schema"]!["openAPIV3Schema"]!.DeepClone();

    /// <summary>The CRD as YAML, the exact text committed under crds/.</summary>
    public static string GenerateYaml() =>
        "# Generated from src/DistillOperator.Api by `distill crds`. Do not edit: change the C# types and regenerate.\n"
        + YamlWriter.Write(Generate());

    private static JsonObject Build()
    {
        var builder = new OpenApiSchemaBuilder(XmlDocumentation.For(typeof(DistillationJob).Assembly));
        var root = new JsonObject
        {
            ["type"] = "object",
            ["description"] = XmlDocumentation.For(typeof(DistillationJob).Assembly).Summary(typeof(DistillationJob)),
        };
        var rootSchema = builder.ObjectSchema(typeof(DistillationJob));
        var properties = (JsonObject)rootSchema["properties"]!.DeepClone();
        foreach (var envelope in new[] { "apiVersion", "kind", "metadata" })
        {
            // The API server fills and checks these itself.
            ((JsonObject)properties[envelope]!).Remove("default");
        }

        root["properties"] = properties;
        root["required"] = new JsonArray("spec");
        // metadata.name feeds the names of the run's Job, ConfigMap and RBAC objects, which must stay valid.
        root["x-kubernetes-validations"] = new JsonArray(new JsonObject
        {
            ["rule"] = $"size(self.metadata.name) <= {DistillationJobNames.MaxNameLength}",
            ["message"] = $"metadata.name must be at most {DistillationJobNames.MaxNameLength} characters so the names derived from it stay within Kubernetes limits",
        });

        return new JsonObject
        {
            ["apiVersion"] = "apiextensions.k8s.io/v1",
            ["kind"] = "CustomResourceDefinition",
            ["metadata"] = new JsonObject
            {
                ["name"] = CrdName,
                ["labels"] = new JsonObject { ["app.kubernetes.io/name"] = "distill-operator", ["app.kubernetes.io/part-of"] = "distill-operator" },
            },
            ["spec"] = new JsonObject
            {
                ["group"] = ApiGroup.Name,
                ["scope"] = "Namespaced",
                ["names"] = new JsonObject
                {
                    ["kind"] = DistillationJob.KindName,
                    ["listKind"] = DistillationJob.KindName + "List",
                    ["plural"] = DistillationJob.Plural,
                    ["singular"] = DistillationJob.Singular,
                    ["shortNames"] = new JsonArray([.. ApiGroup.ShortNames.Select(n => (JsonNode)n)]),
                    ["categories"] = new JsonArray("all", "distill"),
                },
                ["versions"] = new JsonArray(new JsonObject
                {
                    ["name"] = ApiGroup.Version,
                    ["served"] = true,
                    ["storage"] = true,
                    ["subresources"] = new JsonObject { ["status"] = new JsonObject() },
                    ["additionalPrinterColumns"] = PrinterColumns(),
                    ["schema"] = new JsonObject { ["openAPIV3Schema"] = root },
                }),
            },
        };
    }

    private static JsonArray PrinterColumns()
    {
        static JsonObject Column(string name, string type, string path, string description, int priority = 0)
        {
            var column = new JsonObject { ["name"] = name, ["type"] = type, ["jsonPath"] = path, ["description"] = description };
            if (priority > 0)
            {
                column["priority"] = priority;
            }

            return column;
        }

        return
        [
            Column("Phase", "string", ".status.phase", "Where the job is in its life."),
            Column("Stage", "string", ".status.progress.stage", "The current training stage."),
            Column("Progress", "string", ".status.progress.percent", "Whole-run completion in percent."),
            Column("Student-Acc", "number", ".status.result.studentAccuracy", "Student accuracy on the validation set."),
            Column("Agreement", "number", ".status.result.agreement", "Fraction of examples where student and teacher agree."),
            Column("Compression", "number", ".status.result.compressionRatio", "Teacher parameters per student parameter."),
            Column("Strategy", "string", ".spec.distillation.strategy", "The distillation strategy.", priority: 1),
            Column("Promoted", "string", ".status.promotedVersion", "The version promoted at spec.output.uri (OUTPUT/current): what a serving system reads.", priority: 1),
            Column("Age", "date", ".metadata.creationTimestamp", "Time since the job was created."),
        ];
    }
}
