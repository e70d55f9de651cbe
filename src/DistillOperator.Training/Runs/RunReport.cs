using System.Text.Json.Nodes;
using DistillOperator.Api.V1Alpha1;
using DistillOperator.Training.Evaluation;

namespace DistillOperator.Training.Runs;

/// <summary>report.json beside the exported student (schema in docs/report.md): what was distilled, how, and how well.</summary>
public static class RunReport
{
    /// <summary>The report's file name.</summary>
    public const string FileName = "report.json";

    /// <summary>The report's schema version; bumped on incompatible changes.</summary>
    public const int SchemaVersion = 2;

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

        JsonObject Model(long parameters, long bytes, double? latency, ClassificationMetrics? validation, ClassificationMetrics? test) => new()
        {
            ["parameters"] = parameters,
            ["sizeBytes"] = bytes,
            ["latencyMsPerExample"] = latency,
            ["validation"] = Metrics(validation),
            ["test"] = Metrics(test),
        };

        var outcome = result.Outcome;
        return new JsonObject
        {
            ["schemaVersion"] = SchemaVersion,
            ["job"] = job.Metadata?.Name,
            ["strategy"] = OpenApiNames.Of(job.Spec.Distillation.Strategy),
            ["labels"] = new JsonArray([.. result.Labels.Select(l => (JsonNode)l)]),
            ["steps"] = outcome.Steps,
            ["resumedFromStep"] = outcome.ResumedFromStep,
            ["selectedStep"] = outcome.SelectedStep,
            ["teacher"] = Model(result.TeacherParameters, result.TeacherBytes, result.TeacherLatencyMs, outcome.Teacher, result.Test?.Teacher),
            ["student"] = Model(result.StudentParameters, result.StudentBytes, result.StudentLatencyMs, outcome.Student, result.Test?.Student),
            ["agreement"] = new JsonObject { ["validation"] = outcome.Agreement, ["test"] = result.Test?.Agreement },
            ["compressionRatio"] = result.StudentParameters > 0 ? (double)result.TeacherParameters / result.StudentParameters : null,
            ["speedup"] = result.Speedup,
            ["artifactUri"] = Outputs.OutputLayout.VersionUri(job.Spec.Output.Uri, result.Version),
            ["version"] = result.Version,
            ["promotion"] = Promotion(result),
            ["finetunedTeacher"] = result.FinetunedTeacherFolder is null ? null : JobRunner.FinetunedTeacherFolder,
            ["teacherCache"] = result.TeacherCache is { } cache ? new JsonObject { ["key"] = cache.Key, ["reused"] = cache.Reused } : null,
        };
    }

    // The gate's decision, taken before the version was written: "promote" or "keep" (keep the promoted student). Whether
    // the switch then happened is what current says.
    private static JsonObject Promotion(RunResult result) => new()
    {
        ["decision"] = result.Gate is { Met: false } ? "keep" : "promote",
        ["reason"] = result.Gate?.Reason ?? "NoQualityGate",
        ["message"] = result.Gate?.Message ?? "no qualityGate: a finished run is promoted",
        ["baseline"] = result.Baseline is { } baseline ? new JsonObject { ["version"] = baseline.Version, ["accuracy"] = baseline.Accuracy } : null,
    };

    /// <summary>The status.result the operator shows, from a finished run.</summary>
    public static JobResult ToJobResult(DistillationJob job, RunResult result)
    {
        ArgumentNullException.ThrowIfNull(job);
        ArgumentNullException.ThrowIfNull(result);
        return new JobResult
        {
            TeacherAccuracy = result.Outcome.Teacher?.Accuracy,
            StudentAccuracy = result.Outcome.Student?.Accuracy,
            StudentF1 = result.Outcome.Student?.MacroF1,
            Agreement = result.Outcome.Agreement,
            TeacherParameters = result.TeacherParameters,
            StudentParameters = result.StudentParameters,
            CompressionRatio = result.StudentParameters > 0 ? (double)result.TeacherParameters / result.StudentParameters : null,
            Speedup = result.Speedup,
            ArtifactUri = Outputs.OutputLayout.VersionUri(job.Spec.Output.Uri, result.Version),
            Version = result.Version,
            Promoted = result.Promoted,
            PromotionReason = result.Promoted ? "Promoted" : result.Gate?.Reason,
            PromotionMessage = result.Gate?.Message ?? "no qualityGate: a finished run is promoted",
            BaselineVersion = result.Baseline?.Version,
            BaselineAccuracy = result.Baseline?.Accuracy,
            PromotedVersion = result.PromotedVersion,
        };
    }
}
