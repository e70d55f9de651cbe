using TorchSharp;
using static TorchSharp.torch;

namespace DistillOperator.Training;

/// <summary>Where a job's models train and evaluate: the first GPU when libtorch sees one, otherwise the CPU.</summary>
public static class TrainingDevice
{
    /// <summary>The device for this process.</summary>
    public static Device Current => Choose(cuda.is_available());

    /// <summary>CUDA device 0 when CUDA is available, else the CPU.</summary>
    public static Device Choose(bool cudaAvailable) => cudaAvailable ? new Device(DeviceType.CUDA, 0) : CPU;

    /// <summary>
    /// A warning for a pod that was given GPUs but trains on the CPU (a CPU build of the trainer image, or no driver),
    /// or null when the two agree.
    /// </summary>
    public static string? MismatchWarning(int gpusRequested, Device device)
    {
        ArgumentNullException.ThrowIfNull(device);
        return gpusRequested > 0 && device.type != DeviceType.CUDA
            ? $"spec.resources.gpus is {gpusRequested} but libtorch sees no CUDA device (a CPU build of the trainer image, or no NVIDIA driver on the node): training runs on the CPU"
            : null;
    }
}
