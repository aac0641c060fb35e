using System.Buffers;
using System.Buffers.Binary;
using System.Text;

namespace HcpPlatform.Data.Loading;

/// <summary>
/// Rows in PostgreSQL's binary COPY format (https://www.postgresql.org/docs/current/sql-copy.html, "Binary Format"),
/// encoded straight into a buffer that is sent through Npgsql's raw binary COPY stream. Writing each value through
/// Npgsql's typed importer costs a parameter binding per value, which at millions of rows took more CPU than
/// generating them; the few types the dataset uses have fixed, simple encodings.
/// Each row's encoding is also hashed as it is written (<see cref="RowHashSum"/>): a checksum of what was sent, without
/// reading the table back.
/// </summary>
public sealed class CopyRowWriter
{
    /// <summary>Signature, flags (no OIDs) and header extension length.</summary>
    private static ReadOnlySpan<byte> Header =>
        [(byte)'P', (byte)'G', (byte)'C', (byte)'O', (byte)'P', (byte)'Y', (byte)'\n', 0xFF, (byte)'\r', (byte)'\n', 0, 0, 0, 0, 0, 0, 0, 0, 0];

    private const long PostgresEpochTicks = 630822816000000000; // 2000-01-01T00:00:00Z
    private static readonly int PostgresEpochDay = new DateOnly(2000, 1, 1).DayNumber;
    private const int BufferSize = 64 * 1024;

    private readonly Stream _stream;
    private readonly byte[] _buffer = new byte[BufferSize];
    private int _position;

    /// <summary>Where the open row starts in the buffer, or -1 when no row is open.</summary>
    private int _rowStart = -1;
    private RowHash _row;

    /// <summary>The sum (mod 2^64) of the 64-bit hashes of the rows finished so far: independent of row order.</summary>
    public ulong RowHashSum { get; private set; }

    public CopyRowWriter(Stream stream)
    {
        _stream = stream;
        Header.CopyTo(_buffer);
        _position = Header.Length;
    }

    public void StartRow(int columns)
    {
        EndRow();
        Ensure(2);
        _rowStart = _position;
        _row = default;
        BinaryPrimitives.WriteInt16BigEndian(_buffer.AsSpan(_position), checked((short)columns));
        _position += 2;
    }

    public void Null()
    {
        Ensure(4);
        Length(-1);
    }

    public void Uuid(Guid value)
    {
        Ensure(20);
        Length(16);
        // PostgreSQL's uuid is the RFC 9562 byte order: big-endian fields.
        value.TryWriteBytes(_buffer.AsSpan(_position, 16), bigEndian: true, out _);
        _position += 16;
    }

    public void Uuid(Guid? value)
    {
        if (value is { } v)
        {
            Uuid(v);
        }
        else
        {
            Null();
        }
    }

    public void Int4(int value)
    {
        Ensure(8);
        Length(4);
        BinaryPrimitives.WriteInt32BigEndian(_buffer.AsSpan(_position), value);
        _position += 4;
    }

    public void BigInt(long value)
    {
        Ensure(12);
        Length(8);
        BinaryPrimitives.WriteInt64BigEndian(_buffer.AsSpan(_position), value);
        _position += 8;
    }

    public void Float8(double value)
    {
        Ensure(12);
        Length(8);
        BinaryPrimitives.WriteDoubleBigEndian(_buffer.AsSpan(_position), value);
        _position += 8;
    }

    public void Float8(double? value)
    {
        if (value is { } v)
        {
            Float8(v);
        }
        else
        {
            Null();
        }
    }

    public void Bool(bool value)
    {
        Ensure(5);
        Length(1);
        _buffer[_position++] = value ? (byte)1 : (byte)0;
    }

    /// <summary>timestamptz: microseconds since 2000-01-01 UTC (sub-microsecond ticks truncated, as Npgsql does).</summary>
    public void TimestampTz(DateTime value)
    {
        if (value.Kind != DateTimeKind.Utc)
        {
            throw new ArgumentException($"A timestamptz value must be UTC (DateTimeKind.Utc); got {value.Kind} {value:O}.", nameof(value));
        }
        BigInt((value.Ticks - PostgresEpochTicks) / TimeSpan.TicksPerMicrosecond);
    }

    /// <summary>date: days since 2000-01-01.</summary>
    public void Date(DateOnly value) => Int4(value.DayNumber - PostgresEpochDay);

    /// <summary>text or varchar: the UTF-8 bytes.</summary>
    public void Text(string? value)
    {
        if (value is null)
        {
            Null();
            return;
        }
        Utf8(value, prefix: null);
    }

    /// <summary>jsonb: format version 1, then the JSON text in UTF-8 (the server parses and validates it).</summary>
    public void Jsonb(string? value)
    {
        if (value is null)
        {
            Null();
            return;
        }
        Utf8(value, prefix: 1);
    }

    /// <summary>Ends the data (file trailer) and sends what is left in the buffer.</summary>
    public void Finish()
    {
        EndRow();
        Ensure(2);
        BinaryPrimitives.WriteInt16BigEndian(_buffer.AsSpan(_position), -1);
        _position += 2;
        Flush();
    }

    private void Utf8(string value, byte? prefix)
    {
        var extra = prefix is null ? 0 : 1;
        var max = Encoding.UTF8.GetMaxByteCount(value.Length);
        if (4 + extra + max <= BufferSize)
        {
            Ensure(4 + extra + max);
            var start = _position;
            _position += 4;
            if (prefix is { } p)
            {
                _buffer[_position++] = p;
            }
            var written = Encoding.UTF8.GetBytes(value, _buffer.AsSpan(_position));
            _position += written;
            BinaryPrimitives.WriteInt32BigEndian(_buffer.AsSpan(start), extra + written);
            return;
        }
        // Longer than the buffer (large JSON documents): encode aside and send it directly.
        var bytes = ArrayPool<byte>.Shared.Rent(max);
        try
        {
            var written = Encoding.UTF8.GetBytes(value, bytes);
            Ensure(4 + extra);
            Length(extra + written);
            if (prefix is { } p)
            {
                _buffer[_position++] = p;
            }
            Flush();
            _stream.Write(bytes, 0, written);
            _row.Append(bytes.AsSpan(0, written));
        }
        finally
        {
            ArrayPool<byte>.Shared.Return(bytes);
        }
    }

    private void Length(int length)
    {
        BinaryPrimitives.WriteInt32BigEndian(_buffer.AsSpan(_position), length);
        _position += 4;
    }

    private void Ensure(int bytes)
    {
        if (_position + bytes > BufferSize)
        {
            Flush();
        }
    }

    private void EndRow()
    {
        if (_rowStart >= 0)
        {
            _row.Append(_buffer.AsSpan(_rowStart, _position - _rowStart));
            RowHashSum += _row.Finish();
            _rowStart = -1;
        }
    }

    private void Flush()
    {
        if (_rowStart >= 0)
        {
            // The open row continues in the next buffer: hash its part so far.
            _row.Append(_buffer.AsSpan(_rowStart, _position - _rowStart));
            _rowStart = 0;
        }
        if (_position > 0)
        {
            _stream.Write(_buffer, 0, _position);
            _position = 0;
        }
    }
}

/// <summary>
/// A 64-bit hash of a byte stream fed in pieces (the result does not depend on where the pieces split): 8-byte words
/// mixed by multiply and rotate, the length folded in, and a final avalanche (the multipliers are xxHash64's primes and
/// MurmurHash3's finalizer constants). Not cryptographic: it tells datasets apart.
/// </summary>
internal struct RowHash
{
    private const ulong Prime1 = 0x9E3779B185EBCA87UL;
    private const ulong Prime2 = 0xC2B2AE3D27D4EB4FUL;
    private ulong _state;
    private ulong _length;
    private ulong _pending;
    private int _pendingBytes;

    public void Append(ReadOnlySpan<byte> bytes)
    {
        _length += (ulong)bytes.Length;
        while (_pendingBytes > 0 && !bytes.IsEmpty)
        {
            _pending |= (ulong)bytes[0] << (8 * _pendingBytes);
            bytes = bytes[1..];
            if (++_pendingBytes == 8)
            {
                Mix(_pending);
                (_pending, _pendingBytes) = (0, 0);
            }
        }
        while (bytes.Length >= 8)
        {
            Mix(BinaryPrimitives.ReadUInt64LittleEndian(bytes));
            bytes = bytes[8..];
        }
        for (var i = 0; i < bytes.Length; i++)
        {
            _pending |= (ulong)bytes[i] << (8 * _pendingBytes++);
        }
    }

    public ulong Finish()
    {
        if (_pendingBytes > 0)
        {
            Mix(_pending);
        }
        var h = _state ^ (_length * Prime1);
        h ^= h >> 33;
        h *= 0xFF51AFD7ED558CCDUL;
        h ^= h >> 33;
        h *= 0xC4CEB9FE1A85EC53UL;
        return h ^ (h >> 33);
    }

    private void Mix(ulong word) => _state = System.Numerics.BitOperations.RotateLeft(_state ^ (word * Prime2), 31) * Prime1;
}
