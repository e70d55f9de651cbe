using System.Text.Json.Nodes;
using DistillOperator.Testing.Emulator.Workloads;
using k8s;
using k8s.Models;

namespace DistillOperator.Testing.Tests;

/// <summary>The process kubelet runs a Job's pod as the real trainer process, with its volumes mapped to local folders.</summary>
public sealed class ProcessKubeletTests : IAsyncLifetime
{
    private readonly EmulatorFixture _fixture = new();
    private readonly string _root = Directory.CreateTempSubdirectory("distill-kubelet-").FullName;
    private TrainerPods _pods = null!;

    private static string TrainerAssembly => BuiltAssembly.Path(typeof(ProcessKubeletTests).Assembly, "TrainerAssembly");

    public async Task InitializeAsync()
    {
        await _fixture.InitializeAsync();
        _pods = new TrainerPods(_fixture.Emulator, TrainerAssembly, _root);
    }

    public async Task DisposeAsync()
    {
        await _pods.DisposeAsync();
        await _fixture.DisposeAsync();
        Directory.Delete(_root, recursive: true);
    }

    [Fact]
    public async Task A_trainer_pod_runs_the_real_trainer_on_claim_data_and_leaves_its_result_and_logs()
    {
        var data = _pods.Claim("data");
        SyntheticSentiment.WriteTsv(Path.Combine(data, "train.tsv"), 200, seed: 1);
        SyntheticSentiment.WriteTsv(Path.Combine(data, "dev.tsv"), 60, seed: 2);
        const string job = """
            apiVersion: distill.dev/v1alpha1
            kind: DistillationJob
            metadata: {name: tiny}
            spec:
              teacher:
                architecture: {layers: 2, hiddenSize: 32, heads: 4, intermediateSize: 64}
                finetune: {epochs: 4, learningRate: 0.002}
              student: {architecture: {layers: 1}}
              data:
                train: {uri: pvc://data/train.tsv}
                validation: {uri: pvc://data/dev.tsv}
                maxSequenceLength: 32
              distillation: {strategy: stacked}
              training: {batchSize: 16, learningRate: 0.002}
              output: {uri: pvc://data/student}
            """;
        await _fixture.Client.CoreV1.CreateNamespacedConfigMapAsync(new V1ConfigMap { Metadata = new V1ObjectMeta { Name = "tiny-run" }, Data = new Dictionary<string, string> { ["job.yaml"] = job } }, "default");
        await _fixture.Client.BatchV1.CreateNamespacedJobAsync(new V1Job
        {
            Metadata = new V1ObjectMeta { Name = "tiny-g1" },
            Spec = new V1JobSpec
            {
                BackoffLimit = 0,
                Template = new V1PodTemplateSpec
                {
                    Spec = new V1PodSpec
                    {
                        RestartPolicy = "Never",
                        Containers = [new V1Container { Name = "trainer", Image = "distill-trainer:dev", Args = ["--job", "/etc/distill/job.yaml"], VolumeMounts = [new V1VolumeMount { Name = "spec", MountPath = "/etc/distill" }, new V1VolumeMount { Name = "data", MountPath = "/mnt/pvc/data" }] }],
                        Volumes = [new V1Volume { Name = "spec", ConfigMap = new V1ConfigMapVolumeSource { Name = "tiny-run" } }, new V1Volume { Name = "data", PersistentVolumeClaim = new V1PersistentVolumeClaimVolumeSource { ClaimName = "data" } }],
                    },
                },
            },
        }, "default");

        var finished = await JobWait.UntilFinished(_fixture.Client, "tiny-g1", "default", TimeSpan.FromMinutes(3));

        var pod = Assert.Single((await _fixture.Client.CoreV1.ListNamespacedPodAsync("default", labelSelector: "job-name=tiny-g1")).Items);
        var logs = await _fixture.Client.CoreV1.ReadNamespacedPodLogAsync(pod.Metadata.Name, "default");
        using var reader = new StreamReader(logs);
        var text = await reader.ReadToEndAsync();
        Assert.True(finished.Status.Conditions.Any(c => c.Type == "Complete"), text);
        Assert.Contains("trainer: done", text, StringComparison.Ordinal);
        var message = pod.Status.ContainerStatuses.Single().State.Terminated.Message;
        Assert.Equal($"pvc://data/student/versions/{(string?)JsonNode.Parse(message)!["version"]}", (string?)JsonNode.Parse(message)!["artifactUri"]);
        Assert.True(File.Exists(Path.Combine(data, "student", "current", "report.json")));
    }
}
