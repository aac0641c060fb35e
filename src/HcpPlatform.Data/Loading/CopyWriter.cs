using Npgsql;

namespace HcpPlatform.Data.Loading;

/// <summary>Streams rows into a table with Npgsql binary COPY, the fastest way into PostgreSQL short of a file on the server.</summary>
public static class CopyWriter
{
    /// <summary>
    /// Writes <paramref name="rows"/> in one COPY. With <paramref name="freeze"/> the table must have been
    /// created in the connection's current transaction: rows are then written frozen (no later hint-bit
    /// rewrite) and, with wal_level=minimal, without WAL.
    /// </summary>
    public static long Copy<T>(NpgsqlConnection connection, string schema, TableSpec<T> spec, IEnumerable<T> rows, bool freeze, Action<long>? progress = null, CancellationToken ct = default)
    {
        using var importer = connection.BeginBinaryImport(spec.CopyCommand(schema, freeze));
        long count = 0;
        foreach (var row in rows)
        {
            importer.StartRow();
            spec.Write(importer, row);
            count++;
            if ((count & 0x3FFF) == 0)
            {
                ct.ThrowIfCancellationRequested();
                progress?.Invoke(count);
            }
        }
        importer.Complete();
        progress?.Invoke(count);
        return count;
    }
}
