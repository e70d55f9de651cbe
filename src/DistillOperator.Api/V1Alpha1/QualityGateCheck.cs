using System.Globalization;

namespace DistillOperator.Api.V1Alpha1;

/// <summary>
/// Checks a finished run's result against spec.qualityGate. Pure: no I/O. The trainer checks it before it promotes a
/// student; the operator checks it again for a result that carries no promotion decision.
/// </summary>
public static class QualityGateCheck
{
    /// <summary>The gate passed: the student may be promoted.</summary>
    public const string Passed = "QualityTargetReached";

    /// <summary>A bound on the student's own figures was missed.</summary>
    public const string NotMet = "QualityTargetNotMet";

    /// <summary>The student is worse than the promoted one by more than qualityGate.maxRegression.</summary>
    public const string Regressed = "RegressionFromPromoted";

    /// <summary>
    /// Null when the job has no gate; otherwise whether the result meets every bound, why (<see cref="Passed"/>,
    /// <see cref="NotMet"/> or <see cref="Regressed"/>) and a message naming each bound and the measured value. A
    /// missing result fails the gate: it cannot be shown to pass. maxRegression is checked against
    /// <see cref="JobResult.BaselineAccuracy"/>; with no baseline (nothing promoted yet) it has nothing to regress from.
    /// </summary>
    public static GateVerdict? Evaluate(QualityGate? gate, JobResult? result)
    {
        if (gate is null || (gate.MinStudentAccuracy is null && gate.MinAgreement is null && gate.MaxAccuracyDrop is null && gate.MaxRegression is null))
        {
            return null;
        }

        if (result is null)
        {
            return new GateVerdict(false, NotMet, "the trainer reported no result to check the quality gate against");
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
        if (failures.Count > 0)
        {
            return new GateVerdict(false, NotMet, string.Join("; ", failures));
        }

        if (gate.MaxRegression is { } tolerance)
        {
            if (result.BaselineAccuracy is not { } baseline)
            {
                passes.Add("nothing promoted yet to compare with");
            }
            else
            {
                var against = result.BaselineVersion is { } version ? $"promoted version {version}" : "the promoted student";
                var text = string.Create(CultureInfo.InvariantCulture, $"student accuracy {result.StudentAccuracy:0.####} vs {baseline:0.####} of {against} (maxRegression {tolerance:0.####})");
                if (result.StudentAccuracy is not { } accuracy || accuracy < baseline - tolerance - 1e-12)
                {
                    return new GateVerdict(false, Regressed, text);
                }

                passes.Add(text);
            }
        }

        return new GateVerdict(true, Passed, string.Join("; ", passes));
    }
}

/// <summary>The outcome of a quality gate.</summary>
/// <param name="Met">Whether every bound was met.</param>
/// <param name="Reason">A condition reason: <see cref="QualityGateCheck.Passed"/>, <see cref="QualityGateCheck.NotMet"/> or <see cref="QualityGateCheck.Regressed"/>.</param>
/// <param name="Message">Each bound with its measured value.</param>
public sealed record GateVerdict(bool Met, string Reason, string Message);
