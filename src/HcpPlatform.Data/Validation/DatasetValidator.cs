using System.Diagnostics;
using Npgsql;

namespace HcpPlatform.Data.Validation;

/// <summary>
/// Set-based SQL checks of a dataset schema (the live "hcp" or a build schema before its swap).
/// Every check is one query; nothing loops over rows in C#.
/// </summary>
public static class DatasetValidator
{
    public static async Task<ValidationReport> RunAsync(NpgsqlConnection connection, string schema, ValidationScope scope, CancellationToken ct)
    {
        var clock = Stopwatch.StartNew();
        var checks = new List<CheckResult>();
        if (scope.HasFlag(ValidationScope.Integrity))
        {
            checks.Add(await CountCheckAsync(connection, "npi_unique", "integrity", "NPIs are unique",
                $"SELECT npi FROM \"{schema}\".hcp_profiles GROUP BY npi HAVING count(*) > 1", ct));
            checks.Add(await CountCheckAsync(connection, "outcome_after_stimulus", "integrity", "Every outcome is strictly after its stimulus",
                $"SELECT o.id::text FROM \"{schema}\".outcome_events o JOIN \"{schema}\".stimuli_events s ON s.id = o.stimulus_id WHERE o.event_date <= s.event_date", ct));
        }
        return new ValidationReport(checks, clock.ElapsedMilliseconds);
    }

    /// <summary>A check that passes when <paramref name="offendersSql"/> returns no rows; up to five offenders are reported.</summary>
    internal static async Task<CheckResult> CountCheckAsync(NpgsqlConnection connection, string name, string category, string description, string offendersSql, CancellationToken ct)
    {
        var sql = $"SELECT count(*) OVER (), x::text FROM ({offendersSql}) x LIMIT 5";
        var examples = new List<string>();
        long count = 0;
        await using var cmd = new NpgsqlCommand(sql, connection) { CommandTimeout = 0 };
        await using var reader = await cmd.ExecuteReaderAsync(ct);
        while (await reader.ReadAsync(ct))
        {
            count = reader.GetInt64(0);
            examples.Add(reader.GetString(1));
        }
        return new CheckResult(name, category, count == 0, count, "0 offending rows", description, examples);
    }
}
