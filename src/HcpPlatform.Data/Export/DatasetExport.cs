using System.Security.Cryptography;
using System.Text.Json;
using HcpPlatform.Data.Loading;
using Npgsql;

namespace HcpPlatform.Data.Export;

public sealed record ExportedFile(string File, string Table, long Rows, string Sha256);

public sealed record ExportManifest(Guid DatasetId, long Seed, int Hcps, DateOnly SimulatedThrough, DateTime ExportedAt, IReadOnlyList<ExportedFile> Files);

/// <summary>Writes every dataset table and universal view as CSV (PostgreSQL's own CSV via COPY TO STDOUT), the ground truth as JSON, and a manifest.</summary>
public static class DatasetExport
{
    private static readonly JsonSerializerOptions ManifestJson = new() { WriteIndented = true, PropertyNamingPolicy = JsonNamingPolicy.CamelCase };

    public static async Task<ExportManifest?> WriteCsvAsync(NpgsqlDataSource dataSource, string directory, CancellationToken ct)
    {
        ArgumentNullException.ThrowIfNull(dataSource);
        await using var connection = await dataSource.OpenConnectionAsync(ct);
        // One snapshot for every file, so the export is consistent even while increments run.
        await using var tx = await connection.BeginTransactionAsync(System.Data.IsolationLevel.RepeatableRead, ct);
        var state = await DatasetState.ReadAsync(connection, ct, tx);
        if (state is null)
        {
            return null;
        }
        Directory.CreateDirectory(directory);
        var files = new List<ExportedFile>();
        var sources = DatasetTables.All.Select(t => (Name: t, Relation: $"hcp.{t}", Order: "ORDER BY id"))
            .Concat(Universal.UniversalViews.Views.Select(v => (Name: "universal_" + v, Relation: $"universal.{v}", Order: "")));
        foreach (var (table, relation, order) in sources)
        {
            var file = Path.Combine(directory, table + ".csv");
            using (var reader = await connection.BeginTextExportAsync($"COPY (SELECT * FROM {relation} {order}) TO STDOUT (FORMAT csv, HEADER)", ct))
            await using (var writer = new StreamWriter(file, append: false, new System.Text.UTF8Encoding(false)))
            {
                var buffer = new char[64 * 1024];
                int read;
                while ((read = await reader.ReadAsync(buffer, ct)) > 0)
                {
                    await writer.WriteAsync(buffer.AsMemory(0, read), ct);
                }
            }
            await using var count = new NpgsqlCommand($"SELECT count(*) FROM {relation}", connection, tx) { CommandTimeout = 0 };
            files.Add(new ExportedFile(Path.GetFileName(file), table, (long)(await count.ExecuteScalarAsync(ct))!, await HashAsync(file, ct)));
        }

        var truthFile = Path.Combine(directory, "ground_truth.json");
        await using (var cmd = new NpgsqlCommand("SELECT coalesce(jsonb_agg(to_jsonb(g) - 'id' ORDER BY parameter, channel, tier, segment, outcome_type, period), '[]')::text FROM hcp.ground_truth g", connection, tx))
        {
            await File.WriteAllTextAsync(truthFile, (string)(await cmd.ExecuteScalarAsync(ct))!, ct);
        }
        files.Add(new ExportedFile("ground_truth.json", "ground_truth", -1, await HashAsync(truthFile, ct)));
        await tx.CommitAsync(ct);

        var manifest = new ExportManifest(state.Id, state.Seed, state.HcpCount, state.SimulatedThrough, DateTime.UtcNow, files);
        await File.WriteAllTextAsync(Path.Combine(directory, "manifest.json"),
            JsonSerializer.Serialize(manifest, ManifestJson), ct);
        return manifest;
    }

    private static async Task<string> HashAsync(string file, CancellationToken ct)
    {
        await using var stream = File.OpenRead(file);
        return Convert.ToHexStringLower(await SHA256.HashDataAsync(stream, ct));
    }
}
