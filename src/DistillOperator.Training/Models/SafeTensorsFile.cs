using System.Buffers.Binary;
using System.Runtime.InteropServices;
using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;
using TorchSharp;
using static TorchSharp.torch;

namespace DistillOperator.Training.Models;

/// <summary>
/// Reads and writes the safetensors format: an 8-byte little-endian header length, a JSON header naming each tensor's
/// dtype, shape and byte range, then the raw little-endian data. Tensors are read as float32 (F32, F16 and BF16 files).
/// </summary>
public static class SafeTensorsFile
{
    private const long MaxHeaderBytes = 100L << 20;

    /// <summary>Every tensor of the file, as float32 CPU tensors (the caller disposes them).</summary>
    /// <exception cref="InvalidDataException">The file is truncated or not safetensors; the message names the file.</exception>
    public static Dictionary<string, Tensor> Read(string path)
    {
        var bytes = File.ReadAllBytes(path);
        if (bytes.Length < 8)
        {
            throw new InvalidDataException($"{path}: not a safetensors file (only {bytes.Length} bytes)");
        }

        var headerLength = BinaryPrimitives.ReadInt64LittleEndian(bytes);
        if (headerLength <= 0 || headerLength > MaxHeaderBytes || 8 + headerLength > bytes.Length)
        {
            throw new InvalidDataException($"{path}: not a safetensors file, or truncated (header of {headerLength} bytes in a file of {bytes.Length})");
        }

        JsonObject header;
        try
        {
            header = JsonNode.Parse(bytes.AsSpan(8, (int)headerLength)) as JsonObject ?? throw new InvalidDataException($"{path}: the header is not a JSON object");
        }
        catch (JsonException e)
        {
            throw new InvalidDataException($"{path}: the header is not valid JSON: {e.Message}", e);
        }

        var dataStart = 8 + (int)headerLength;
        var tensors = new Dictionary<string, Tensor>(StringComparer.Ordinal);
        try
        {
            foreach (var (name, entry) in header)
            {
                if (name == "__metadata__")
                {
                    continue;
                }

                var dtype = (string?)entry?["dtype"];
                var shape = entry?["shape"]?.AsArray().Select(d => (long)d!).ToArray() ?? [];
                var offsets = entry?["data_offsets"]?.AsArray().Select(d => (long)d!).ToArray() ?? [];
                if (offsets.Length != 2 || offsets[0] < 0 || offsets[1] < offsets[0] || dataStart + offsets[1] > bytes.Length)
                {
                    throw new InvalidDataException($"{path}: tensor {name}: its data lies outside the file (truncated?)");
                }

                var span = bytes.AsSpan(dataStart + (int)offsets[0], (int)(offsets[1] - offsets[0]));
                var count = shape.Aggregate(1L, (a, b) => a * b);
                var values = dtype switch
                {
                    "F32" => MemoryMarshal.Cast<byte, float>(span).ToArray(),
                    "F16" => [.. MemoryMarshal.Cast<byte, Half>(span).ToArray().Select(h => (float)h)],
                    "BF16" => [.. MemoryMarshal.Cast<byte, ushort>(span).ToArray().Select(b => BitConverter.Int32BitsToSingle(b << 16))],
                    _ => throw new InvalidDataException($"{path}: tensor {name}: dtype {dtype} is not supported (F32, F16, BF16)"),
                };
                if (values.Length != count)
                {
                    throw new InvalidDataException($"{path}: tensor {name}: shape [{string.Join(", ", shape)}] needs {count} values, the data holds {values.Length}");
                }

                tensors[name] = torch.tensor(values, shape);
            }
        }
        catch
        {
            foreach (var tensor in tensors.Values)
            {
                tensor.Dispose();
            }

            throw;
        }

        return tensors;
    }

    /// <summary>Writes the tensors as F32, in name order, atomically.</summary>
    public static void Write(string path, IReadOnlyDictionary<string, Tensor> tensors, IReadOnlyDictionary<string, string>? metadata = null)
    {
        ArgumentNullException.ThrowIfNull(tensors);
        var header = new JsonObject();
        if (metadata is { Count: > 0 })
        {
            header["__metadata__"] = new JsonObject(metadata.Select(m => KeyValuePair.Create(m.Key, (JsonNode?)m.Value)));
        }

        var names = tensors.Keys.Order(StringComparer.Ordinal).ToList();
        var data = new List<float[]>(names.Count);
        long offset = 0;
        foreach (var name in names)
        {
            using var cpu = tensors[name].detach().to(ScalarType.Float32, CPU).contiguous();
            var values = cpu.data<float>().ToArray();
            data.Add(values);
            var end = offset + (values.LongLength * sizeof(float));
            header[name] = new JsonObject
            {
                ["dtype"] = "F32",
                ["shape"] = new JsonArray([.. cpu.shape.Select(d => (JsonNode)d)]),
                ["data_offsets"] = new JsonArray(offset, end),
            };
            offset = end;
        }

        var headerBytes = Encoding.UTF8.GetBytes(header.ToJsonString());
        var padded = (headerBytes.Length + 7) / 8 * 8;
        AtomicFile.Write(path, stream =>
        {
            Span<byte> length = stackalloc byte[8];
            BinaryPrimitives.WriteInt64LittleEndian(length, padded);
            stream.Write(length);
            stream.Write(headerBytes);
            for (var i = headerBytes.Length; i < padded; i++)
            {
                stream.WriteByte((byte)' ');
            }

            foreach (var values in data)
            {
                stream.Write(MemoryMarshal.AsBytes(values.AsSpan()));
            }
        });
    }
}
