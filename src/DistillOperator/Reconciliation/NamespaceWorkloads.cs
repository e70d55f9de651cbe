using DistillOperator.Api.V1Alpha1;
using k8s.Models;

namespace DistillOperator.Reconciliation;

/// <summary>What runs in a namespace: its DistillationJobs, trainer Jobs and trainer pods (of every DistillationJob).</summary>
/// <param name="Jobs">The DistillationJobs.</param>
/// <param name="Runs">The trainer Jobs.</param>
/// <param name="Pods">The trainer pods.</param>
public sealed record NamespaceWorkloads(IReadOnlyList<DistillationJob> Jobs, IReadOnlyList<V1Job> Runs, IReadOnlyList<V1Pod> Pods);
