using System.Security.Cryptography;
using DistillOperator.Api.V1Alpha1;
using DistillOperator.Status;
using DistillOperator.Testing;
using DistillOperator.Testing.Emulator.Workloads;
using k8s.Models;

namespace DistillOperator.Tests;

/// <summary>
/// GitOps retraining through the operator, with the real trainer run by the emulator's process kubelet: spec changes
/// start new runs into one output, each run writes a version of its own, and only a student that passes its gate
/// replaces the one a serving system reads.
/// </summary>
public sealed class RetrainingEndToEndTests
{
    private static readonly TimeSpan RunLimit = TimeSpan.FromMinutes(4);

    // Trained long enough that every seed's teacher learns the task (at 4 epochs seed 7's stays below the majority class).
    private static void Tiny(DistillationJob j, string data)
    {
        j.Spec.Teacher = new TeacherSpec { Architecture = new ArchitectureSpec { Layers = 2, HiddenSize = 32, Heads = 4, IntermediateSize = 64 }, Finetune = new FinetuneSpec { Epochs = 8, LearningRate = 2e-3 } };
        j.Spec.Student = new StudentSpec { Architecture = new ArchitectureSpec { Layers = 1 } };
        j.Spec.Data = new DataSpec { Train = new DatasetSpec { Uri = $"pvc://{data}/train.tsv" }, Validation = new DatasetSpec { Uri = $"pvc://{data}/dev.tsv" }, MaxSequenceLength = 32 };
        j.Spec.Training = new TrainingSpec { BatchSize = 16, LearningRate = 2e-3 };
        j.Spec.Resources = new ResourcesSpec { Gpus = 0 };
        j.Spec.Output = new OutputSpec { Uri = $"pvc://{data}/student", KeepVersions = 2 };
    }

    private static Dictionary<string, string> Digests(string folder) =>
        Directory.GetFiles(folder, "*", SearchOption.AllDirectories).ToDictionary(f => Path.GetRelativePath(folder, f), f => Convert.ToHexString(SHA256.HashData(File.ReadAllBytes(f))));

    private static string[] Versions(string output) =>
        [.. Directory.GetDirectories(Path.Combine(output, "versions")).Select(Path.GetFileName).OfType<string>().Where(n => !n.StartsWith('.')).Order(StringComparer.Ordinal)];

    private static string Promoted(string output) => Path.GetFileName(new FileInfo(Path.Combine(output, "current")).LinkTarget!);

    private static V1Condition Condition(DistillationJob job, string type) => Assert.Single(job.Status!.Conditions!, c => c.Type == type);

    // The operator, and a process kubelet that runs pods of image distill-trainer as the real trainer.
    private static async Task<(OperatorHarness Harness, TrainerPods Pods)> StartAsync()
    {
        var harness = await OperatorHarness.StartAsync(workloads: false);
        var pods = new TrainerPods(harness.Emulator, BuiltAssembly.Path(typeof(RetrainingEndToEndTests).Assembly, "TrainerAssembly"), harness.Folder);
        var options = harness.Options();
        options.TrainerImage = "distill-trainer:dev";
        await harness.StartOperatorAsync(options);
        return (harness, pods);
    }

    [Fact]
    public async Task Three_runs_of_one_job_promote_the_passing_students_and_a_gate_miss_leaves_the_served_model_byte_identical()
    {
        var (harness, pods) = await StartAsync();
        await using var stopHarness = harness;
        await using var stopPods = pods;
        var data = pods.Claim("data");
        SyntheticSentiment.WriteTsv(Path.Combine(data, "train.tsv"), 200, seed: 1);
        SyntheticSentiment.WriteTsv(Path.Combine(data, "dev.tsv"), 60, seed: 2);
        // Six texts again with the other label: no student can score above 60/66, so a gate of 0.999 is out of reach.
        File.AppendAllLines(Path.Combine(data, "dev.tsv"), SyntheticSentiment.Rows(6, seed: 2).Select(r => $"{r.Text}\t{1 - r.Label}"));
        var output = Path.Combine(data, "student");

        // 1. Passing: promoted, Ready.
        await harness.CreateAsync(TestJobs.Named("retrain").With(j =>
        {
            Tiny(j, "data");
            j.Spec.QualityGate = new QualityGate { MinAgreement = 0.01 };
        }).Build());
        var first = await harness.WaitAsync("retrain", j => j.Status?.ObservedGeneration == 1 && j.Status.Phase is JobPhase.Succeeded or JobPhase.Failed, RunLimit);
        Assert.True(first.Status!.Phase == JobPhase.Succeeded, k8s.KubernetesJson.Serialize(first.Status));
        var v1 = Assert.Single(Versions(output));
        Assert.Equal(v1, Promoted(output));
        Assert.Equal(v1, first.Status.PromotedVersion);
        Assert.Equal(v1, first.Status.Result!.Version);
        Assert.True(first.Status.Result.Promoted);
        Assert.Equal($"pvc://data/student/versions/{v1}", first.Status.Result.ArtifactUri);
        Assert.Equal(("True", "Completed"), (Condition(first, ConditionTypes.Ready).Status, Condition(first, ConditionTypes.Ready).Reason));
        Assert.Equal("False", Condition(first, ConditionTypes.Reconciling).Status);
        Assert.Contains(v1, (await harness.WaitForEventAsync("retrain", ConditionReasons.Promoted)).Message, StringComparison.Ordinal);
        var served = Digests(Path.Combine(output, "current"));

        // 2. A commit that tightens the gate beyond reach: the run (the same training, resumed at its end) is kept as a
        // version but not promoted; the job fails and is not Ready; what current serves is untouched.
        await harness.PatchSpecAsync("retrain", new { qualityGate = new { minAgreement = (double?)null, minStudentAccuracy = 0.999 } });
        var second = await harness.WaitAsync("retrain", j => j.Status?.ObservedGeneration == 2 && j.Status.Phase is JobPhase.Succeeded or JobPhase.Failed, RunLimit);
        Assert.True(second.Status!.Phase == JobPhase.Failed, k8s.KubernetesJson.Serialize(second.Status));
        Assert.Equal(ConditionReasons.QualityTargetNotMet, Condition(second, ConditionTypes.Failed).Reason);
        Assert.Equal(("False", ConditionReasons.QualityTargetNotMet), (Condition(second, ConditionTypes.Ready).Status, Condition(second, ConditionTypes.Ready).Reason));
        Assert.Equal(2, Condition(second, ConditionTypes.Ready).ObservedGeneration);
        Assert.Equal("True", Condition(second, ConditionTypes.Stalled).Status);
        Assert.False(second.Status.Result!.Promoted);
        Assert.Equal(v1, second.Status.Result.PromotedVersion);
        Assert.Equal(v1, second.Status.PromotedVersion);
        var versions = Versions(output);
        Assert.Equal(2, versions.Length);
        Assert.Equal(versions[1], second.Status.Result.Version);
        Assert.Equal(v1, Promoted(output));
        Assert.Equal(served, Digests(Path.Combine(output, "current")));
        var notPromoted = await harness.WaitForEventAsync("retrain", ConditionReasons.NotPromoted);
        Assert.Contains("student accuracy", notPromoted.Message, StringComparison.Ordinal);
        Assert.Contains($"current stays {v1}", notPromoted.Message, StringComparison.Ordinal);

        // 3. Another seed and a reachable gate: promoted; keepVersions 2 keeps the rejected version and the new one.
        // A script waiting as the README says returns once this generation's student is promoted.
        var kubeconfig = Path.Combine(harness.Folder, "kubeconfig");
        harness.Emulator.WriteKubeconfig(kubeconfig);
        await harness.PatchSpecAsync("retrain", new { training = new { seed = 7 }, qualityGate = new { minStudentAccuracy = (double?)null, minAgreement = 0.01 } });
        var wait = Task.Run(() => ToolProcess.Run(KubernetesTools.Kubectl, ["--kubeconfig", kubeconfig, "wait", "--for=condition=Ready", "dj/retrain", "--timeout=240s"], timeout: RunLimit + TimeSpan.FromMinutes(1)));
        var third = await harness.WaitAsync("retrain", j => j.Status?.ObservedGeneration == 3 && j.Status.Phase is JobPhase.Succeeded or JobPhase.Failed, RunLimit);
        Assert.True(third.Status!.Phase == JobPhase.Succeeded, k8s.KubernetesJson.Serialize(third.Status));
        var waited = await wait;
        Assert.True(waited.ExitCode == 0, waited.Output + waited.Error);
        Assert.Contains("distillationjob.distill.dev/retrain condition met", waited.Output, StringComparison.Ordinal);
        var v3 = third.Status.Result!.Version!;
        Assert.Equal(v3, Promoted(output));
        Assert.Equal(v3, third.Status.PromotedVersion);
        Assert.Equal([versions[1], v3], Versions(output));
        Assert.Equal("True", Condition(third, ConditionTypes.Ready).Status);
        Assert.NotEqual(served, Digests(Path.Combine(output, "current")));
    }

    [Fact]
    public async Task A_teacher_that_stays_at_chance_fails_the_job_with_TeacherNotLearned_before_distillation()
    {
        var (harness, pods) = await StartAsync();
        await using var stopHarness = harness;
        await using var stopPods = pods;
        var data = pods.Claim("data");
        // Every text the same and the labels balanced: no teacher beats always predicting one class.
        foreach (var (file, rows) in new[] { ("train.tsv", 64), ("dev.tsv", 20) })
        {
            File.WriteAllLines(Path.Combine(data, file), ["sentence\tlabel", .. Enumerable.Range(0, rows).Select(i => $"a film like any other\t{i % 2}")]);
        }

        await harness.CreateAsync(TestJobs.Named("chance").With(j => Tiny(j, "data")).Build());

        var done = await harness.WaitAsync("chance", j => j.Status?.Phase is JobPhase.Succeeded or JobPhase.Failed, RunLimit);
        Assert.True(done.Status!.Phase == JobPhase.Failed, k8s.KubernetesJson.Serialize(done.Status));
        var failed = Condition(done, ConditionTypes.Failed);
        Assert.Equal(ConditionReasons.TeacherNotLearned, failed.Reason);
        Assert.Contains("no better than always predicting the majority class", failed.Message, StringComparison.Ordinal);
        Assert.Equal(("False", ConditionReasons.TeacherNotLearned), (Condition(done, ConditionTypes.Ready).Status, Condition(done, ConditionTypes.Ready).Reason));
        Assert.Equal(1, done.Status.Restarts); // failed at once: a retry would learn nothing more
        var warning = await harness.WaitForEventAsync("chance", ConditionReasons.TeacherNotLearned);
        Assert.Contains("spec.teacher.finetune.epochs", warning.Message, StringComparison.Ordinal);
        Assert.False(Directory.Exists(Path.Combine(data, "student", "versions")) && Versions(Path.Combine(data, "student")).Length > 0);
    }
}
