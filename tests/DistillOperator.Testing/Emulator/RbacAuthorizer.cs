using System.Text.Json.Nodes;

namespace DistillOperator.Testing.Emulator;

/// <summary>One request as RBAC sees it.</summary>
/// <param name="User">The user name (system:serviceaccount:NS:NAME for a service account).</param>
/// <param name="Verb">get, list, watch, create, update, patch or delete.</param>
/// <param name="Group">API group; empty for core.</param>
/// <param name="Resource">Resource, with the subresource as RESOURCE/SUB.</param>
/// <param name="Namespace">Namespace, or null for cluster-scoped requests.</param>
/// <param name="Name">Object name, or null for collections.</param>
public sealed record AccessAttempt(string User, string Verb, string Group, string Resource, string? Namespace, string? Name)
{
    /// <summary>True when RBAC allowed it.</summary>
    public bool Allowed { get; init; }
}

/// <summary>
/// Kubernetes RBAC over the Roles, ClusterRoles and bindings in the store: a request is allowed when a rule bound
/// to the user (directly, as a service account, or through the groups every service account has) matches its API
/// group, resource (with subresource), verb and, where given, resource names.
/// </summary>
internal static class RbacAuthorizer
{
    public static bool Allows(ObjectStore store, AccessAttempt attempt)
    {
        foreach (var (rules, bindingNamespace) in RulesFor(store, attempt.User, attempt.Namespace))
        {
            if (bindingNamespace is not null && bindingNamespace != attempt.Namespace)
            {
                continue;
            }

            if (rules.OfType<JsonObject>().Any(rule => Matches(rule, attempt)))
            {
                return true;
            }
        }

        return false;
    }

    private static bool Matches(JsonObject rule, AccessAttempt attempt)
    {
        static bool Has(JsonNode? list, string value) => list is JsonArray items && items.Any(i => (string?)i == "*" || (string?)i == value);
        var names = rule["resourceNames"] as JsonArray;
        return Has(rule["apiGroups"], attempt.Group)
            && Has(rule["resources"], attempt.Resource)
            && Has(rule["verbs"], attempt.Verb)
            && (names is null || names.Count == 0 || (attempt.Name is not null && names.Any(n => (string?)n == attempt.Name)));
    }

    private static IEnumerable<(JsonArray Rules, string? Namespace)> RulesFor(ObjectStore store, string user, string? ns)
    {
        var roles = store.Find("rbac.authorization.k8s.io", "v1", "roles")!;
        var clusterRoles = store.Find("rbac.authorization.k8s.io", "v1", "clusterroles")!;
        var bindings = store.List(store.Find("rbac.authorization.k8s.io", "v1", "rolebindings")!, ns, LabelSelector.Everything, null).Items
            .Select(b => (Binding: b, Namespace: (string?)b["metadata"]!["namespace"]));
        var clusterBindings = store.List(store.Find("rbac.authorization.k8s.io", "v1", "clusterrolebindings")!, null, LabelSelector.Everything, null).Items
            .Select(b => (Binding: b, Namespace: (string?)null));
        foreach (var (binding, bindingNamespace) in bindings.Concat(clusterBindings))
        {
            if (!(binding["subjects"] as JsonArray ?? []).OfType<JsonObject>().Any(s => Names(s, bindingNamespace, user)))
            {
                continue;
            }

            var reference = binding["roleRef"]!;
            var roleName = (string)reference["name"]!;
            JsonObject? role = null;
            try
            {
                role = (string?)reference["kind"] == "Role" && bindingNamespace is not null
                    ? store.Get(roles, bindingNamespace, roleName)
                    : store.Get(clusterRoles, null, roleName);
            }
            catch (ApiError e) when (e.Code == 404)
            {
                // a binding to a role that does not exist grants nothing
            }

            if (role?["rules"] is JsonArray rules)
            {
                yield return (rules, bindingNamespace);
            }
        }
    }

    private static bool Names(JsonObject subject, string? bindingNamespace, string user) => (string?)subject["kind"] switch
    {
        "ServiceAccount" => user == $"system:serviceaccount:{(string?)subject["namespace"] ?? bindingNamespace}:{(string?)subject["name"]}",
        "User" => user == (string?)subject["name"],
        "Group" => (string?)subject["name"] is "system:authenticated" || ((string?)subject["name"] == "system:serviceaccounts" && user.StartsWith("system:serviceaccount:", StringComparison.Ordinal)),
        _ => false,
    };
}
