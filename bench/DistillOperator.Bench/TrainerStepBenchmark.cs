using System.Diagnostics;
using System.Globalization;
using System.Text.Json;
using DistillOperator.Api.V1Alpha1;
using DistillOperator.Training;
using DistillOperator.Training.Data;
using DistillOperator.Training.Distillation;
using DistillOperator.Training.Models;
using DistillOperator.Training.Text;
using TorchSharp;
using static TorchSharp.torch;

namespace DistillOperator.Bench;

/// <summary>
/// Distillation steps per second (as samples/s) in one run: the product's trainer (strategy all-layers: one epoch of
/// attention KL + [CLS] cosine on the 3 mapped layer pairs, then one epoch of soft-label KD; live teacher, no cache),
/// a bare TorchSharp loop doing the same tensor work on the same batches, and the same two epochs in PyTorch
/// (bench/pytorch/distill_step.py, Debian python3-torch). Also the product's achieved GFLOP/s against this
/// machine's float32 matrix-multiply peak, measured here. Teacher: all-MiniLM-L6-v2's shape (6 × 384, 12 heads);
/// student: 3 layers; SST-2 sentences, batch 32, length bucketing. The product and the bare loop each run twice
/// after a warm-up (product, bare, bare, product) and their mean times are compared.
/// </summary>
internal static class TrainerStepBenchmark
{
    private const int Hidden = Sst2Sample.Hidden;
    private const int Intermediate = Sst2Sample.Intermediate;
    private static readonly int[] TeacherLayers = [2, 4, 6];

    public static int Run(string[] args, TextWriter output)
    {
        var data = Sst2Sample.DefaultPath;
        var examples = 2048;
        var python = "/usr/bin/python3";
        for (var i = 0; i + 1 < args.Length; i += 2)
        {
            switch (args[i])
            {
                case "--data": data = args[i + 1]; break;
                case "--examples": examples = int.Parse(args[i + 1], CultureInfo.InvariantCulture); break;
                case "--python": python = args[i + 1]; break;
                default: throw new ArgumentException($"unknown option {args[i]}");
            }
        }

        if (Sst2Sample.Load(data, examples, 64) is not { } sample)
        {
            return 2;
        }

        var (tokenizer, train) = sample;
        var plan = BatchPlanner.Training(train, 32, bucketing: true, seed: 42);
        output.WriteLine(string.Create(CultureInfo.InvariantCulture, $"trainer-step: {train.Count} SST-2 examples in {plan.Count} batches of 32 (mean {train.Average(e => e.Ids.Length):F1} tokens), 2 epochs; {TorchRuntime.Describe()}, {Environment.ProcessorCount} cores"));

        var peak = MatmulPeak();
        output.WriteLine(string.Create(CultureInfo.InvariantCulture, $"  float32 matmul peak (1024², TorchSharp): {peak:F1} GFLOP/s"));
        var flops = plan.Sum(b => StepFlops(b.Length, b.Max(i => train[i].Ids.Length))) * 2; // two epochs, same batches

        // Warm up first (JIT, libtorch's allocator and thread pool), then time the two in the order product, bare,
        // bare, product: whatever ran first would otherwise pay the warm-up, and a drift of the machine during the run
        // cancels out of the mean.
        Bare(sample, plan.Take(8).ToList());
        var productRuns = new List<double> { Product(sample) };
        var bareRuns = new List<double> { Bare(sample, plan), Bare(sample, plan) };
        productRuns.Add(Product(sample));
        output.WriteLine(string.Create(CultureInfo.InvariantCulture, $"  runs (s): product {productRuns[0]:F1}, bare {bareRuns[0]:F1}, bare {bareRuns[1]:F1}, product {productRuns[1]:F1}"));
        var product = productRuns.Average();
        var bare = bareRuns.Average();
        var samples = train.Count * 2.0;
        output.WriteLine(string.Create(CultureInfo.InvariantCulture, $"  product trainer:   {samples / product,8:F1} samples/s ({product:F1} s, {flops / product / 1e9:F1} GFLOP/s = {flops / product / 1e9 / peak:P0} of peak)"));
        output.WriteLine(string.Create(CultureInfo.InvariantCulture, $"  bare TorchSharp:   {samples / bare,8:F1} samples/s ({bare:F1} s)"));
        var pytorch = PyTorch(python, tokenizer, train, plan);
        if (pytorch is { } seconds)
        {
            output.WriteLine(string.Create(CultureInfo.InvariantCulture, $"  PyTorch:           {samples / seconds,8:F1} samples/s ({seconds:F1} s)"));
        }

        var versusPyTorch = pytorch is { } p ? string.Create(CultureInfo.InvariantCulture, $", product / PyTorch {p / product:F2}x") : ", PyTorch not run";
        output.WriteLine(string.Create(CultureInfo.InvariantCulture, $"  ratios: product / bare {bare / product:F2}x{versusPyTorch}"));
        return pytorch is null ? 1 : 0;
    }

    // Matrix-multiply FLOPs of one step: teacher forward (6 layers) + student forward and backward (3 layers, ×3).
    private static double StepFlops(int batch, int length)
    {
        double tokens = batch * length;
        var layer = (2 * tokens * ((4.0 * Hidden * Hidden) + (2.0 * Hidden * Intermediate))) + (4.0 * batch * length * length * Hidden);
        return (6 * layer) + (3 * 3 * layer);
    }

    private static double MatmulPeak()
    {
        using var a = randn(1024, 1024);
        using var b = randn(1024, 1024);
        for (var i = 0; i < 3; i++)
        {
            a.matmul(b).Dispose();
        }

        var watch = Stopwatch.StartNew();
        const int Repeats = 20;
        for (var i = 0; i < Repeats; i++)
        {
            a.matmul(b).Dispose();
        }

        return 2.0 * 1024 * 1024 * 1024 * Repeats / watch.Elapsed.TotalSeconds / 1e9;
    }

    private static double Product(Sst2Sample sample)
    {
        var (tokenizer, train) = sample;
        var (teacher, student) = sample.Models();
        using (teacher)
        using (student)
        {
            var spec = new DistillationJobSpec
            {
                Distillation = new DistillationSpec { Strategy = DistillationStrategy.AllLayers, TeacherCache = false },
                Training = new TrainingSpec { BatchSize = 32, EpochsPerStage = 1, ClassificationEpochs = 1, CheckpointEverySteps = 0, EvalEverySteps = 0, Seed = 42 },
            };
            var watch = Stopwatch.StartNew();
            new DistillationTrainer(new TrainerSetup { Spec = spec, Teacher = teacher, Student = student, Train = train, PadId = tokenizer.PadId }).Run();
            return watch.Elapsed.TotalSeconds;
        }
    }

    // The same tensor work with nothing around it: batches collated on the fly, the product's loss functions.
    private static double Bare(Sst2Sample sample, List<int[]> plan)
    {
        var (tokenizer, train) = sample;
        var (teacher, student) = sample.Models();
        using (teacher)
        using (student)
        {
            teacher.eval();
            student.train();
            using var optimizer = optim.AdamW(student.parameters(), lr: 5e-5);
            var teacherRequest = new ForwardRequest(TeacherLayers.ToHashSet());
            var studentRequest = new ForwardRequest(new HashSet<int> { 1, 2, 3 });
            var watch = Stopwatch.StartNew();
            foreach (var internalStage in new[] { true, false })
            {
                foreach (var indices in plan)
                {
                    using var scope = NewDisposeScope();
                    using var batch = Batch.Collate(train, indices, tokenizer.PadId);
                    BertOutputs teacherOutputs;
                    using (no_grad())
                    {
                        teacherOutputs = teacher.Forward(batch.Ids, batch.Mask, batch.Types, internalStage ? teacherRequest : ForwardRequest.LogitsOnly);
                    }

                    var studentOutputs = student.Forward(batch.Ids, batch.Mask, batch.Types, internalStage ? studentRequest : ForwardRequest.LogitsOnly);
                    var loss = internalStage
                        ? Enumerable.Range(1, 3).Select(k =>
                            DistillationLosses.AttentionKl(teacherOutputs.AttentionLogProbs[TeacherLayers[k - 1]]!, studentOutputs.AttentionLogProbs[k]!, batch.Mask)
                                .add(DistillationLosses.ClsCosine(studentOutputs.ClsStates[k], teacherOutputs.ClsStates[TeacherLayers[k - 1]]))).Aggregate((x, y) => x.add(y))
                        : DistillationLosses.SoftLabel(studentOutputs.Logits, teacherOutputs.Logits, 1.0);
                    optimizer.zero_grad();
                    loss.backward();
                    nn.utils.clip_grad_norm_(student.parameters(), 1.0);
                    optimizer.step();
                }
            }

            return watch.Elapsed.TotalSeconds;
        }
    }

    // Writes the batches for bench/pytorch/distill_step.py and returns the seconds it reports.
    private static double? PyTorch(string python, WordTokenizer tokenizer, List<EncodedExample> train, List<int[]> plan)
    {
        var file = Path.GetTempFileName();
        try
        {
            var batches = plan.Select(indices => indices.Select(i => train[i].Ids).ToArray()).ToArray();
            File.WriteAllText(file, JsonSerializer.Serialize(new { vocab = tokenizer.Vocabulary.Count, pad = tokenizer.PadId, hidden = Hidden, intermediate = Intermediate, heads = Sst2Sample.Heads, batches }));
            var start = new ProcessStartInfo(python) { RedirectStandardOutput = true, RedirectStandardError = true };
            start.ArgumentList.Add(Path.Combine("bench", "pytorch", "distill_step.py"));
            start.ArgumentList.Add(file);
            using var process = Process.Start(start)!;
            var error = process.StandardError.ReadToEndAsync();
            var text = process.StandardOutput.ReadToEnd();
            process.WaitForExit();
            if (process.ExitCode != 0)
            {
                Console.Error.WriteLine($"PyTorch run failed ({python}): {error.Result}");
                return null;
            }

            return JsonDocument.Parse(text).RootElement.GetProperty("seconds").GetDouble();
        }
        finally
        {
            File.Delete(file);
        }
    }
}
