using System.Globalization;
using System.Text;
using DistillOperator.Api.V1Alpha1;
using DistillOperator.Training.Evaluation;

namespace DistillOperator.Training.Runs;

/// <summary>README.md beside the exported student: a Markdown model card that says what it is and how good it is.</summary>
public static class ModelCard
{
    /// <summary>The card's file name (Hugging Face shows README.md as the model card).</summary>
    public const string FileName = "README.md";

    /// <summary>The card's text.</summary>
    public static string Write(DistillationJob job, RunResult result)
    {
        ArgumentNullException.ThrowIfNull(job);
        ArgumentNullException.ThrowIfNull(result);
        var spec = job.Spec;
        var outcome = result.Outcome;
        static string Percent(double? value) => value is { } v ? (v * 100).ToString("F2", CultureInfo.InvariantCulture) + "%" : "–";
        static string Number(double? value, string format) => value is { } v ? v.ToString(format, CultureInfo.InvariantCulture) : "–";
        string Row(string what, string teacher, string student) => $"| {what} | {teacher} | {student} |";

        var card = new StringBuilder();
        card.AppendLine(CultureInfo.InvariantCulture, $"# {job.Metadata?.Name ?? "student"}: a distilled BERT classifier");
        card.AppendLine();
        card.AppendLine(CultureInfo.InvariantCulture, $"Distilled with DistillOperator, strategy `{OpenApiNames.Of(spec.Distillation.Strategy)}` (Aguilar et al., *Knowledge Distillation from Internal Representations*, AAAI 2020), from a {result.TeacherParameters:N0}-parameter teacher into a {result.StudentParameters:N0}-parameter student, in {outcome.Steps:N0} optimizer steps.");
        card.AppendLine();
        card.AppendLine(CultureInfo.InvariantCulture, $"Classes, in index order: {string.Join(", ", result.Labels.Select(l => $"`{l}`"))}.");
        card.AppendLine();
        card.AppendLine("| | teacher | student |");
        card.AppendLine("| --- | --- | --- |");
        card.AppendLine(Row("validation accuracy", Percent(outcome.Teacher?.Accuracy), Percent(outcome.Student?.Accuracy)));
        card.AppendLine(Row("validation macro F1", Number(outcome.Teacher?.MacroF1, "F4"), Number(outcome.Student?.MacroF1, "F4")));
        card.AppendLine(Row("validation Matthews correlation", Number(outcome.Teacher?.MatthewsCorrelation, "F4"), Number(outcome.Student?.MatthewsCorrelation, "F4")));
        if (result.Test is { } test)
        {
            card.AppendLine(Row("test accuracy", Percent(test.Teacher.Accuracy), Percent(test.Student.Accuracy)));
        }

        card.AppendLine(Row("parameters", result.TeacherParameters.ToString("N0", CultureInfo.InvariantCulture), result.StudentParameters.ToString("N0", CultureInfo.InvariantCulture)));
        card.AppendLine(Row("weights on disk", Bytes(result.TeacherBytes), Bytes(result.StudentBytes)));
        card.AppendLine(Row("latency per example (CPU, median)", Number(result.TeacherLatencyMs, "F3") + " ms", Number(result.StudentLatencyMs, "F3") + " ms"));
        card.AppendLine();
        card.AppendLine(CultureInfo.InvariantCulture, $"Student–teacher agreement on the validation set: {Percent(outcome.Agreement)}. Compression {Number(result.StudentParameters > 0 ? (double)result.TeacherParameters / result.StudentParameters : null, "F2")}×, measured speed-up {Number(result.Speedup, "F2")}×.");
        card.AppendLine();
        card.AppendLine("## Use");
        card.AppendLine();
        card.AppendLine("The folder is a Hugging Face `BertForSequenceClassification` checkpoint (`config.json`, `model.safetensors`, `vocab.txt`). With DistillOperator: `distill predict --model DIR \"some text\"`.");
        card.AppendLine();
        card.AppendLine("## Training");
        card.AppendLine();
        card.AppendLine(CultureInfo.InvariantCulture, $"Data: `{spec.Data.Train.Uri}` (validation `{spec.Data.Validation?.Uri ?? "none"}`), max sequence length {spec.Data.MaxSequenceLength}. Temperature {spec.Distillation.Temperature.ToString(CultureInfo.InvariantCulture)}, batch size {spec.Training.BatchSize}, learning rate {spec.Training.LearningRate.ToString(CultureInfo.InvariantCulture)}, seed {spec.Training.Seed}.");
        return card.ToString();
    }

    private static string Bytes(long bytes) => bytes >= 1 << 20
        ? (bytes / (double)(1 << 20)).ToString("F1", CultureInfo.InvariantCulture) + " MiB"
        : (bytes / 1024.0).ToString("F1", CultureInfo.InvariantCulture) + " KiB";
}
