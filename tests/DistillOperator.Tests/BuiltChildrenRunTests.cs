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
    private ProcessKubelet _kubelet = null!;
    private WorkloadLoop _workloads = null!;

    public async Task InitializeAsync()
    {
        _emulator = await KubernetesEmulator.StartAsync();
        _client = _emulator.CreateClient();
        await _client.ApiextensionsV1.CreateCustomResourceDefinitionAsync(KubernetesYaml.Deserialize<V1CustomResourceDefinition>(File.ReadAllText(RepositoryPaths.Combine("crds", CrdGenerator.FileName))));
        var trainer = BuiltAssembly.Path(typeof(BuiltChildrenRunTests).Assembly, "TrainerAssembly");
        _kubelet = new ProcessKubelet(_emulator.Store, new Dictionary<string, string[]> { ["distill-trainer"] = ["dotnet", trainer] }, Path.Combine(_root, "claims"), Path.Combine(_root, "pods"));
        _emulator.PodLogs = _kubelet.Logs;
        _workloads = new WorkloadLoop(_emulator.Store, _kubelet);
    }

    public async Task DisposeAsync()
    {
        await _workloads.DisposeAsync();
        _kubelet.Dispose();
        _client.Dispose();
        await _emulator.DisposeAsync();
        Directory.Delete(_root, recursive: true);
    }

    [Fact]
    public async Task A_job_built_from_a_DistillationJob_runs_the_trainer_to_completion()
    {
        var data = Directory.CreateDirectory(Path.Combine(_root, "claims", "data")).FullName;
        SyntheticSentiment.WriteTsv(Path.Combine(data, "train.tsv"), 200, seed: 1);
        SyntheticSentiment.WriteTsv(Path.Combine(data, "dev.tsv"), 60, seed: 2);
        var job = await _client.CustomObjects.CreateNamespacedCustomObjectAsync<DistillationJob>(TestJobs.Named("tiny").With(j =>
        {
            j.Spec.Teacher = new TeacherSpec { Architecture = new ArchitectureSpec { Layers = 2, HiddenSize = 32, Heads = 4, IntermediateSize = 64 }, Finetune = new FinetuneSpec { Epochs = 1, LearningRate = 2e-3 } };
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

        var deadline = DateTime.UtcNow + TimeSpan.FromMinutes(3);
        V1Job run;
        do
        {
            await Task.Delay(100);
            run = await _client.BatchV1.ReadNamespacedJobAsync(RunNames.Run(job), "default");
            Assert.True(DateTime.UtcNow < deadline, "the trainer did not finish");
        }
        while (run.Status?.Conditions?.Any(c => c.Status == "True" && c.Type is "Complete" or "Failed") != true);

        var pod = Assert.Single((await _client.CoreV1.ListNamespacedPodAsync("default", labelSelector: $"{RunNames.JobLabel}=tiny")).Items);
        Assert.True(run.Status.Conditions.Any(c => c.Type == "Complete"), _kubelet.Logs("default", pod.Metadata.Name));
        var result = JsonNode.Parse(pod.Status.ContainerStatuses.Single().State.Terminated.Message)!;
        Assert.Equal("pvc://data/student", (string?)result["artifactUri"]);
        Assert.True(File.Exists(Path.Combine(data, "student", "model.safetensors")));

        // Deleting the DistillationJob collects every child.
        await _client.CustomObjects.DeleteNamespacedCustomObjectAsync(ApiGroup.Name, ApiGroup.Version, "default", DistillationJob.Plural, "tiny");
        Assert.Empty((await _client.BatchV1.ListNamespacedJobAsync("default")).Items);
        Assert.Empty((await _client.CoreV1.ListNamespacedConfigMapAsync("default")).Items);
        Assert.Empty((await _client.RbacAuthorizationV1.ListNamespacedRoleAsync("default")).Items);
    }
}
