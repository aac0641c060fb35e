using Npgsql;

namespace HcpPlatform.Data.Universal;

/// <summary>
/// The "universal" schema of views (seeds/004's entities, interventions, exposures, outcomes, segments)
/// over the HCP tables. Views bind to the tables they were created on, so they are re-created after
/// migrations and inside every dataset swap.
/// </summary>
public static class UniversalViews
{
    public const string Schema = "universal";

    public static readonly string[] Views = ["entities", "interventions", "exposures", "outcomes", "segments"];

    public static readonly string Sql = Load();

    public static async Task ApplyAsync(NpgsqlConnection connection, NpgsqlTransaction? tx, CancellationToken ct)
    {
        await using var cmd = new NpgsqlCommand(Sql, connection, tx) { CommandTimeout = 0 };
        await cmd.ExecuteNonQueryAsync(ct);
    }

    private static string Load()
    {
        using var stream = typeof(UniversalViews).Assembly.GetManifestResourceStream("HcpPlatform.Data.Universal.universal_views.sql")
            ?? throw new InvalidOperationException("The universal views script is not embedded.");
        using var reader = new StreamReader(stream);
        return reader.ReadToEnd();
    }
}
