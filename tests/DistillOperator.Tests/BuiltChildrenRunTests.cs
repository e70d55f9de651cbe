using System.Text.Json.Nodes;
using DistillOperator.Api.Schema;
using DistillOperator.Api.V1Alpha1;
using DistillOperator.Children;
using DistillOperator.Testing;
using DistillOperator.Testing.Emulator;
using DistillOperator.Testing.Emulator.Workloads;
using k8s;
using k8s.Models;

namespace DistillOperator.Tests;

/// <summary>
/// The children the builders make, created through the client in the emulator, run the real trainer to the end:
/// the contract between the operator's Job and the trainer (spec file, claims, exit codes, termination message) holds.
/// </summary>
public sealed class BuiltChildrenRunTests : IAsyncLifetime
{
    private readonly string _root = Directory.CreateTempSubdirectory("distill-run-").FullName;
    private KubernetesEmulator _emulator = null!;
    private Kubernetes _client = null!;
    private TrainerPods _pods = null!;

    public async Task InitializeAsync()
    {
        _emulator = await KubernetesEmulator.StartAsync();
        _client = _emulator.CreateClient();
        await CommittedCrd.InstallAsync(_client);
        var trainer = BuiltAssembly.Path(typeof(BuiltChildrenRunTests).Assembly, "TrainerAssembly");
        _pods = new TrainerPods(_emulator, trainer, _root);
    }

    public async Task DisposeAsync()
    {
        await _pods.DisposeAsync();
        _client.Dispose();
        await _emulator.DisposeAsync();
        Directory.Delete(_root, recursive: true);
    }

    [Fact]
    public async Task A_job_built_from_a_DistillationJob_runs_the_trainer_to_completion()
    {
        var data = _pods.Claim("data");
        SyntheticSentiment.WriteTsv(Path.Combine(data, "train.tsv"), 200, seed: 1);
        SyntheticSentiment.WriteTsv(Path.Combine(data, "dev.tsv"), 60, seed: 2);
        var job = await _client.CustomObjects.CreateNamespacedCustomObjectAsync<DistillationJob>(TestJobs.Named("tiny").With(j =>
        {
            j.Spec.Teacher = new TeacherSpec { Architecture = new ArchitectureSpec { Layers = 2, HiddenSize = 32, Heads = 4, IntermediateSize = 64 }, Finetune = new FinetuneSpec { Epochs = 4, LearningRate = 2e-3 } };
            j.Spec.Student = new StudentSpec { Architecture = new ArchitectureSpec { Layers = 1 } };
            j.Spec.Data = new DataSpec { Train = new DatasetSpec { Uri = "pvc://data/train.tsv" }, Validation = new DatasetSpec { Uri = "pvc://data/dev.tsv" }, MaxSequenceLength = 32 };
            j.Spec.Training = new TrainingSpec { BatchSize = 16, LearningRate = 2e-3 };
            j.Spec.Resources = new ResourcesSpec { Gpus = 0 };
            j.Spec.Output = new OutputSpec { Uri = "pvc://data/student" };
        }).Build(), ApiGroup.Name, ApiGroup.Version, "default", DistillationJob.Plural);

        await _client.CoreV1.CreateNamespacedServiceAccountAsync(TrainerRbacBuilder.ServiceAccount(job), "default");
        await _client.RbacAuthorizationV1.CreateNamespacedRoleAsync(TrainerRbacBuilder.Role(job), "default");
        await _client.RbacAuthorizationV1.CreateNamespacedRoleBindingAsync(TrainerRbacBuilder.RoleBinding(job), "default");
        await _client.CoreV1.CreateNamespacedConfigMapAsync(RunSpecBuilder.Build(job), "default");
        await _client.BatchV1.CreateNamespacedJobAsync(TrainerJobBuilder.Build(job, new TrainerSettings("distill-trainer:dev")), "default");

        var run = await JobWait.UntilFinished(_client, RunNames.Run(job), "default", TimeSpan.FromMinutes(3));

        var pod = Assert.Single((await _client.CoreV1.ListNamespacedPodAsync("default", labelSelector: $"{RunNames.JobLabel}=tiny")).Items);
        Assert.True(run.Status.Conditions.Any(c => c.Type == "Complete"), _pods.Logs("default", pod.Metadata.Name));
        var result = JsonNode.Parse(pod.Status.ContainerStatuses.Single().State.Terminated.Message)!;
        Assert.Equal($"pvc://data/student/versions/{(string?)result["version"]}", (string?)result["artifactUri"]);
        Assert.True(File.Exists(Path.Combine(data, "student", "current", "model.safetensors")));

        // Deleting the DistillationJob collects every child.
        await _client.CustomObjects.DeleteNamespacedCustomObjectAsync(ApiGroup.Name, ApiGroup.Version, "default", DistillationJob.Plural, "tiny");
        Assert.Empty((await _client.BatchV1.ListNamespacedJobAsync("default")).Items);
        Assert.Empty((await _client.CoreV1.ListNamespacedConfigMapAsync("default")).Items);
        Assert.Empty((await _client.RbacAuthorizationV1.ListNamespacedRoleAsync("default")).Items);
    }
}
