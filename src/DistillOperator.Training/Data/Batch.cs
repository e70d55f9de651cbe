using static TorchSharp.torch;

namespace DistillOperator.Training.Data;

/// <summary>A padded batch: ids, attention mask and token types [B, L], labels [B], and the examples' dataset indices.</summary>
public sealed class Batch : IDisposable
{
    private Batch(Tensor ids, Tensor mask, Tensor types, Tensor labels, int[] indices)
    {
        Ids = ids;
        Mask = mask;
        Types = types;
        Labels = labels;
        Indices = indices;
    }

    /// <summary>Token ids [B, L].</summary>
    public Tensor Ids { get; }

    /// <summary>1 for tokens, 0 for padding [B, L].</summary>
    public Tensor Mask { get; }

    /// <summary>Token types [B, L].</summary>
    public Tensor Types { get; }

    /// <summary>Class indices [B].</summary>
    public Tensor Labels { get; }

    /// <summary>Dataset indices of the batch's examples, in batch order.</summary>
    public int[] Indices { get; }

    /// <summary>Number of examples.</summary>
    public int Size => Indices.Length;

    /// <summary>Pads the chosen examples to the longest of them (dynamic padding).</summary>
    public static Batch Collate(IReadOnlyList<EncodedExample> examples, IReadOnlyList<int> indices, int padId, Device? device = null)
    {
        ArgumentNullException.ThrowIfNull(examples);
        ArgumentNullException.ThrowIfNull(indices);
        var length = indices.Max(i => examples[i].Ids.Length);
        var ids = new long[indices.Count * length];
        var mask = new long[ids.Length];
        var types = new long[ids.Length];
        var labels = new long[indices.Count];
        Array.Fill(ids, padId);
        for (var row = 0; row < indices.Count; row++)
        {
            var example = examples[indices[row]];
            for (var t = 0; t < example.Ids.Length; t++)
            {
                ids[(row * length) + t] = example.Ids[t];
                mask[(row * length) + t] = 1;
                types[(row * length) + t] = example.TypeIds[t];
            }

            labels[row] = example.Label;
        }

        long[] shape = [indices.Count, length];
        return new Batch(
            tensor(ids, shape, device: device),
            tensor(mask, shape, device: device),
            tensor(types, shape, device: device),
            tensor(labels, device: device),
            [.. indices]);
    }

    /// <inheritdoc />
    public void Dispose()
    {
        Ids.Dispose();
        Mask.Dispose();
        Types.Dispose();
        Labels.Dispose();
    }
}
