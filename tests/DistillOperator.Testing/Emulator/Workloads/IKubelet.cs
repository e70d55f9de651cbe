namespace DistillOperator.Testing.Emulator.Workloads;

/// <summary>Runs the pods the Job controller creates.</summary>
public interface IKubelet
{
    /// <summary>Starts new pods and reports finished ones. Returns true when it changed anything.</summary>
    bool Step();

    /// <summary>The logs of a pod, or null when the kubelet has none.</summary>
    string? Logs(string ns, string name);
}
