using System.Globalization;
using DistillOperator.Training.Evaluation;
using DistillOperator.Training.Runs;
using Spectre.Console;

namespace DistillOperator.Cli.Commands;

/// <summary>The teacher and the student side by side.</summary>
internal static class ResultTable
{
    public static Table For(RunResult result)
    {
        static string Percent(double? v) => v is { } x ? x.ToString("P2", CultureInfo.InvariantCulture) : "–";
        static string Number(double? v, string format) => v is { } x ? x.ToString(format, CultureInfo.InvariantCulture) : "–";
        static string Size(long bytes) => (bytes / (double)(1 << 20)).ToString("F2", CultureInfo.InvariantCulture) + " MiB";
        var outcome = result.Outcome;
        var table = new Table().Title("teacher vs student (validation set)").AddColumn("").AddColumn("teacher", c => c.RightAligned()).AddColumn("student", c => c.RightAligned());
        void Row(string what, string teacher, string student) => table.AddRow(Markup.Escape(what), Markup.Escape(teacher), Markup.Escape(student));
        Row("accuracy", Percent(outcome.Teacher?.Accuracy), Percent(outcome.Student?.Accuracy));
        Row("macro F1", Number(outcome.Teacher?.MacroF1, "F4"), Number(outcome.Student?.MacroF1, "F4"));
        Row("Matthews corr.", Number(outcome.Teacher?.MatthewsCorrelation, "F4"), Number(outcome.Student?.MatthewsCorrelation, "F4"));
        Row("agreement", "", Percent(outcome.Agreement));
        if (result.Test is { } test)
        {
            Row("test accuracy", Percent(test.Teacher.Accuracy), Percent(test.Student.Accuracy));
        }

        Row("parameters", result.TeacherParameters.ToString("N0", CultureInfo.InvariantCulture), result.StudentParameters.ToString("N0", CultureInfo.InvariantCulture));
        Row("size on disk", Size(result.TeacherBytes), Size(result.StudentBytes));
        Row("latency / example", Number(result.TeacherLatencyMs, "F3") + " ms", Number(result.StudentLatencyMs, "F3") + " ms");
        Row("speed-up", "1.00×", Number(result.Speedup, "F2") + "×");
        Row("compression", "", Number(result.StudentParameters > 0 ? (double)result.TeacherParameters / result.StudentParameters : null, "F2") + "×");
        return table;
    }
}
