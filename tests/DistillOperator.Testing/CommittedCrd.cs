using DistillOperator.Api.Schema;
using k8s;
using k8s.Models;

namespace DistillOperator.Testing;

/// <summary>The CRD committed in crds/, as tests install it into the emulator.</summary>
public static class CommittedCrd
{
    /// <summary>Reads crds/distill.dev_distillationjobs.yaml.</summary>
    public static V1CustomResourceDefinition Read() =>
        KubernetesYaml.Deserialize<V1CustomResourceDefinition>(File.ReadAllText(RepositoryPaths.Combine("crds", CrdGenerator.FileName)));

    /// <summary>Creates the CRD through <paramref name="client"/>, as <c>kubectl apply -f crds/</c> would.</summary>
    public static Task InstallAsync(IKubernetes client) => client.ApiextensionsV1.CreateCustomResourceDefinitionAsync(Read());
}
