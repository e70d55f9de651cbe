using System.Globalization;
using DistillOperator.Api.V1Alpha1;

namespace DistillOperator.Bench.Quality;

/// <summary>What the quality table runs: which cells, on how much data, and where it keeps results and models.</summary>
internal sealed record QualityOptions
{
    /// <summary>Training examples of the --quick run.</summary>
    public const int QuickTrainExamples = 4000;

    /// <summary>The folder with SST-2's train.tsv, dev.tsv and test.tsv.</summary>
    public string Data { get; init; } = "../shared/data/sst2";

    /// <summary>Where each finished cell is saved as JSON (small; committed), and the table.</summary>
    public string Results { get; init; } = "bench/results/quality";

    /// <summary>Where models, checkpoints and the teacher cache go (large; not committed).</summary>
    public string Work { get; init; } = ".out/quality";

    /// <summary>Training examples to use (the first ones of train.tsv); null for all of them.</summary>
    public int? TrainExamples { get; init; }

    /// <summary>Student seeds.</summary>
    public IReadOnlyList<int> Seeds { get; init; } = [1, 2, 3];

    /// <summary>Strategies to run.</summary>
    public IReadOnlyList<DistillationStrategy> Strategies { get; init; } = Enum.GetValues<DistillationStrategy>();

    /// <summary>Schedules to run.</summary>
    public IReadOnlyList<QualitySchedule> Schedules { get; init; } = Enum.GetValues<QualitySchedule>();

    /// <summary>Only print the table of the saved cells; train nothing.</summary>
    public bool TableOnly { get; init; }

    /// <summary>Epochs of the teacher's fine-tuning (the table's recipe: 1).</summary>
    public int TeacherEpochs { get; init; } = 1;

    /// <summary>Peak learning rate of the teacher's fine-tuning (the table's recipe: 5e-5).</summary>
    public double TeacherLearningRate { get; init; } = 5e-5;

    /// <summary>Reads the command line; throws <see cref="ArgumentException"/> naming the bad option.</summary>
    public static QualityOptions Parse(IReadOnlyList<string> args)
    {
        var options = new QualityOptions();
        var (explicitResults, explicitWork) = (false, false);
        var quick = false;
        for (var i = 0; i < args.Count; i++)
        {
            string Value() => i + 1 < args.Count ? args[++i] : throw new ArgumentException($"{args[i]}: needs a value");
            switch (args[i])
            {
                case "--quick": quick = true; break;
                case "--table-only": options = options with { TableOnly = true }; break;
                case "--data": options = options with { Data = Value() }; break;
                case "--results": options = options with { Results = Value() }; explicitResults = true; break;
                case "--work": options = options with { Work = Value() }; explicitWork = true; break;
                case "--train-examples": options = options with { TrainExamples = Positive("--train-examples", Value()) }; break;
                case "--seeds": options = options with { Seeds = [.. Value().Split(',').Select(s => Positive("--seeds", s))] }; break;
                case "--strategies": options = options with { Strategies = [.. Value().Split(',').Select(Strategy)] }; break;
                case "--schedules": options = options with { Schedules = [.. Value().Split(',').Select(Schedule)] }; break;
                case "--teacher-epochs": options = options with { TeacherEpochs = Positive("--teacher-epochs", Value()) }; break;
                case "--teacher-learning-rate": options = options with { TeacherLearningRate = PositiveRate(Value()) }; break;
                default: throw new ArgumentException($"{args[i]}: unknown option");
            }
        }

        if (quick)
        {
            // A subsample, one seed, in folders of its own so its teacher and cells never mix with the full table's.
            options = options with
            {
                TrainExamples = options.TrainExamples ?? QuickTrainExamples,
                Seeds = args.Contains("--seeds") ? options.Seeds : [1],
                Results = explicitResults ? options.Results : options.Results + "-quick",
                Work = explicitWork ? options.Work : options.Work + "-quick",
            };
        }

        return options;
    }

    private static int Positive(string option, string text) =>
        int.TryParse(text, NumberStyles.None, CultureInfo.InvariantCulture, out var value) && value > 0
            ? value
            : throw new ArgumentException($"{option}: expected a positive whole number, got '{text}'");

    private static double PositiveRate(string text) =>
        double.TryParse(text, NumberStyles.Float, CultureInfo.InvariantCulture, out var value) && value > 0 && value < 1
            ? value
            : throw new ArgumentException($"--teacher-learning-rate: expected a number between 0 and 1, got '{text}'");

    private static DistillationStrategy Strategy(string text) =>
        Enum.GetValues<DistillationStrategy>().FirstOrDefault(s => QualityCell.StrategyName(s) == text, (DistillationStrategy)(-1)) is var strategy && Enum.IsDefined(strategy)
            ? strategy
            : throw new ArgumentException($"--strategies: unknown strategy '{text}'; expected {string.Join(", ", Enum.GetValues<DistillationStrategy>().Select(QualityCell.StrategyName))}");

    private static QualitySchedule Schedule(string text) =>
        Enum.GetValues<QualitySchedule>().FirstOrDefault(s => QualityCell.ScheduleName(s) == text, (QualitySchedule)(-1)) is var schedule && Enum.IsDefined(schedule)
            ? schedule
            : throw new ArgumentException($"--schedules: unknown schedule '{text}'; expected {string.Join(", ", Enum.GetValues<QualitySchedule>().Select(QualityCell.ScheduleName))}");
}
