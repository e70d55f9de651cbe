using DistillOperator.Api.V1Alpha1;
using DistillOperator.Training.Runs;
using k8s.Models;

namespace DistillOperator.Bench.Quality;

/// <summary>How many epochs each strategy gets.</summary>
internal enum QualitySchedule
{
    /// <summary>Each strategy's own schedule: one epoch per stage (none and soft 1, all-layers 2, progressive and stacked 4).</summary>
    Natural,

    /// <summary>Every strategy gets the epochs progressive and stacked take (student layers + 1), so all see the same number of steps.</summary>
    EqualSteps,
}

/// <summary>One cell of the table: a strategy, a schedule and a seed, and the DistillationJob that trains it.</summary>
internal sealed record QualityCell(QualitySchedule Schedule, DistillationStrategy Strategy, int Seed)
{
    /// <summary>Layers of every student (teacher all-MiniLM-L6-v2 has 6; uniform mapping gives teacher layers 2, 4, 6).</summary>
    public const int StudentLayers = 3;

    /// <summary>Peak learning rate of the students (10% warmup, then linear decay, per stage).</summary>
    public const double StudentLearningRate = 5e-5;

    /// <summary>
    /// Students keep the embedding tables copied from the teacher: the 30,522-piece table is 11.7 M of a 3-layer
    /// student's 17.4 M parameters, and training it made each step about three times slower on these CPUs.
    /// </summary>
    public const bool FreezeEmbeddings = true;

    /// <summary>The file name of the cell's saved result, e.g. <c>natural-stacked-seed1</c>.</summary>
    public string Key => $"{ScheduleName(Schedule)}-{StrategyName(Strategy)}-seed{Seed}";

    /// <summary>Epochs of each internal stage.</summary>
    public int EpochsPerStage => Schedule == QualitySchedule.EqualSteps && Strategy == DistillationStrategy.AllLayers ? StudentLayers : 1;

    /// <summary>Epochs of the final classification stage.</summary>
    public int ClassificationEpochs => Schedule == QualitySchedule.EqualSteps && Strategy is DistillationStrategy.None or DistillationStrategy.Soft ? StudentLayers + 1 : 1;

    /// <summary>Epochs over the training set in all.</summary>
    public int TotalEpochs => ClassificationEpochs + Strategy switch
    {
        DistillationStrategy.AllLayers => EpochsPerStage,
        DistillationStrategy.Progressive or DistillationStrategy.Stacked => StudentLayers * EpochsPerStage,
        _ => 0,
    };

    /// <summary>
    /// The cells to run, in the order they are run: every seed of the natural schedules first (the headline comparison),
    /// then the equal-steps ones. Progressive and stacked take the same steps under both schedules, so they run once.
    /// </summary>
    public static IEnumerable<QualityCell> All(QualityOptions options) =>
        from schedule in options.Schedules.Order()
        from seed in options.Seeds
        from strategy in options.Strategies
        where schedule == QualitySchedule.Natural || strategy is not (DistillationStrategy.Progressive or DistillationStrategy.Stacked)
        select new QualityCell(schedule, strategy, seed);

    /// <summary>The job that trains this cell's student from the fine-tuned teacher.</summary>
    public DistillationJob Job(QualityPaths paths, string teacherWeights) => new()
    {
        Metadata = new V1ObjectMeta { Name = Key },
        Spec = new DistillationJobSpec
        {
            Teacher = new TeacherSpec { Model = new ModelSource { Uri = paths.FileUri(paths.FinetunedTeacher), Format = ModelFormat.HuggingFace } },
            Student = new StudentSpec { Architecture = new ArchitectureSpec { Layers = StudentLayers }, InitFrom = StudentInit.Teacher, FreezeEmbeddings = FreezeEmbeddings },
            Data = paths.Data(),
            Distillation = new DistillationSpec
            {
                Strategy = Strategy,
                // The baseline learns from the labels; every distilled student from the teacher's soft labels alone (the paper's setup).
                HardLabelWeight = Strategy == DistillationStrategy.None ? 1 : 0,
                SoftLabelWeight = 1,
                TeacherCacheMemoryMiB = 8192,
            },
            Training = Training(Seed, EpochsPerStage, ClassificationEpochs, StudentLearningRate),
            Output = new OutputSpec { Uri = paths.FileUri(paths.CellOutput(this, teacherWeights)) },
        },
    };

    /// <summary>The training settings every job of the table shares.</summary>
    public static TrainingSpec Training(int seed, int epochsPerStage, int classificationEpochs, double learningRate) => new()
    {
        Seed = seed,
        BatchSize = 32,
        LearningRate = learningRate,
        EpochsPerStage = epochsPerStage,
        ClassificationEpochs = classificationEpochs,
        CheckpointEverySteps = 1000,
        EvalEverySteps = 0,
    };

    /// <summary>The schedule's name on the command line and in keys.</summary>
    public static string ScheduleName(QualitySchedule schedule) => schedule == QualitySchedule.Natural ? "natural" : "equal-steps";

    /// <summary>The strategy's name in the API.</summary>
    public static string StrategyName(DistillationStrategy strategy) => OpenApiNames.Of(strategy);
}
