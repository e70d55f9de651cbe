using System.Text.Json.Nodes;
using DistillOperator.Api.V1Alpha1;
using DistillOperator.Testing;
using k8s;

namespace DistillOperator.Api.Tests;

/// <summary>The types serialise with KubernetesClient's conventions: camelCase, nulls omitted, enums by their API names.</summary>
public sealed class SerializationTests
{
    [Fact]
    public void Jobs_serialise_in_camelCase_without_nulls_and_with_API_enum_names()
    {
        var job = TestJobs.Named("serialised").WithStrategy(DistillationStrategy.AllLayers).Build();

        var json = JsonNode.Parse(KubernetesJson.Serialize(job))!;

        Assert.Equal("distill.dev/v1alpha1", (string?)json["apiVersion"]);
        Assert.Equal("all-layers", (string?)json["spec"]!["distillation"]!["strategy"]);
        Assert.Equal(32, (int?)json["spec"]!["training"]!["batchSize"]);
        Assert.False(((JsonObject)json["spec"]!).ContainsKey("qualityGate"));
        Assert.False(((JsonObject)json).ContainsKey("status"));
    }

    [Fact]
    public void Optional_fields_left_unset_are_not_written_so_specs_from_before_them_keep_their_checkpoint_hash()
    {
        // The trainer's checkpoint folder is a hash of the serialised spec: a new optional field must not move it.
        var unset = JsonNode.Parse(KubernetesJson.Serialize(TestJobs.Named("old").Build()))!["spec"]!;
        var set = JsonNode.Parse(KubernetesJson.Serialize(TestJobs.Named("new").With(j =>
        {
            j.Spec.Student.FreezeEmbeddings = true;
            j.Spec.Training.KeepBest = true;
        }).Build()))!["spec"]!;

        Assert.False(unset["student"]!.AsObject().ContainsKey("freezeEmbeddings"));
        Assert.False(unset["training"]!.AsObject().ContainsKey("keepBest"));
        Assert.True((bool)set["student"]!["freezeEmbeddings"]!);
        Assert.True((bool)set["training"]!["keepBest"]!);
    }

    [Fact]
    public void A_job_read_without_a_ttl_is_kept_after_it_finishes_and_one_with_a_ttl_keeps_it()
    {
        // What the API server returns for a manifest without runPolicy (the CRD has no default for the TTL).
        var unset = KubernetesJson.Deserialize<DistillationJob>("""{"apiVersion":"distill.dev/v1alpha1","kind":"DistillationJob","metadata":{"name":"a"},"spec":{"runPolicy":{"backoffLimit":3}}}""");
        var set = KubernetesJson.Deserialize<DistillationJob>("""{"apiVersion":"distill.dev/v1alpha1","kind":"DistillationJob","metadata":{"name":"b"},"spec":{"runPolicy":{"ttlSecondsAfterFinished":60}}}""");

        Assert.Null(unset.Spec.RunPolicy.TtlSecondsAfterFinished);
        Assert.Equal(86400, unset.Spec.RunPolicy.ActiveDeadlineSeconds);
        Assert.Equal(60, set.Spec.RunPolicy.TtlSecondsAfterFinished);
    }

    [Fact]
    public void A_job_survives_a_round_trip_through_JSON()
    {
        var job = TestJobs.Named("round-trip").With(j =>
        {
            j.Spec.Resources.Cpu = "500m";
            j.Spec.Distillation.Internal.LayerMapping = LayerMappingMode.Explicit;
            j.Spec.Distillation.Internal.LayerPairs = [new LayerPair { Student = 1, Teacher = 2 }];
            j.Status = new DistillationJobStatus { Phase = JobPhase.Running, Progress = new JobProgress { Percent = 42.5 } };
        }).Build();
        var first = KubernetesJson.Serialize(job);

        var second = KubernetesJson.Serialize(KubernetesJson.Deserialize<DistillationJob>(first));

        Assert.Equal(first, second);
        Assert.Contains("\"phase\":\"Running\"", first, StringComparison.Ordinal);
    }

    [Fact]
    public void Quantities_given_as_numbers_are_read_as_strings()
    {
        var job = KubernetesJson.Deserialize<DistillationJob>("""{"spec": {"resources": {"cpu": 4, "memory": "16Gi"}}}""");

        Assert.Equal("4", job.Spec.Resources.Cpu);
        Assert.Equal("16Gi", job.Spec.Resources.Memory);
    }
}
