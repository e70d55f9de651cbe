using System.Text;
using DistillOperator.Api.V1Alpha1;
using static System.FormattableString;

namespace DistillOperator.Bench.Quality;

/// <summary>The saved cells as Markdown tables (one per schedule), with the paper's claim checked at our scale.</summary>
internal static class QualityTable
{
    /// <summary>Renders the table; cells of other teachers than <paramref name="teacher"/> are left out and counted.</summary>
    public static string Render(TeacherRecord teacher, IReadOnlyList<CellRecord> cells, IReadOnlyList<DistillationStrategy> strategies)
    {
        var text = new StringBuilder();
        var current = cells.Where(c => c.SameRecipe(teacher)).ToList();
        var examples = teacher.TrainExamples;
        text.AppendLine(Invariant($"Teacher: all-MiniLM-L6-v2 fine-tuned on {teacher.TrainExamples:N0} SST-2 examples for {teacher.Epochs} epoch(s) at {teacher.LearningRate:G2} ({teacher.Steps:N0} steps; its job, with a 1-layer by-product student and the evaluations, took {teacher.Seconds / 60:F1} min): dev {Percent(teacher.DevAccuracy)}, test {Percent(teacher.TestAccuracy)}; {teacher.Parameters / 1e6:F1} M parameters ({teacher.EncoderParameters / 1e6:F1} M outside the embeddings). Students: {QualityCell.StudentLayers} layers initialised from teacher layers 2, 4, 6{(QualityCell.FreezeEmbeddings ? " with the embedding tables kept frozen" : "")}, trained on {examples:N0} examples, batch 32, peak learning rate {QualityCell.StudentLearningRate:G2}; accuracy in % as mean ± sample std over seeds."));
        if (teacher.EarlierBuilds is { Count: > 0 } earlier)
        {
            // Fresh checkouts fine-tune the teacher again from the same recipe; on another CPU the weights may differ.
            var builds = earlier.Select(b => Invariant($"dev {Percent(b.DevAccuracy)}, test {Percent(b.TestAccuracy)}")).Append(Invariant($"dev {Percent(teacher.DevAccuracy)}, test {Percent(teacher.TestAccuracy)}"));
            var used = current.Select(c => c.TeacherWeights).Distinct().Count();
            text.AppendLine(Invariant($"The teacher was fine-tuned {earlier.Count + 1} times from this recipe (fresh checkouts, on CPUs whose arithmetic gave other weights): {string.Join("; ", builds)}. The cells come from {used} of these builds."));
        }

        if (current.Count < cells.Count)
        {
            text.AppendLine(Invariant($"({cells.Count - current.Count} saved cell(s) were distilled from another teacher, on other data or with another student recipe and are left out; they run again.)"));
        }

        foreach (var schedule in Enum.GetValues<QualitySchedule>())
        {
            var rows = strategies.Select(s => (Strategy: s, Cells: Of(current, schedule, s))).Where(r => r.Cells.Count > 0).ToList();
            if (rows.Count == 0)
            {
                continue;
            }

            text.AppendLine();
            text.AppendLine(schedule == QualitySchedule.Natural
                ? "**Natural schedules** (one epoch per stage):"
                : "**Equal total steps** (every strategy gets the epochs progressive and stacked take; those two are the same runs as above):");
            text.AppendLine();
            text.AppendLine("| model | epochs | steps | dev accuracy | test accuracy | agreement (dev / test) | parameters (outside embeddings) | speed-up | minutes per run | seeds |");
            text.AppendLine("| --- | --- | --- | --- | --- | --- | --- | --- | --- | --- |");
            text.AppendLine(Invariant($"| teacher (6 layers) | {teacher.Epochs} | {teacher.Steps:N0} | {Percent(teacher.DevAccuracy)} | {Percent(teacher.TestAccuracy)} | | {teacher.Parameters / 1e6:F1} M ({teacher.EncoderParameters / 1e6:F1} M) | 1.00× | | |"));
            foreach (var (strategy, group) in rows)
            {
                var first = group[0];
                text.AppendLine(Invariant($"| {QualityCell.StrategyName(strategy)} | {first.Epochs} | {group.Average(c => c.Steps):N0} | {MeanStd(group.Select(c => c.DevAccuracy))} | {MeanStd(group.Select(c => c.TestAccuracy))} | {Percent(group.Average(c => c.DevAgreement))} / {Percent(group.Average(c => c.TestAgreement))} | {first.Parameters / 1e6:F1} M ({first.EncoderParameters / 1e6:F1} M) | {group.Average(c => c.Speedup):F2}× | {Minutes(group)} | {string.Join(", ", group.Select(c => c.Seed))} |"));
            }

            text.AppendLine();
            text.AppendLine(Claim(teacher, current, schedule));
        }

        return text.ToString();
    }

    // The paper's claim at our scale: stacked or progressive within 2 points of the teacher and 0.5 points above soft.
    private static string Claim(TeacherRecord teacher, IReadOnlyList<CellRecord> cells, QualitySchedule schedule)
    {
        var internalRows = new[] { DistillationStrategy.Stacked, DistillationStrategy.Progressive }
            .Select(s => (Strategy: s, Cells: Of(cells, schedule, s)))
            .Where(r => r.Cells.Count > 0)
            .ToList();
        var soft = Of(cells, schedule, DistillationStrategy.Soft);
        if (internalRows.Count == 0 || soft.Count == 0)
        {
            return "Claim: needs soft and stacked or progressive cells.";
        }

        // Compared on the seeds both sides have, so a seed one side lacks does not tilt the means.
        var (bestStrategy, best) = internalRows.MaxBy(r => r.Cells.Average(c => c.DevAccuracy));
        var seeds = best.Select(c => c.Seed).Intersect(soft.Select(c => c.Seed)).ToHashSet();
        if (seeds.Count == 0)
        {
            return "Claim: needs soft and stacked or progressive cells of the same seed.";
        }

        var bestDev = best.Where(c => seeds.Contains(c.Seed)).Average(c => c.DevAccuracy);
        var gap = (teacher.DevAccuracy - bestDev) * 100;
        var aboveSoft = (bestDev - soft.Where(c => seeds.Contains(c.Seed)).Average(c => c.DevAccuracy)) * 100;
        return Invariant($"Claim (seeds {string.Join(", ", seeds.Order())}): {QualityCell.StrategyName(bestStrategy)} is {Math.Abs(gap):F2} points {(gap >= 0 ? "below" : "above")} the teacher on dev (target ≤ 2: {(gap <= 2 ? "met" : "missed")}) and {aboveSoft:+0.00;-0.00} points from soft (target ≥ +0.5: {(aboveSoft >= 0.5 ? "met" : "missed")}).");
    }

    private static List<CellRecord> Of(IEnumerable<CellRecord> cells, QualitySchedule schedule, DistillationStrategy strategy)
    {
        // Progressive and stacked take the same steps under both schedules: their natural cells stand for both.
        var source = strategy is DistillationStrategy.Progressive or DistillationStrategy.Stacked ? QualitySchedule.Natural : schedule;
        return [.. cells.Where(c => c.Schedule == QualityCell.ScheduleName(source) && c.Strategy == QualityCell.StrategyName(strategy)).OrderBy(c => c.Seed)];
    }

    // Wall-clock minutes of the cells that ran in one go (a resumed cell's time covers only its last part).
    private static string Minutes(IReadOnlyList<CellRecord> group) =>
        group.Where(c => c.ResumedFromStep is null).Select(c => c.Seconds / 60).DefaultIfEmpty(double.NaN).Average() is var minutes && double.IsNaN(minutes) ? "resumed" : Invariant($"{minutes:F1}");

    private static string MeanStd(IEnumerable<double> values)
    {
        var list = values.Select(v => v * 100).ToList();
        var mean = list.Average();
        if (list.Count < 2)
        {
            return Invariant($"{mean:F2}");
        }

        var std = Math.Sqrt(list.Sum(v => (v - mean) * (v - mean)) / (list.Count - 1));
        return Invariant($"{mean:F2} ± {std:F2}");
    }

    private static string Percent(double value) => Invariant($"{value * 100:F2}");
}
