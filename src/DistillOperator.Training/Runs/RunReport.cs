using System.Text.Json.Nodes;
using DistillOperator.Api.V1Alpha1;
using DistillOperator.Training.Evaluation;

namespace DistillOperator.Training.Runs;

/// <summary>report.json beside the exported student: what was distilled, how, and how good the result is.</summary>
public static class RunReport
{
    /// <summary>The report's file name.</summary>
    public const string FileName = "report.json";

    /// <summary>The report of a finished run.</summary>
    public static JsonObject ToJson(DistillationJob job, RunResult result)
    {
        ArgumentNullException.ThrowIfNull(job);
        ArgumentNullException.ThrowIfNull(result);
        static JsonNode? Metrics(ClassificationMetrics? m) => m is null ? null : new JsonObject
        {
            ["accuracy"] = m.Accuracy,
            ["macroF1"] = m.MacroF1,
            ["matthewsCorrelation"] = m.MatthewsCorrelation,
            ["examples"] = m.Examples,
        };

        return new JsonObject
        {
            ["schemaVersion"] = 1,
            ["job"] = job.Metadata?.Name,
            ["strategy"] = OpenApiNames.Of(job.Spec.Distillation.Strategy),
            ["steps"] = result.Outcome.Steps,
            ["teacher"] = new JsonObject { ["parameters"] = result.TeacherParameters, ["validation"] = Metrics(result.Outcome.Teacher) },
            ["student"] = new JsonObject { ["parameters"] = result.StudentParameters, ["validation"] = Metrics(result.Outcome.Student) },
            ["agreement"] = result.Outcome.Agreement,
            ["compressionRatio"] = result.StudentParameters > 0 ? (double)result.TeacherParameters / result.StudentParameters : null,
        };
    }
}
