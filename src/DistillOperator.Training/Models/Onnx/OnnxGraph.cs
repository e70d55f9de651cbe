using System.Runtime.InteropServices;

namespace DistillOperator.Training.Models.Onnx;

/// <summary>A tensor stored in an ONNX model (an initializer or a Constant node's value).</summary>
internal sealed record OnnxTensor(string Name, long[] Dims, int DataType, float[]? Floats, long[]? Int64s)
{
    public const int Float = 1;
    public const int Int64 = 7;
}

/// <summary>A node of an ONNX graph.</summary>
internal sealed record OnnxNode(string OpType, string Name, IReadOnlyList<string> Inputs, IReadOnlyList<string> Outputs, IReadOnlyDictionary<string, long> IntAttributes, OnnxTensor? Value);

/// <summary>The parts of an ONNX model's graph that weight recovery needs: initializers and nodes.</summary>
internal sealed class OnnxGraph
{
    private OnnxGraph(Dictionary<string, OnnxTensor> initializers, List<OnnxNode> nodes)
    {
        Initializers = initializers;
        Nodes = nodes;
    }

    public IReadOnlyDictionary<string, OnnxTensor> Initializers { get; }

    public IReadOnlyList<OnnxNode> Nodes { get; }

    public static OnnxGraph Read(string path)
    {
        var bytes = File.ReadAllBytes(path);
        try
        {
            var model = new ProtobufReader(bytes);
            while (!model.AtEnd)
            {
                var (field, wire) = model.ReadTag();
                if (field == 7 && wire == 2)
                {
                    return ReadGraph(model.ReadBytes());
                }

                model.Skip(wire);
            }
        }
        catch (Exception e) when (e is IndexOutOfRangeException or ArgumentOutOfRangeException or OverflowException)
        {
            throw new InvalidDataException($"{path}: not a valid ONNX model (truncated or not protobuf)", e);
        }

        throw new InvalidDataException($"{path}: not an ONNX model: no graph");
    }

    private static OnnxGraph ReadGraph(ReadOnlySpan<byte> data)
    {
        var initializers = new Dictionary<string, OnnxTensor>(StringComparer.Ordinal);
        var nodes = new List<OnnxNode>();
        var reader = new ProtobufReader(data);
        while (!reader.AtEnd)
        {
            var (field, wire) = reader.ReadTag();
            switch (field)
            {
                case 1 when wire == 2:
                    nodes.Add(ReadNode(reader.ReadBytes()));
                    break;
                case 5 when wire == 2:
                    var tensor = ReadTensor(reader.ReadBytes());
                    initializers[tensor.Name] = tensor;
                    break;
                default:
                    reader.Skip(wire);
                    break;
            }
        }

        return new OnnxGraph(initializers, nodes);
    }

    private static OnnxNode ReadNode(ReadOnlySpan<byte> data)
    {
        var inputs = new List<string>();
        var outputs = new List<string>();
        var ints = new Dictionary<string, long>(StringComparer.Ordinal);
        string opType = "", name = "";
        OnnxTensor? value = null;
        var reader = new ProtobufReader(data);
        while (!reader.AtEnd)
        {
            var (field, wire) = reader.ReadTag();
            switch (field)
            {
                case 1 when wire == 2: inputs.Add(reader.ReadString()); break;
                case 2 when wire == 2: outputs.Add(reader.ReadString()); break;
                case 3 when wire == 2: name = reader.ReadString(); break;
                case 4 when wire == 2: opType = reader.ReadString(); break;
                case 5 when wire == 2:
                    var (attributeName, intValue, tensor) = ReadAttribute(reader.ReadBytes());
                    if (intValue is { } i)
                    {
                        ints[attributeName] = i;
                    }

                    if (tensor is not null && attributeName == "value")
                    {
                        value = tensor;
                    }

                    break;
                default: reader.Skip(wire); break;
            }
        }

        return new OnnxNode(opType, name, inputs, outputs, ints, value);
    }

    private static (string Name, long? Int, OnnxTensor? Tensor) ReadAttribute(ReadOnlySpan<byte> data)
    {
        string name = "";
        long? integer = null;
        OnnxTensor? tensor = null;
        var reader = new ProtobufReader(data);
        while (!reader.AtEnd)
        {
            var (field, wire) = reader.ReadTag();
            switch (field)
            {
                case 1 when wire == 2: name = reader.ReadString(); break;
                case 3 when wire == 0: integer = (long)reader.ReadVarint(); break;
                case 5 when wire == 2: tensor = ReadTensor(reader.ReadBytes()); break;
                default: reader.Skip(wire); break;
            }
        }

        return (name, integer, tensor);
    }

    private static OnnxTensor ReadTensor(ReadOnlySpan<byte> data)
    {
        var dims = new List<long>();
        var int64s = new List<long>();
        var floats = new List<float>();
        byte[]? raw = null;
        var dataType = 0;
        var name = "";
        var reader = new ProtobufReader(data);
        while (!reader.AtEnd)
        {
            var (field, wire) = reader.ReadTag();
            switch (field)
            {
                case 1: reader.ReadInt64s(wire, dims); break;
                case 2 when wire == 0: dataType = (int)reader.ReadVarint(); break;
                case 4 when wire == 2:
                    floats.AddRange(MemoryMarshal.Cast<byte, float>(reader.ReadBytes()).ToArray());
                    break;
                case 4 when wire == 5: floats.Add(reader.ReadFixed32Float()); break;
                case 7: reader.ReadInt64s(wire, int64s); break;
                case 8 when wire == 2: name = reader.ReadString(); break;
                case 9 when wire == 2: raw = reader.ReadBytes().ToArray(); break;
                case 14 when wire == 0:
                    if (reader.ReadVarint() == 1)
                    {
                        throw new InvalidDataException($"tensor {name} keeps its data in an external file, which is not supported; export with the weights inside the .onnx file");
                    }

                    break;
                default: reader.Skip(wire); break;
            }
        }

        return dataType switch
        {
            OnnxTensor.Float => new OnnxTensor(name, [.. dims], dataType, raw is null ? [.. floats] : MemoryMarshal.Cast<byte, float>(raw).ToArray(), null),
            OnnxTensor.Int64 => new OnnxTensor(name, [.. dims], dataType, null, raw is null ? [.. int64s] : MemoryMarshal.Cast<byte, long>(raw).ToArray()),
            _ => new OnnxTensor(name, [.. dims], dataType, null, null),
        };
    }
}
