using TorchSharp;
using static TorchSharp.torch;

namespace DistillOperator.Training.Tests;

/// <summary>Jobs train on the GPU libtorch sees, and a pod given GPUs it cannot use says so.</summary>
public sealed class TrainingDeviceTests
{
    [Fact]
    public void The_first_CUDA_device_is_chosen_when_libtorch_sees_one_and_the_CPU_otherwise()
    {
        Assert.Equal(DeviceType.CUDA, TrainingDevice.Choose(cudaAvailable: true).type);
        Assert.Equal(0, TrainingDevice.Choose(cudaAvailable: true).index);
        Assert.Equal(DeviceType.CPU, TrainingDevice.Choose(cudaAvailable: false).type);
        Assert.Equal(cuda.is_available() ? DeviceType.CUDA : DeviceType.CPU, TrainingDevice.Current.type);
    }

    [Fact]
    public void A_pod_given_GPUs_that_trains_on_the_CPU_is_warned_about_and_no_other_combination_is()
    {
        var warning = TrainingDevice.MismatchWarning(2, CPU);

        Assert.StartsWith("spec.resources.gpus is 2 but libtorch sees no CUDA device", warning, StringComparison.Ordinal);
        Assert.Null(TrainingDevice.MismatchWarning(0, CPU));
        Assert.Null(TrainingDevice.MismatchWarning(1, TrainingDevice.Choose(cudaAvailable: true)));
    }
}
