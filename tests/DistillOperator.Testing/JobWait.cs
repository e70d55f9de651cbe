using k8s;
using k8s.Models;

namespace DistillOperator.Testing;

/// <summary>Polls a batch/v1 Job until it reaches a state, instead of sleeping for a guessed time.</summary>
public static class JobWait
{
    /// <summary>Reads the Job until <paramref name="done"/> holds; fails with its status after <paramref name="timeout"/>.</summary>
    public static async Task<V1Job> Until(IKubernetes client, string name, string ns, Func<V1Job, bool> done, TimeSpan timeout)
    {
        ArgumentNullException.ThrowIfNull(done);
        var deadline = DateTime.UtcNow + timeout;
        while (true)
        {
            var job = await client.BatchV1.ReadNamespacedJobAsync(name, ns).ConfigureAwait(false);
            if (done(job))
            {
                return job;
            }

            if (DateTime.UtcNow > deadline)
            {
                throw new TimeoutException($"job {name} did not get there within {timeout}: {(job.Status is null ? "no status" : KubernetesJson.Serialize(job.Status))}");
            }

            await Task.Delay(20).ConfigureAwait(false);
        }
    }

    /// <summary>Waits until the Job is Complete or Failed.</summary>
    public static Task<V1Job> UntilFinished(IKubernetes client, string name, string ns, TimeSpan timeout) =>
        Until(client, name, ns, job => HasCondition(job, "Complete") || HasCondition(job, "Failed"), timeout);

    /// <summary>True when the Job has the condition with status True.</summary>
    public static bool HasCondition(V1Job job, string type)
    {
        ArgumentNullException.ThrowIfNull(job);
        return job.Status?.Conditions?.Any(c => c.Type == type && c.Status == "True") == true;
    }
}
