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
        Span<byte> bytes = stackalloc byte[16];
        for (var i = 0; i < 8; i++)
        {
            bytes[i] = (byte)(hi >> (56 - 8 * i));
            bytes[8 + i] = (byte)(lo >> (56 - 8 * i));
        }
        bytes[6] = (byte)((bytes[6] & 0x0F) | 0x80); // version 8
        bytes[8] = (byte)((bytes[8] & 0x3F) | 0x80); // RFC variant
        return new Guid(bytes, bigEndian: true);
    }
}
