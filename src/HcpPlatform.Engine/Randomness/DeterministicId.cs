namespace HcpPlatform.Engine.Randomness;

/// <summary>
/// UUIDs derived from the same keys as the random streams (RFC 9562 version 8, "custom"),
/// so a row's id is a pure function of what the row is, never of when or where it was made.
/// </summary>
public static class DeterministicId
{
    public static Guid Create(long seed, StreamKind kind, long index, long day = 0, long ordinal = 0)
    {
        var key = KeyedRandom.Key(seed, kind, index, day, ordinal);
        var hi = KeyedRandom.Mix(key ^ 0xA5A5A5A5A5A5A5A5UL);
        var lo = KeyedRandom.Mix(key ^ 0x5A5A5A5A5A5A5A5AUL);
        // Sixteen bytes, big-endian: hi then lo; the version in byte 6's high nibble, the variant in byte 8's top two bits.
        hi = (hi & 0xFFFF_FFFF_FFFF_0FFFUL) | 0x8000UL; // version 8
        lo = (lo & 0x3FFF_FFFF_FFFF_FFFFUL) | 0x8000_0000_0000_0000UL; // RFC variant
        Span<byte> bytes = stackalloc byte[16];
        System.Buffers.Binary.BinaryPrimitives.WriteUInt64BigEndian(bytes, hi);
        System.Buffers.Binary.BinaryPrimitives.WriteUInt64BigEndian(bytes[8..], lo);
        return new Guid(bytes, bigEndian: true);
    }
}
