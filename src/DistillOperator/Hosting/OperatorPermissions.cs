namespace DistillOperator.Hosting;

/// <summary>
/// Every API permission the operator uses, in one list: the Helm chart's ClusterRole (or per-namespace Roles) and
/// leader-election Role must grant exactly these (a test compares them, and another runs the operator with them).
/// </summary>
public static class OperatorPermissions
{
    /// <summary>What the operator does in the namespaces it watches.</summary>
    public static IReadOnlyList<PermissionRule> Watched { get; } =
    [
        new("distill.dev", "distillationjobs", ["get", "list", "watch", "delete"]), // informer; a fresh read before a run starts; delete after the TTL
        new("distill.dev", "distillationjobs/status", ["patch"]), // one merge patch per change; also what the trainer's Role grants
        new("batch", "jobs", ["list", "watch", "create", "patch", "delete"]), // runs: create, suspend, replace
        new("", "pods", ["list", "watch"]), // the trainer pods' phases, restarts and termination messages
        new("", "configmaps", ["create", "get", "delete"]), // the run spec; get and delete one an earlier job of the same name left
        new("", "serviceaccounts", ["create", "get", "delete"]), // the trainer's identity; likewise
        new("rbac.authorization.k8s.io", "roles", ["create", "get", "delete"]),
        new("rbac.authorization.k8s.io", "rolebindings", ["create", "get", "delete"]),
        new("", "events", ["create"]),
    ];

    /// <summary>What leader election needs in the operator's own namespace.</summary>
    public static IReadOnlyList<PermissionRule> LeaderElection { get; } =
    [
        new("coordination.k8s.io", "leases", ["get", "create", "update"]),
    ];
}

/// <summary>An RBAC rule: verbs on one resource of one API group ("" is the core group).</summary>
/// <param name="Group">The API group.</param>
/// <param name="Resource">The resource, with a subresource after a slash.</param>
/// <param name="Verbs">The verbs.</param>
public sealed record PermissionRule(string Group, string Resource, IReadOnlyList<string> Verbs);
