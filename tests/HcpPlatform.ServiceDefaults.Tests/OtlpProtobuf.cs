using System.Buffers.Binary;
using System.Globalization;
using System.Text;

namespace HcpPlatform.ServiceDefaults.Tests;

/// <summary>A span read from an OTLP TracesData message: instrumentation scope, name and attributes.</summary>
internal sealed record OtlpSpan(string Scope, string Name, IReadOnlyDictionary<string, string> Attributes);

/// <summary>
/// Just enough protobuf wire-format reading to list the spans of an OTLP ExportTraceServiceRequest
/// (resource_spans=1 → scope_spans=2 → scope=1{name=1}, spans=2{name=5, attributes=9{key=1, value=2}}).
/// </summary>
internal static class OtlpProtobuf
{
    private readonly record struct Field(int Number, ulong Varint, ReadOnlyMemory<byte> Bytes);

    public static bool Contains(byte[] body, string text) =>
        body.AsSpan().IndexOf(Encoding.UTF8.GetBytes(text)) >= 0;

    public static List<OtlpSpan> ReadSpans(byte[] tracesData)
    {
        var spans = new List<OtlpSpan>();
        foreach (var resourceSpans in Fields(tracesData, 1))
        {
            foreach (var scopeSpans in Fields(resourceSpans.Bytes, 2))
            {
                var scope = Fields(scopeSpans.Bytes, 1).Select(s => String(s.Bytes, 1)).FirstOrDefault() ?? "";
                foreach (var span in Fields(scopeSpans.Bytes, 2))
                {
                    var attributes = new Dictionary<string, string>();
                    foreach (var keyValue in Fields(span.Bytes, 9))
                    {
                        var key = String(keyValue.Bytes, 1) ?? "";
                        var value = Fields(keyValue.Bytes, 2).Select(v => AnyValue(v.Bytes)).FirstOrDefault() ?? "";
                        attributes[key] = value;
                    }
                    spans.Add(new OtlpSpan(scope, String(span.Bytes, 5) ?? "", attributes));
                }
            }
        }
        return spans;
    }

    private static string? AnyValue(ReadOnlyMemory<byte> anyValue)
    {
        foreach (var field in ReadAll(anyValue))
        {
            switch (field.Number)
            {
                case 1: return Encoding.UTF8.GetString(field.Bytes.Span);
                case 2: return field.Varint != 0 ? "true" : "false";
                case 3: return ((long)field.Varint).ToString(CultureInfo.InvariantCulture);
                case 4: return BitConverter.Int64BitsToDouble((long)field.Varint).ToString(CultureInfo.InvariantCulture);
            }
        }
        return null;
    }

    private static string? String(ReadOnlyMemory<byte> message, int number) =>
        Fields(message, number).Select(f => Encoding.UTF8.GetString(f.Bytes.Span)).FirstOrDefault();

    private static IEnumerable<Field> Fields(ReadOnlyMemory<byte> message, int number) =>
        ReadAll(message).Where(f => f.Number == number);

    private static List<Field> ReadAll(ReadOnlyMemory<byte> message)
    {
        var fields = new List<Field>();
        var span = message.Span;
        var position = 0;
        while (position < span.Length)
        {
            var key = ReadVarint(span, ref position);
            var number = (int)(key >> 3);
            switch (key & 7)
            {
                case 0:
                    fields.Add(new Field(number, ReadVarint(span, ref position), default));
                    break;
                case 1:
                    fields.Add(new Field(number, BinaryPrimitives.ReadUInt64LittleEndian(span[position..]), message.Slice(position, 8)));
                    position += 8;
                    break;
                case 2:
                    var length = (int)ReadVarint(span, ref position);
                    fields.Add(new Field(number, 0, message.Slice(position, length)));
                    position += length;
                    break;
                case 5:
                    fields.Add(new Field(number, BinaryPrimitives.ReadUInt32LittleEndian(span[position..]), message.Slice(position, 4)));
                    position += 4;
                    break;
                default:
                    throw new InvalidDataException($"Unsupported protobuf wire type {key & 7}.");
            }
        }
        return fields;
    }

    private static ulong ReadVarint(ReadOnlySpan<byte> span, ref int position)
    {
        ulong value = 0;
        for (var shift = 0; ; shift += 7)
        {
            var b = span[position++];
            value |= (ulong)(b & 0x7F) << shift;
            if (b < 0x80)
            {
                return value;
            }
        }
    }
}
