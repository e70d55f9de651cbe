using System.Globalization;
using System.Security.Cryptography;
using System.Text.Json.Nodes;
using DistillOperator.Training.Models;
using TorchSharp;
using static TorchSharp.torch;

namespace DistillOperator.Training.Checkpoints;

/// <summary>
/// The student with the best validation accuracy seen so far, for spec.training.keepBest. With a folder (beside the
/// checkpoints) it is kept on disk: the weights and a best.json with their step, accuracy and SHA-256, written to a
/// temporary folder and renamed into place, so a resumed run still has it and a half-written one is never read.
/// Without a folder (a run without checkpoints) it is a copy in memory.
/// </summary>
public sealed class BestStudentStore(string? folder) : IDisposable
{
    private const string WeightsFile = "student.safetensors";
    private const string StateFile = "best.json";
    private Dictionary<string, Tensor>? _inMemory;

    /// <summary>The step of the best student so far, or null before any was offered.</summary>
    public long? Step { get; private set; }

    /// <summary>Its validation accuracy.</summary>
    public double Accuracy { get; private set; }

    /// <summary>
    /// Reads the best student a previous attempt of this run kept, when it comes from no later than
    /// <paramref name="resumedStep"/> (anything later is trained again and re-evaluated); otherwise, or on a fresh start
    /// (null), removes it. A damaged one is removed with a warning.
    /// </summary>
    public void Restore(long? resumedStep, Action<string> warn)
    {
        ArgumentNullException.ThrowIfNull(warn);
        if (folder is null || !Directory.Exists(folder))
        {
            return;
        }

        var problem = Read(out var step, out var accuracy);
        if (problem is null && resumedStep is { } resumed && step <= resumed)
        {
            (Step, Accuracy) = (step, accuracy);
            return;
        }

        if (problem is not null && resumedStep is not null)
        {
            warn($"{folder}: the best student kept so far is unusable ({problem}); the best is chosen again from the evaluations still to come");
        }

        Directory.Delete(folder, recursive: true);
    }

    /// <summary>Keeps <paramref name="student"/> when its accuracy beats the best so far (a tie keeps the earlier one).</summary>
    public bool Offer(long step, double accuracy, nn.Module student)
    {
        ArgumentNullException.ThrowIfNull(student);
        if (Step is not null && accuracy <= Accuracy)
        {
            return false;
        }

        if (folder is null)
        {
            Release();
            using var noGrad = no_grad();
            _inMemory = student.state_dict().ToDictionary(p => p.Key, p => p.Value.detach().clone());
        }
        else
        {
            Write(step, accuracy, student);
        }

        (Step, Accuracy) = (step, accuracy);
        return true;
    }

    /// <summary>Loads the best student's weights into <paramref name="student"/>; false when there is none.</summary>
    public bool LoadInto(nn.Module student)
    {
        ArgumentNullException.ThrowIfNull(student);
        if (Step is null)
        {
            return false;
        }

        var tensors = _inMemory ?? SafeTensorsFile.Read(Path.Combine(folder!, WeightsFile));
        try
        {
            using var noGrad = no_grad();
            foreach (var (name, target) in student.state_dict())
            {
                target.copy_(tensors[name]);
            }
        }
        finally
        {
            if (_inMemory is null)
            {
                foreach (var tensor in tensors.Values)
                {
                    tensor.Dispose();
                }
            }
        }

        return true;
    }

    /// <inheritdoc />
    public void Dispose() => Release();

    private void Release()
    {
        foreach (var tensor in _inMemory?.Values ?? Enumerable.Empty<Tensor>())
        {
            tensor.Dispose();
        }

        _inMemory = null;
    }

    private void Write(long step, double accuracy, nn.Module student)
    {
        var parent = Path.GetDirectoryName(Path.GetFullPath(folder!))!;
        Directory.CreateDirectory(parent);

        // Named like the checkpoint store's temporary folders, so one left by a killed process is cleaned up with them.
        var temporary = Path.Combine(parent, $".tmp-best-{Guid.NewGuid():N}");
        Directory.CreateDirectory(temporary);
        try
        {
            var weights = Path.Combine(temporary, WeightsFile);
            SafeTensorsFile.Write(weights, student.state_dict());
            var state = new JsonObject { ["step"] = step, ["accuracy"] = accuracy, ["sha256"] = Hash(weights) };
            AtomicFile.WriteAllText(Path.Combine(temporary, StateFile), state.ToJsonString());
            if (Directory.Exists(folder))
            {
                var old = Path.Combine(parent, $".tmp-best-old-{Guid.NewGuid():N}");
                Directory.Move(folder!, old);
                Directory.Move(temporary, folder!);
                Directory.Delete(old, recursive: true);
            }
            else
            {
                Directory.Move(temporary, folder!);
            }
        }
        finally
        {
            if (Directory.Exists(temporary))
            {
                Directory.Delete(temporary, recursive: true);
            }
        }
    }

    private string? Read(out long step, out double accuracy)
    {
        (step, accuracy) = (0, 0);
        try
        {
            var state = JsonNode.Parse(File.ReadAllText(Path.Combine(folder!, StateFile))) as JsonObject;
            if (state?["step"] is not JsonValue s || !s.TryGetValue(out step) || state["accuracy"] is not JsonValue a || !a.TryGetValue(out accuracy))
            {
                return $"{StateFile} has no step or accuracy";
            }

            var weights = Path.Combine(folder!, WeightsFile);
            if ((string?)state["sha256"] != Hash(weights))
            {
                return $"{WeightsFile} does not match its recorded SHA-256";
            }

            return null;
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException or System.Text.Json.JsonException)
        {
            return e.Message;
        }
    }

    private static string Hash(string file)
    {
        using var stream = File.OpenRead(file);
        return Convert.ToHexStringLower(SHA256.HashData(stream));
    }

    /// <inheritdoc />
    public override string ToString() => Step is { } step ? string.Create(CultureInfo.InvariantCulture, $"step {step}, accuracy {Accuracy:F4}") : "none";
}
