namespace DistillOperator.Trainer;

/// <summary>Sends a JSON merge patch to the trainer's DistillationJob's status subresource.</summary>
public interface IStatusPatcher
{
    /// <summary>Sends <paramref name="mergePatch"/> ({"status": {...}}); throws when the API server refuses or cannot be reached.</summary>
    Task PatchAsync(string mergePatch, CancellationToken cancellation);
}
