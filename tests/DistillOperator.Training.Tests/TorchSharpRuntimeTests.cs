using DistillOperator.Training;
using TorchSharp;
using static TorchSharp.torch;

namespace DistillOperator.Training.Tests;

/// <summary>libtorch loads in the test process on this machine, with nothing installed by hand, and trains.</summary>
public sealed class TorchSharpRuntimeTests
{
    [Fact]
    public void Libtorch_loads_and_reports_its_version()
    {
        var description = TorchRuntime.Describe();

        Assert.StartsWith("libtorch 2.", description, StringComparison.Ordinal);
    }

    [Fact]
    public void A_training_step_on_a_small_model_lowers_the_loss()
    {
        torch.manual_seed(7);
        using var scope = NewDisposeScope();
        var model = nn.Sequential(("hidden", nn.Linear(8, 16)), ("relu", nn.ReLU()), ("out", nn.Linear(16, 2)));
        var optimizer = optim.SGD(model.parameters(), learningRate: 0.5);
        var inputs = randn(64, 8);
        var labels = (inputs.sum(1) > 0).to(ScalarType.Int64);

        float Loss() => nn.functional.cross_entropy(model.call(inputs), labels).item<float>();
        var before = Loss();
        for (var step = 0; step < 20; step++)
        {
            optimizer.zero_grad();
            var loss = nn.functional.cross_entropy(model.call(inputs), labels);
            loss.backward();
            optimizer.step();
        }

        var after = Loss();

        Assert.All(model.parameters(), p => Assert.NotNull(p.grad));
        Assert.True(after < before * 0.5, $"loss went from {before} to {after}; 20 SGD steps on a separable task should at least halve it");
    }
}
