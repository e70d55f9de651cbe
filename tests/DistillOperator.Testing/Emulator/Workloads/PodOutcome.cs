namespace DistillOperator.Testing.Emulator.Workloads;

/// <summary>What a pod does under the scripted kubelet.</summary>
public abstract record PodOutcome
{
    /// <summary>The container exits 0, leaving <paramref name="Message"/> as its termination message.</summary>
    public sealed record Succeed(string? Message = null) : PodOutcome;

    /// <summary>The container exits with <paramref name="Code"/>.</summary>
    public sealed record Exit(int Code, string? Message = null) : PodOutcome;

    /// <summary>The pod is evicted (a disruption: condition DisruptionTarget=True, phase Failed).</summary>
    public sealed record Evict : PodOutcome;

    /// <summary>The pod keeps running until the test finishes it with <see cref="ScriptedKubelet.Finish"/>.</summary>
    public sealed record KeepRunning : PodOutcome;
}
