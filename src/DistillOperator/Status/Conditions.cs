using k8s.Models;

namespace DistillOperator.Status;

/// <summary>Sets metav1.Conditions the way controllers should: lastTransitionTime moves only when the status flips.</summary>
public static class Conditions
{
    /// <summary>
    /// Sets condition <paramref name="type"/> in <paramref name="conditions"/> (creating the list when needed) and
    /// returns the list. Reason, message and observedGeneration are always updated; lastTransitionTime only when the
    /// status changes.
    /// </summary>
    public static IList<V1Condition> Set(IList<V1Condition>? conditions, string type, bool status, string reason, string message, long? observedGeneration, DateTimeOffset now)
    {
        conditions ??= [];
        var value = status ? "True" : "False";
        var existing = conditions.FirstOrDefault(c => c.Type == type);
        if (existing is null)
        {
            conditions.Add(new V1Condition { Type = type, Status = value, Reason = reason, Message = message, ObservedGeneration = observedGeneration, LastTransitionTime = now.UtcDateTime });
            return conditions;
        }

        if (existing.Status != value)
        {
            existing.LastTransitionTime = now.UtcDateTime;
        }

        existing.Status = value;
        existing.Reason = reason;
        existing.Message = message;
        existing.ObservedGeneration = observedGeneration;
        return conditions;
    }

    /// <summary>True when the condition is present with status True.</summary>
    public static bool IsTrue(IEnumerable<V1Condition>? conditions, string type) =>
        conditions?.Any(c => c.Type == type && c.Status == "True") == true;
}
