using Npgsql;

namespace HcpPlatform.Data.Loading;

/// <summary>Streams rows into a table with binary COPY, the fastest way into PostgreSQL short of a file on the server.</summary>
public static class CopyWriter
{
    /// <summary>
    /// Writes <paramref name="rows"/> in one COPY. With <paramref name="freeze"/> the table must have been
    /// created in the connection's current transaction: rows are then written frozen (no later hint-bit
    /// rewrite) and, with wal_level=minimal, without WAL. On any failure the COPY is cancelled, so no row of it lands.
    /// </summary>
    public static long Copy<T>(NpgsqlConnection connection, string schema, TableSpec<T> spec, IEnumerable<T> rows, bool freeze, Action<long>? progress = null, CancellationToken ct = default) =>
        CopyCore(connection, schema, spec, rows, freeze, progress, ct).Rows;

    /// <summary>
    /// <see cref="Copy"/>, returning also the checksum of the rows as sent (<see cref="Checksums.FromRowHashes"/>): the
    /// same rows give the same checksum in any order.
    /// </summary>
    public static (long Rows, string Checksum) CopyWithChecksum<T>(NpgsqlConnection connection, string schema, TableSpec<T> spec, IEnumerable<T> rows, bool freeze, Action<long>? progress = null, CancellationToken ct = default)
    {
        var (n, sum) = CopyCore(connection, schema, spec, rows, freeze, progress, ct);
        return (n, Checksums.FromRowHashes(n, sum));
    }

    private static (long Rows, ulong RowHashSum) CopyCore<T>(NpgsqlConnection connection, string schema, TableSpec<T> spec, IEnumerable<T> rows, bool freeze, Action<long>? progress, CancellationToken ct)
    {
        using var stream = connection.BeginRawBinaryCopy(spec.CopyCommand(schema, freeze));
        // No timeout: a COPY of millions of rows takes as long as it takes (ct cancels it).
        stream.ReadTimeout = Timeout.Infinite;
        stream.WriteTimeout = Timeout.Infinite;
        long count = 0;
        var writer = new CopyRowWriter(stream);
        try
        {
            var columns = spec.Columns.Length;
            foreach (var row in rows)
            {
                writer.StartRow(columns);
                spec.Write(writer, row);
                count++;
                if ((count & 0x3FFF) == 0)
                {
                    ct.ThrowIfCancellationRequested();
                    progress?.Invoke(count);
                }
            }
            writer.Finish();
        }
        catch
        {
            // Disposing a raw COPY stream completes the COPY: tell the server to abandon it instead.
            stream.Cancel();
            throw;
        }
        progress?.Invoke(count);
        return (count, writer.RowHashSum);
    }
}
