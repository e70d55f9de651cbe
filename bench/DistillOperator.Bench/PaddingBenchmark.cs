using System.Diagnostics;
using System.Globalization;
using DistillOperator.Api.V1Alpha1;
using DistillOperator.Training;
using DistillOperator.Training.Data;
using DistillOperator.Training.Distillation;
using DistillOperator.Training.Models;
using DistillOperator.Training.Text;
using TorchSharp;

namespace DistillOperator.Bench;

/// <summary>
/// Student-training samples per second on SST-2 with the trainer's batching (length bucketing, each batch padded to
/// its longest example) vs a fixed-length pipeline (every example padded to 64 tokens, batches in random order), and
/// dynamic padding without bucketing in between, in one run. Same models and schedule as teacher-cache (cache on).
/// </summary>
internal static class PaddingBenchmark
{
    private const int FixedLength = 64;

    public static int Run(string[] args, TextWriter output)
    {
        var data = Sst2Sample.DefaultPath;
        var examples = 4096;
        for (var i = 0; i + 1 < args.Length; i += 2)
        {
            switch (args[i])
            {
                case "--data": data = args[i + 1]; break;
                case "--examples": examples = int.Parse(args[i + 1], CultureInfo.InvariantCulture); break;
                default: throw new ArgumentException($"unknown option {args[i]}");
            }
        }

        if (Sst2Sample.Load(data, examples, FixedLength) is not { } sample)
        {
            return 2;
        }

        var (tokenizer, train) = sample;
        var mean = train.Average(e => e.Ids.Length);
        // The fixed-length pipeline's tensors: every example as 64 positions (the padding counted as input, as a
        // pipeline without masks would; the work per batch is what is measured).
        var padded = train.Select(e => e with { Ids = [.. e.Ids, .. Enumerable.Repeat(tokenizer.PadId, FixedLength - e.Ids.Length)], TypeIds = [.. e.TypeIds, .. new int[FixedLength - e.TypeIds.Length]] }).ToList();
        output.WriteLine(string.Create(CultureInfo.InvariantCulture, $"padding: {train.Count} SST-2 examples (mean {mean:F1} tokens, max {FixedLength}), 1 internal epoch + 1 classification epoch, batch 32; {TorchRuntime.Describe()}, {Environment.ProcessorCount} cores"));

        double Measure(string name, List<EncodedExample> set, bool bucketing)
        {
            var (teacher, student) = sample.Models();
            using var disposeTeacher = teacher;
            using var disposeStudent = student;
            var spec = new DistillationJobSpec
            {
                Distillation = new DistillationSpec { Strategy = DistillationStrategy.AllLayers, TeacherCache = true, TeacherCacheMemoryMiB = 4096 },
                Training = new TrainingSpec { BatchSize = 32, EpochsPerStage = 1, ClassificationEpochs = 1, CheckpointEverySteps = 0, EvalEverySteps = 0, LengthBucketing = bucketing },
            };
            var watch = Stopwatch.StartNew();
            new DistillationTrainer(new TrainerSetup { Spec = spec, Teacher = teacher, Student = student, Train = set, PadId = tokenizer.PadId }).Run();
            var rate = set.Count * 2.0 / watch.Elapsed.TotalSeconds;
            output.WriteLine(string.Create(CultureInfo.InvariantCulture, $"  {name,-34} {rate,8:F1} samples/s ({watch.Elapsed.TotalSeconds:F1} s)"));
            return rate;
        }

        var bucketed = Measure("bucketing + dynamic padding", train, bucketing: true);
        var dynamic = Measure("dynamic padding, random batches", train, bucketing: false);
        var fixedRate = Measure($"fixed padding to {FixedLength}", padded, bucketing: false);
        output.WriteLine(string.Create(CultureInfo.InvariantCulture, $"  ratio bucketing / fixed {FixedLength}: {bucketed / fixedRate:F2}x; dynamic without bucketing / fixed: {dynamic / fixedRate:F2}x"));
        return 0;
    }
}
