using DistillOperator.Api.V1Alpha1;
using DistillOperator.Status;
using DistillOperator.Testing;
using DistillOperator.Testing.Emulator.Workloads;

namespace DistillOperator.Tests;

/// <summary>
/// The whole path: the operator reconciles a DistillationJob into a trainer Job, the emulator's process kubelet runs
/// the real trainer on a tiny job, and the trainer reports progress and its result with its own service account.
/// </summary>
public sealed class OperatorEndToEndTests
{
    [Fact]
    public async Task A_tiny_job_ends_succeeded_with_the_result_the_trainer_patched()
    {
        await using var harness = await OperatorHarness.StartAsync(workloads: false);
        await using var pods = new TrainerPods(harness.Emulator, BuiltAssembly.Path(typeof(OperatorEndToEndTests).Assembly, "TrainerAssembly"), harness.Folder);
        harness.Emulator.EnforceRbac = true; // the trainer's token may do only what its Role allows
        var options = harness.Options();
        options.TrainerImage = "distill-trainer:dev";
        await harness.StartOperatorAsync(options);
        var data = pods.Claim("data");
        SyntheticSentiment.WriteTsv(Path.Combine(data, "train.tsv"), 200, seed: 1);
        SyntheticSentiment.WriteTsv(Path.Combine(data, "dev.tsv"), 60, seed: 2);

        await harness.CreateAsync(TestJobs.Named("tiny").With(j =>
        {
            j.Spec.Teacher = new TeacherSpec { Architecture = new ArchitectureSpec { Layers = 2, HiddenSize = 32, Heads = 4, IntermediateSize = 64 }, Finetune = new FinetuneSpec { Epochs = 4, LearningRate = 2e-3 } };
            j.Spec.Student = new StudentSpec { Architecture = new ArchitectureSpec { Layers = 1 } };
            j.Spec.Data = new DataSpec { Train = new DatasetSpec { Uri = "pvc://data/train.tsv" }, Validation = new DatasetSpec { Uri = "pvc://data/dev.tsv" }, MaxSequenceLength = 32 };
            j.Spec.Training = new TrainingSpec { BatchSize = 16, LearningRate = 2e-3 };
            j.Spec.Resources = new ResourcesSpec { Gpus = 0 };
            j.Spec.Output = new OutputSpec { Uri = "pvc://data/student" };
            j.Spec.QualityGate = new QualityGate { MinAgreement = 0.01 };
        }).Build());

        var done = await harness.WaitAsync("tiny", j => j.Status?.Phase is JobPhase.Succeeded or JobPhase.Failed, TimeSpan.FromMinutes(4));
        var pod = (await harness.PodsAsync("tiny")).Single();
        Assert.True(done.Status!.Phase == JobPhase.Succeeded, $"{KubernetesJsonText(done)}\n{pods.Logs("default", pod.Metadata.Name)}");

        var result = done.Status.Result!;
        Assert.Equal($"pvc://data/student/versions/{result.Version}", result.ArtifactUri);
        Assert.True(result.Promoted);
        Assert.InRange(result.StudentAccuracy!.Value, 0, 1);
        Assert.True(result.CompressionRatio > 1);
        Assert.True(done.Status.Progress is not null, $"{KubernetesJsonText(done)}\n{pods.Logs("default", pod.Metadata.Name)}");
        Assert.Equal(100, done.Status.Progress!.Percent);
        Assert.Equal(done.Status.Progress.TotalSteps, done.Status.Progress.Step);
        Assert.True(Conditions.IsTrue(done.Status.Conditions, ConditionTypes.QualityTargetMet));
        Assert.True(File.Exists(Path.Combine(data, "student", "current", "model.safetensors")));

        // The result came through the trainer's own patch, which its Role allowed.
        var patches = harness.Emulator.AccessLog.Where(a => a.User == "system:serviceaccount:default:tiny-trainer").ToList();
        Assert.NotEmpty(patches);
        Assert.All(patches, a => Assert.True(a.Allowed && a.Verb == "patch" && a.Resource == "distillationjobs/status" && a.Name == "tiny", a.ToString()));
        Assert.Contains("trainer: result reported", pods.Logs("default", pod.Metadata.Name), StringComparison.Ordinal);
    }

    private static string KubernetesJsonText(DistillationJob job) => k8s.KubernetesJson.Serialize(job.Status);
}
