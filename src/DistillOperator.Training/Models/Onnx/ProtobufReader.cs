using System.Buffers.Binary;
using System.Text;

namespace DistillOperator.Training.Models.Onnx;

/// <summary>A minimal reader of the protobuf wire format: enough to walk an ONNX model's graph.</summary>
internal ref struct ProtobufReader(ReadOnlySpan<byte> data)
{
    private readonly ReadOnlySpan<byte> _data = data;
    private int _position;

    public readonly bool AtEnd => _position >= _data.Length;

    /// <summary>Reads the next field's number and wire type.</summary>
    public (int Field, int WireType) ReadTag()
    {
        var tag = ReadVarint();
        return ((int)(tag >> 3), (int)(tag & 7));
    }

    public ulong ReadVarint()
    {
        ulong value = 0;
        for (var shift = 0; shift < 64; shift += 7)
        {
            var b = _data[_position++];
            value |= (ulong)(b & 0x7F) << shift;
            if ((b & 0x80) == 0)
            {
                return value;
            }
        }

        throw new InvalidDataException("malformed protobuf varint");
    }

    public ReadOnlySpan<byte> ReadBytes()
    {
        var length = checked((int)ReadVarint());
        var bytes = _data.Slice(_position, length);
        _position += length;
        return bytes;
    }

    public string ReadString() => Encoding.UTF8.GetString(ReadBytes());

    public float ReadFixed32Float()
    {
        var value = BinaryPrimitives.ReadSingleLittleEndian(_data[_position..]);
        _position += 4;
        return value;
    }

    /// <summary>Skips a field of the given wire type.</summary>
    public void Skip(int wireType)
    {
        switch (wireType)
        {
            case 0:
                ReadVarint();
                break;
            case 1:
                _position += 8;
                break;
            case 2:
                ReadBytes();
                break;
            case 5:
                _position += 4;
                break;
            default:
                throw new InvalidDataException($"unsupported protobuf wire type {wireType}");
        }
    }

    /// <summary>Reads a repeated int64 field, packed (wire type 2) or not (0).</summary>
    public void ReadInt64s(int wireType, List<long> into)
    {
        if (wireType == 0)
        {
            into.Add((long)ReadVarint());
            return;
        }

        var packed = new ProtobufReader(ReadBytes());
        while (!packed.AtEnd)
        {
            into.Add((long)packed.ReadVarint());
        }
    }
}
