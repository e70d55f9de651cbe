using DistillOperator.Api.V1Alpha1;
using k8s;

namespace DistillOperator.Trainer;

/// <summary>
/// Writes the result to the pod's termination log, so the operator can read it from the pod status even when the
/// trainer could not patch the DistillationJob.
/// </summary>
public static class TerminationMessage
{
    /// <summary>Where Kubernetes reads the termination message from (the container's terminationMessagePath).</summary>
    public static string PathOrDefault => Environment.GetEnvironmentVariable("DISTILL_TERMINATION_LOG") ?? "/dev/termination-log";

    /// <summary>Kubernetes keeps at most this many bytes of a termination message.</summary>
    public const int MaxBytes = 4096;

    /// <summary>Writes the result as JSON when the termination log exists; returns whether it did.</summary>
    public static bool Write(JobResult result)
    {
        var path = PathOrDefault;
        if (!File.Exists(path))
        {
            return false;
        }

        var json = KubernetesJson.Serialize(result);
        if (System.Text.Encoding.UTF8.GetByteCount(json) > MaxBytes)
        {
            // What the operator decides on: the gate's figures and the promotion.
            json = KubernetesJson.Serialize(new JobResult
            {
                TeacherAccuracy = result.TeacherAccuracy,
                StudentAccuracy = result.StudentAccuracy,
                Agreement = result.Agreement,
                ArtifactUri = result.ArtifactUri,
                Version = result.Version,
                Promoted = result.Promoted,
                PromotionReason = result.PromotionReason,
                PromotedVersion = result.PromotedVersion,
            });
        }

        File.WriteAllText(path, json);
        return true;
    }

    /// <summary>
    /// Writes why the trainer failed when the termination log exists (the operator puts it in the Failed condition and
    /// its Event), cut to what Kubernetes keeps; returns whether it did.
    /// </summary>
    public static bool WriteText(string message)
    {
        var path = PathOrDefault;
        if (!File.Exists(path))
        {
            return false;
        }

        var bytes = System.Text.Encoding.UTF8.GetBytes(message);
        File.WriteAllBytes(path, bytes.Length > MaxBytes ? bytes[..MaxBytes] : bytes);
        return true;
    }
}
