using System.Security.Cryptography;
using System.Text;
using Npgsql;

namespace HcpPlatform.Data.Universal;

/// <summary>
/// The "universal" schema of views (seeds/004's entities, interventions, exposures, outcomes, segments)
/// over the HCP tables. Views bind to the tables they were created on, so they are re-created inside every
/// dataset swap, and by the migrator after migrations or when they differ from this build's script.
/// </summary>
public static class UniversalViews
{
    public const string Schema = "universal";

    public static readonly string[] Views = ["entities", "interventions", "exposures", "outcomes", "segments"];

    public static readonly string Sql = Load();

    /// <summary>The script's fingerprint, kept as the schema's comment by <see cref="ApplyAsync"/>.</summary>
    private static readonly string Fingerprint =
        "universal views " + Convert.ToHexString(SHA256.HashData(Encoding.UTF8.GetBytes(Sql)))[..16].ToLowerInvariant();

    /// <summary>(Re-)creates the views and records which script made them.</summary>
    public static async Task ApplyAsync(NpgsqlConnection connection, NpgsqlTransaction? tx, CancellationToken ct)
    {
        await using var cmd = new NpgsqlCommand($"{Sql.TrimEnd().TrimEnd(';')};\nCOMMENT ON SCHEMA {Schema} IS '{Fingerprint}'", connection, tx) { CommandTimeout = 0 };
        await cmd.ExecuteNonQueryAsync(ct);
    }

    /// <summary>
    /// Whether every view exists as this build's script made it. Re-creating them takes an exclusive lock on each (a
    /// query reading one would hold every command up) and leaves dead catalog rows, so the migrator does it only when needed.
    /// </summary>
    public static async Task<bool> AreCurrentAsync(NpgsqlConnection connection, CancellationToken ct, NpgsqlTransaction? tx = null)
    {
        await using var cmd = new NpgsqlCommand("""
            SELECT obj_description(n.oid, 'pg_namespace') = @fingerprint
               AND (SELECT count(*) FROM pg_class c WHERE c.relnamespace = n.oid AND c.relkind = 'v' AND c.relname = ANY(@views)) = cardinality(@views)
            FROM pg_namespace n WHERE n.nspname = @schema
            """, connection, tx);
        cmd.Parameters.AddWithValue("fingerprint", Fingerprint);
        cmd.Parameters.AddWithValue("views", Views);
        cmd.Parameters.AddWithValue("schema", Schema);
        return await cmd.ExecuteScalarAsync(ct) is true;
    }

    private static string Load()
    {
        using var stream = typeof(UniversalViews).Assembly.GetManifestResourceStream("HcpPlatform.Data.Universal.universal_views.sql")
            ?? throw new InvalidOperationException("The universal views script is not embedded.");
        using var reader = new StreamReader(stream);
        return reader.ReadToEnd();
    }
}
