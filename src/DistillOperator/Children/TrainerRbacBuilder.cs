using DistillOperator.Api.V1Alpha1;
using k8s.Models;

namespace DistillOperator.Children;

/// <summary>
/// The trainer's identity: a ServiceAccount, a Role that allows only patch on this DistillationJob's status, and the
/// RoleBinding between them, all owned by the job.
/// </summary>
public static class TrainerRbacBuilder
{
    /// <summary>The trainer's ServiceAccount.</summary>
    public static V1ServiceAccount ServiceAccount(DistillationJob job) => new()
    {
        Metadata = Metadata(job),
        AutomountServiceAccountToken = true,
    };

    /// <summary>patch on distillationjobs/status, for this job only.</summary>
    public static V1Role Role(DistillationJob job) => new()
    {
        Metadata = Metadata(job),
        Rules =
        [
            new V1PolicyRule { ApiGroups = [ApiGroup.Name], Resources = [DistillationJob.Plural + "/status"], Verbs = ["patch"], ResourceNames = [job.Metadata.Name] },
        ],
    };

    /// <summary>Binds the Role to the ServiceAccount.</summary>
    public static V1RoleBinding RoleBinding(DistillationJob job) => new()
    {
        Metadata = Metadata(job),
        RoleRef = new V1RoleRef { ApiGroup = "rbac.authorization.k8s.io", Kind = "Role", Name = RunNames.Trainer(job) },
        Subjects = [new Rbacv1Subject { Kind = "ServiceAccount", Name = RunNames.Trainer(job), NamespaceProperty = job.Metadata.NamespaceProperty }],
    };

    private static V1ObjectMeta Metadata(DistillationJob job)
    {
        ArgumentNullException.ThrowIfNull(job);
        return new V1ObjectMeta
        {
            Name = RunNames.Trainer(job),
            NamespaceProperty = job.Metadata.NamespaceProperty,
            Labels = OwnerReferences.Labels(job),
            OwnerReferences = [OwnerReferences.ControlledBy(job)],
        };
    }
}
