using System.Text.Json.Nodes;
using DistillOperator.Api.Schema;
using DistillOperator.Testing;
using DistillOperator.Testing.Emulator;
using k8s;
using k8s.Models;

namespace DistillOperator.Trainer.Tests;

/// <summary>
/// The trainer's side of the progress channel, against the API emulator with RBAC on: it patches its job's status
/// with the credentials it is given, rate-limited, and a cluster that refuses every patch costs status updates, not
/// the run.
/// </summary>
public sealed class TrainerStatusReportingTests : IAsyncLifetime
{
    private static readonly TimeSpan Limit = TimeSpan.FromMinutes(5);
    private readonly string _workspace = Directory.CreateTempSubdirectory("distill-status-").FullName;
    private KubernetesEmulator _emulator = null!;
    private string _uid = "";

    public async Task InitializeAsync()
    {
        _emulator = await KubernetesEmulator.StartAsync();
        using var admin = _emulator.CreateClient();
        await CommittedCrd.InstallAsync(admin);
        SyntheticSentiment.WriteTsv(Path.Combine(_workspace, "train.tsv"), 200, seed: 1);
        SyntheticSentiment.WriteTsv(Path.Combine(_workspace, "dev.tsv"), 60, seed: 2);
        var job = KubernetesYaml.Deserialize<DistillOperator.Api.V1Alpha1.DistillationJob>($$$"""
            apiVersion: distill.dev/v1alpha1
            kind: DistillationJob
            metadata: {name: reporting, namespace: default}
            spec:
              teacher:
                architecture: {layers: 2, hiddenSize: 32, heads: 4, intermediateSize: 64}
                finetune: {epochs: 4, learningRate: 0.002}
              student: {architecture: {layers: 1}}
              data:
                train: {uri: "file://{{{_workspace}}}/train.tsv"}
                validation: {uri: "file://{{{_workspace}}}/dev.tsv"}
                maxSequenceLength: 32
              distillation: {strategy: soft}
              training: {batchSize: 16, learningRate: 0.002}
              resources: {gpus: 0}
              output: {uri: "pvc://work/out"}
            """);
        File.WriteAllText(Path.Combine(_workspace, "job.json"), KubernetesJson.Serialize(job));
        var created = await admin.CustomObjects.CreateNamespacedCustomObjectAsync<JsonObject>(job, "distill.dev", "v1alpha1", "default", "distillationjobs");
        _uid = (string)created["metadata"]!["uid"]!;
        // The operator has written the job's status by the time its trainer runs.
        await admin.CustomObjects.PatchNamespacedCustomObjectStatusAsync(new V1Patch("""{"status":{"phase":"Running"}}""", V1Patch.PatchType.MergePatch), "distill.dev", "v1alpha1", "default", "distillationjobs", "reporting");
        // What the operator grants the trainer: patch on this job's status, nothing else.
        await admin.RbacAuthorizationV1.CreateNamespacedRoleAsync(new V1Role
        {
            Metadata = new V1ObjectMeta { Name = "reporting-trainer" },
            Rules = [new V1PolicyRule { ApiGroups = ["distill.dev"], Resources = ["distillationjobs/status"], Verbs = ["patch"], ResourceNames = ["reporting"] }],
        }, "default");
        await admin.RbacAuthorizationV1.CreateNamespacedRoleBindingAsync(new V1RoleBinding
        {
            Metadata = new V1ObjectMeta { Name = "reporting-trainer" },
            RoleRef = new V1RoleRef { ApiGroup = "rbac.authorization.k8s.io", Kind = "Role", Name = "reporting-trainer" },
            Subjects = [new Rbacv1Subject { Kind = "ServiceAccount", Name = "reporting-trainer", NamespaceProperty = "default" }],
        }, "default");
        _emulator.EnforceRbac = true;
        _emulator.WriteKubeconfig(Path.Combine(_workspace, "kubeconfig"), _emulator.TokenFor("default", "reporting-trainer"));
        File.WriteAllText(Path.Combine(_workspace, "termination-log"), "");
    }

    public async Task DisposeAsync()
    {
        await _emulator.DisposeAsync();
        Directory.Delete(_workspace, recursive: true);
    }

    [Fact]
    public async Task The_trainer_patches_progress_at_most_once_per_interval_and_then_its_result()
    {
        using var trainer = Start();
        Assert.True(trainer.WaitForExit(Limit) == 0, trainer.Output);

        using var admin = _emulator.CreateClient();
        var job = await admin.CustomObjects.GetNamespacedCustomObjectAsync<JsonObject>("distill.dev", "v1alpha1", "default", "distillationjobs", "reporting");
        var status = job["status"]!;
        Assert.Equal(100, (double?)status["progress"]!["percent"]);
        var steps = (long)status["progress"]!["totalSteps"]!;
        Assert.Equal(steps, (long?)status["progress"]!["step"]);
        Assert.InRange((double)status["result"]!["studentAccuracy"]!, 0, 1);
        Assert.Equal($"pvc://work/out/versions/{(string?)status["result"]!["version"]}", (string?)status["result"]!["artifactUri"]);
        Assert.True((bool)status["result"]!["promoted"]!);

        var patches = _emulator.AccessLog.Where(a => a.User == "system:serviceaccount:default:reporting-trainer").ToList();
        Assert.All(patches, p => Assert.True(p.Allowed && p.Verb == "patch" && p.Resource == "distillationjobs/status", p.ToString()));
        Assert.InRange(patches.Count, 2, steps - 1); // progress is throttled, not one patch per step
        Assert.Contains("trainer: result reported", trainer.Output, StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_trainer_left_over_from_a_deleted_job_does_not_write_into_a_new_job_of_the_same_name()
    {
        using var trainer = Start(uid: "uid-of-the-deleted-job");
        Assert.True(trainer.WaitForExit(Limit) == 0, trainer.Output);

        using var admin = _emulator.CreateClient();
        var job = await admin.CustomObjects.GetNamespacedCustomObjectAsync<JsonObject>("distill.dev", "v1alpha1", "default", "distillationjobs", "reporting");
        Assert.Null(job["status"]!["progress"]);
        Assert.Null(job["status"]!["result"]);
        Assert.Equal("Running", (string?)job["status"]!["phase"]);
        Assert.Contains("could not report progress", trainer.Output, StringComparison.Ordinal);
        Assert.Contains("the result stays in the termination message", trainer.Output, StringComparison.Ordinal);
    }

    [Fact]
    public void A_cluster_that_refuses_every_patch_does_not_fail_the_run_and_the_result_is_in_the_termination_message()
    {
        _emulator.Faults.FailNext(500, 100_000, "PATCH");
        using var trainer = Start();

        Assert.True(trainer.WaitForExit(Limit) == 0, trainer.Output);
        Assert.Contains("could not report progress", trainer.Output, StringComparison.Ordinal);
        Assert.Contains("the result stays in the termination message", trainer.Output, StringComparison.Ordinal);
        var result = JsonNode.Parse(File.ReadAllText(Path.Combine(_workspace, "termination-log")))!;
        Assert.StartsWith("pvc://work/out/versions/", (string?)result["artifactUri"], StringComparison.Ordinal);
        Assert.True((bool)result["promoted"]!);
    }

    private ChildProcess Start(string? uid = null) => ChildProcess.Start(
        BuiltAssembly.Path(typeof(TrainerStatusReportingTests).Assembly, "TrainerAssembly"),
        _workspace,
        new Dictionary<string, string>
        {
            ["KUBECONFIG"] = Path.Combine(_workspace, "kubeconfig"),
            ["DISTILL_JOB_NAME"] = "reporting",
            ["DISTILL_JOB_NAMESPACE"] = "default",
            ["DISTILL_JOB_UID"] = uid ?? _uid,
            ["DISTILL_STATUS_INTERVAL_SECONDS"] = "5", // longer than any step here, even on a loaded machine: the count below stays throttled
            ["DISTILL_TERMINATION_LOG"] = Path.Combine(_workspace, "termination-log"),
        },
        "--job",
        "job.json",
        "--volume",
        $"work={_workspace}"); // the output claim's folder, as a pod has it mounted
}
