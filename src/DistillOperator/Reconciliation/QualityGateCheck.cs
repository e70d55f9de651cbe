using System.Globalization;
using DistillOperator.Api.V1Alpha1;

namespace DistillOperator.Reconciliation;

/// <summary>Checks a finished run's result against spec.qualityGate. Pure: no I/O.</summary>
public static class QualityGateCheck
{
    /// <summary>
    /// Null when the job has no gate; otherwise whether the result meets every bound, with a message naming each
    /// bound and the measured value (a missing result fails the gate: it cannot be shown to pass).
    /// </summary>
    public static (bool Met, string Message)? Evaluate(QualityGate? gate, JobResult? result)
    {
        if (gate is null || (gate.MinStudentAccuracy is null && gate.MinAgreement is null && gate.MaxAccuracyDrop is null))
        {
            return null;
        }

        if (result is null)
        {
            return (false, "the trainer reported no result to check the quality gate against");
        }

        var failures = new List<string>();
        var passes = new List<string>();
        void Check(string what, double? measured, double? bound, bool atLeast)
        {
            if (bound is not { } limit)
            {
                return;
            }

            var text = measured is { } m
                ? string.Create(CultureInfo.InvariantCulture, $"{what} {m:0.####} {(atLeast ? ">=" : "<=")} {limit:0.####}")
                : $"{what} was not reported";
            var ok = measured is { } value && (atLeast ? value >= limit : value <= limit);
            (ok ? passes : failures).Add(ok ? text : text.Replace(atLeast ? ">=" : "<=", atLeast ? "is below" : "is above", StringComparison.Ordinal));
        }

        Check("student accuracy", result.StudentAccuracy, gate.MinStudentAccuracy, atLeast: true);
        Check("agreement", result.Agreement, gate.MinAgreement, atLeast: true);
        Check("accuracy drop", result.TeacherAccuracy - result.StudentAccuracy, gate.MaxAccuracyDrop, atLeast: false);
        return failures.Count == 0
            ? (true, string.Join("; ", passes))
            : (false, string.Join("; ", failures));
    }
}
