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
/// Samples per second of student training on SST-2 with and without the teacher cache, and their ratio, in one run.
/// Teacher: the shape of all-MiniLM-L6-v2 (6 layers, 384 wide, 12 heads); student: 3 layers of the same width.
/// Strategy all-layers (every internal loss, then soft labels), so both the attention and the [CLS] paths are used.
/// </summary>
internal static class TeacherCacheBenchmark
{
    public static int Run(string[] args, TextWriter output)
    {
        var data = Sst2Sample.DefaultPath;
        var examples = 4096;
        var epochs = 2;
        for (var i = 0; i + 1 < args.Length; i += 2)
        {
            switch (args[i])
            {
                case "--data": data = args[i + 1]; break;
                case "--examples": examples = int.Parse(args[i + 1], CultureInfo.InvariantCulture); break;
                case "--epochs": epochs = int.Parse(args[i + 1], CultureInfo.InvariantCulture); break;
                default: throw new ArgumentException($"unknown option {args[i]}");
            }
        }

        if (Sst2Sample.Load(data, examples, 64) is not { } sample)
        {
            return 2;
        }

        var (tokenizer, train) = sample;
        output.WriteLine($"teacher-cache: {train.Count} SST-2 examples, {epochs} internal epochs + 1 classification epoch, batch 32; {TorchRuntime.Describe()}, {Environment.ProcessorCount} cores");

        double Measure(bool cache)
        {
            var (teacher, student) = sample.Models();
            using var disposeTeacher = teacher;
            using var disposeStudent = student;
            var jobSpec = new DistillationJobSpec
            {
                Distillation = new DistillationSpec { Strategy = DistillationStrategy.AllLayers, TeacherCache = cache, TeacherCacheMemoryMiB = 4096 },
                Training = new TrainingSpec { BatchSize = 32, EpochsPerStage = epochs, ClassificationEpochs = 1, CheckpointEverySteps = 0, EvalEverySteps = 0 },
            };
            var trainer = new DistillationTrainer(new TrainerSetup { Spec = jobSpec, Teacher = teacher, Student = student, Train = train, PadId = tokenizer.PadId });
            var watch = Stopwatch.StartNew();
            trainer.Run();
            var seconds = watch.Elapsed.TotalSeconds;
            var samples = (double)train.Count * (epochs + 1);
            output.WriteLine(string.Create(CultureInfo.InvariantCulture, $"  cache {(cache ? "on " : "off")}: {samples / seconds,8:F1} samples/s ({seconds:F1} s; teacher forwards {trainer.TeacherExamplesForwarded})"));
            return samples / seconds;
        }

        var without = Measure(cache: false);
        var with = Measure(cache: true);
        output.WriteLine(string.Create(CultureInfo.InvariantCulture, $"  ratio (cache on / off): {with / without:F2}x"));
        return 0;
    }
}
