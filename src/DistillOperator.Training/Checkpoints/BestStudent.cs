using System.Text.Json.Nodes;
using DistillOperator.Training.Models;
using TorchSharp;
using static TorchSharp.torch;

namespace DistillOperator.Training.Checkpoints;

/// <summary>
/// The student with the best validation accuracy seen so far (spec.training.keepBest): a copy of its weights in
/// memory, saved into every checkpoint (<see cref="WeightsFile"/> and <see cref="StateFile"/>, hashed with the rest), so
/// a resumed run has exactly the best its checkpoint had. While it does not change, later checkpoints link the file
/// of the earlier one instead of writing it again.
/// </summary>
public sealed class BestStudent : IDisposable
{
    /// <summary>The best student's weights in a checkpoint.</summary>
    public const string WeightsFile = "best-student.safetensors";

    /// <summary>Its step and accuracy in a checkpoint.</summary>
    public const string StateFile = "best.json";

    private Dictionary<string, Tensor>? _weights;
    private string? _savedFile; // the checkpoint file that holds the current best, once one does

    /// <summary>The step of the best student so far, or null before any was offered.</summary>
    public long? Step { get; private set; }

    /// <summary>Its validation accuracy.</summary>
    public double Accuracy { get; private set; }

    /// <summary>Keeps <paramref name="student"/> when its accuracy beats the best so far (a tie keeps the earlier one).</summary>
    public void Offer(long step, double accuracy, nn.Module student)
    {
        ArgumentNullException.ThrowIfNull(student);
        if (Step is not null && accuracy <= Accuracy)
        {
            return;
        }

        // Kept in host memory: on a GPU a second copy of the student would take device memory training needs.
        Dictionary<string, Tensor> copy;
        using (no_grad())
        using (var scope = NewDisposeScope())
        {
            copy = student.state_dict().ToDictionary(p => p.Key, p => p.Value.cpu().clone().MoveToOuterDisposeScope());
        }

        Replace(copy, step, accuracy, savedFile: null);
    }

    /// <summary>Writes the best into a checkpoint being written in <paramref name="folder"/>; nothing before the first offer.</summary>
    public void SaveInto(CheckpointFolder folder)
    {
        if (Step is not { } step || _weights is null)
        {
            return;
        }

        var weights = _weights;
        folder.LinkOrWrite(_savedFile, WeightsFile, file => SafeTensorsFile.Write(file, weights));

        AtomicFile.WriteAllText(folder.File(StateFile), new JsonObject { ["step"] = step, ["accuracy"] = Accuracy }.ToJsonString());
    }

    /// <summary>Records that the checkpoint just saved in <paramref name="folder"/> holds the current best, for the next one to link.</summary>
    public void SavedIn(string folder) => _savedFile = Step is null ? null : Path.Combine(folder, WeightsFile);

    /// <summary>Takes the best a checkpoint holds (none, when it holds none); the checkpoint was verified against its hashes.</summary>
    /// <exception cref="InvalidDataException">best.json has no step or accuracy; the message names the file.</exception>
    public void LoadFrom(StoredCheckpoint checkpoint)
    {
        ArgumentNullException.ThrowIfNull(checkpoint);
        var statePath = checkpoint.File(StateFile);
        if (!File.Exists(statePath))
        {
            Replace(null, null, 0, null);
            return;
        }

        var state = JsonNode.Parse(File.ReadAllText(statePath)) as JsonObject;
        if (state?["step"] is not JsonValue s || !s.TryGetValue<long>(out var step) || state["accuracy"] is not JsonValue a || !a.TryGetValue<double>(out var accuracy))
        {
            throw new InvalidDataException($"{statePath}: no step or accuracy");
        }

        Replace(SafeTensorsFile.Read(checkpoint.File(WeightsFile)), step, accuracy, checkpoint.File(WeightsFile));
    }

    /// <summary>Loads the best student's weights into <paramref name="student"/>; nothing when there is none.</summary>
    public void LoadInto(nn.Module student)
    {
        ArgumentNullException.ThrowIfNull(student);
        if (_weights is null)
        {
            return;
        }

        using var noGrad = no_grad();
        foreach (var (name, target) in student.state_dict())
        {
            if (!_weights.TryGetValue(name, out var source))
            {
                throw new InvalidDataException($"the best student kept from step {Step} has no tensor {name}");
            }

            target.copy_(source);
        }
    }

    /// <inheritdoc />
    public void Dispose() => Replace(null, null, 0, null);

    private void Replace(Dictionary<string, Tensor>? weights, long? step, double accuracy, string? savedFile)
    {
        foreach (var tensor in _weights?.Values ?? Enumerable.Empty<Tensor>())
        {
            tensor.Dispose();
        }

        (_weights, Step, Accuracy, _savedFile) = (weights, step, accuracy, savedFile);
    }
}
