using System.Globalization;
using HcpPlatform.Data.Validation;
using HcpPlatform.Testing;
using Xunit.Abstractions;

namespace HcpPlatform.Validation.Tests;

/// <summary>
/// On a freshly generated development dataset every check passes (issue 5 acceptance). The timed query checks are left
/// out of these correctness tests: their figures belong to bench/ (bench/run.sh times 'hcp validate').
/// </summary>
[Collection(DevelopmentDatasetGroup.Name)]
public sealed class CleanDatasetTests(DevelopmentDatasetFixture f, ITestOutputHelper output)
{
    [Fact]
    public async Task Every_check_passes_on_a_fresh_development_dataset()
    {
        var report = await f.ValidateAsync(ValidationScope.AllButPerformance);
        foreach (var c in report.Checks)
        {
            output.WriteLine(string.Create(CultureInfo.InvariantCulture,
                $"{c.Category,-11} {c.Name,-36} {(c.Passed ? "pass" : "FAIL")} {c.Measured,10:0.####}  {c.Threshold}  {string.Join(" | ", c.Examples.Take(2))}"));
        }
        output.WriteLine($"{report.Checks.Count} checks in {report.DurationMs} ms");
        Assert.True(report.Passed, "failed: " + string.Join(", ", report.Checks.Where(c => !c.Passed).Select(c => $"{c.Name} ({string.Join("; ", c.Examples)})")));
        Assert.Equal(report.Checks.Count, report.Checks.Select(c => c.Name).Distinct().Count());
        foreach (var scope in new[] { "integrity", "structure", "volumes", "fidelity" })
        {
            Assert.Contains(report.Checks, c => c.Category == scope);
        }
    }

    [Fact]
    public async Task Every_response_rate_is_a_rate_of_answered_touches()
    {
        // responseRate: the share of a channel's touches answered by at least one outcome (an email opened and clicked is
        // one answered touch), so never above 100, and equal to it recounted from the events.
        await using var connection = await f.OpenAsync();
        var offenders = await Sql.ScalarAsync<long>(connection, """
            WITH rate AS (
                SELECT p.id, e->>'channel' AS channel, (e->>'responseRate')::float8 AS stored, (e->>'totalTouches')::int AS touches
                FROM hcp.hcp_profiles p, jsonb_array_elements(p.channel_engagements) e
            ),
            answered AS (
                SELECT s.hcp_id, s.channel, count(*) FILTER (WHERE EXISTS (SELECT 1 FROM hcp.outcome_events o WHERE o.stimulus_id = s.id)) AS n
                FROM hcp.stimuli_events s GROUP BY 1, 2
            )
            SELECT count(*) FROM rate r LEFT JOIN answered a ON a.hcp_id = r.id AND a.channel = r.channel
            WHERE r.stored > 100 OR (r.touches > 0 AND abs(r.stored - round(100.0 * coalesce(a.n, 0) / r.touches, 2)) > 0.005)
            """);
        Assert.Equal(0, offenders);
        Assert.True(await Sql.ScalarAsync<bool>(connection, """
            SELECT max((e->>'responseRate')::float8) = 100 FROM hcp.hcp_profiles p, jsonb_array_elements(p.channel_engagements) e
            """), "some HCP answers every touch of a channel (a rate reaches 100)");
    }

    [Fact]
    public void The_loader_validated_the_build_schema_before_swapping_it_in()
    {
        var report = f.Backfill.Validation;
        Assert.True(report.Passed, "failed: " + string.Join(", ", report.Checks.Where(c => !c.Passed).Select(c => c.Name)));
        // The swap is gated on what must be exactly right; the statistical checks, and the stored aggregates the
        // loader has just computed with the very queries that would check them, are validated after the swap.
        Assert.All(report.Checks, c => Assert.Contains(c.Category, new[] { "integrity", "structure" }));
        Assert.Contains(report.Checks, c => c.Name == "one_primary_rep");
        Assert.Contains(report.Checks, c => c.Name == "fk_outcomes_stimulus");
        Assert.DoesNotContain(report.Checks, c => c.Name == "channel_engagements_match");
        output.WriteLine($"backfill validate stage: {report.DurationMs} ms for {report.Checks.Count} checks");
    }

    [Fact]
    public async Task The_swapped_in_dataset_has_exactly_the_keys_constraints_and_indexes_of_the_migrations()
    {
        // The loader builds them on the build schema from the live schema's catalog, after the load: a partial index's
        // predicate, a key's columns or a foreign key's delete rule must survive the round trip.
        const string definitions = """
            SELECT i.relname || ': ' || pg_get_indexdef(x.indexrelid)
            FROM pg_index x JOIN pg_class i ON i.oid = x.indexrelid JOIN pg_namespace n ON n.oid = i.relnamespace
            WHERE n.nspname = 'hcp'
            UNION ALL
            SELECT t.relname || '.' || c.conname || ': ' || pg_get_constraintdef(c.oid)
            FROM pg_constraint c JOIN pg_class t ON t.oid = c.conrelid
            WHERE c.connamespace = 'hcp'::regnamespace
            ORDER BY 1
            """;
        async Task<List<string>> Read(string connectionString)
        {
            await using var connection = new Npgsql.NpgsqlConnection(connectionString);
            await connection.OpenAsync();
            var rows = new List<string>();
            await using var cmd = new Npgsql.NpgsqlCommand(definitions, connection);
            await using var reader = await cmd.ExecuteReaderAsync();
            while (await reader.ReadAsync())
            {
                rows.Add(reader.GetString(0));
            }
            return rows;
        }

        var migrated = await Read(await f.CreateMigratedDatabaseAsync());
        var backfilled = await Read(f.ConnectionString);
        Assert.Equal(migrated, backfilled);
        Assert.Contains("ix_stimuli_events_campaign_id: CREATE INDEX ix_stimuli_events_campaign_id ON hcp.stimuli_events USING btree (campaign_id) WHERE (campaign_id IS NOT NULL)", backfilled);
    }

    [Fact]
    public async Task Checks_spread_over_several_connections_report_what_one_connection_reports()
    {
        var alone = await f.ValidateAsync(ValidationScope.AllButPerformance);
        var spread = await DatasetValidator.RunAsync(DataSources.For(f.ConnectionString), DevelopmentDatasetFixture.Schema, ValidationScope.AllButPerformance, 3, CancellationToken.None);
        Assert.Equal(alone.Checks.Select(c => (c.Name, c.Passed, c.Measured)), spread.Checks.Select(c => (c.Name, c.Passed, c.Measured)));
        output.WriteLine($"one connection {alone.DurationMs} ms, three {spread.DurationMs} ms");
    }

    [Fact]
    public async Task A_reference_guarded_by_a_validated_constraint_is_not_scanned_again()
    {
        var report = await f.ValidateAsync(ValidationScope.Integrity);
        var guarded = report["fk_stimuli_hcp"]!;
        Assert.True(guarded.Passed);
        Assert.Contains("Guaranteed by its validated foreign key constraint", guarded.Description, StringComparison.Ordinal);
        // Rep ids are not unique in territory_assignments, so no constraint can guard them: always anti-joined.
        Assert.Contains("Anti-join", report["fk_stimuli_rep"]!.Description, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Checks_run_against_any_schema_name_such_as_a_build_schema()
    {
        await using var connection = await f.OpenAsync();
        await using var tx = await connection.BeginTransactionAsync();
        await Sql.ExecuteAsync(connection, "ALTER SCHEMA hcp RENAME TO \"Hcp Build 1\"");
        var report = await DatasetValidator.RunAsync(connection, "Hcp Build 1", ValidationScope.AllButPerformance, CancellationToken.None);
        await tx.RollbackAsync();
        Assert.True(report.Passed, "failed: " + string.Join(", ", report.Checks.Where(c => !c.Passed).Select(c => $"{c.Name} ({string.Join("; ", c.Examples)})")));
    }

    [Fact]
    public async Task A_schema_without_a_dataset_fails_one_check_that_says_so()
    {
        await using var connection = await f.OpenAsync();
        var report = await DatasetValidator.RunAsync(connection, "no_such_schema", ValidationScope.All, CancellationToken.None);
        var check = Assert.Single(report.Checks);
        Assert.Equal("dataset_described", check.Name);
        Assert.False(report.Passed);
    }

    [Fact]
    public async Task The_session_settings_are_restored_after_validation()
    {
        await using var connection = await f.OpenAsync();
        await Sql.ExecuteAsync(connection, "SET work_mem = '5MB'");
        var before = await Sql.ScalarAsync<string>(connection, "SELECT current_setting('work_mem') || ' ' || current_setting('jit')");
        await DatasetValidator.RunAsync(connection, DevelopmentDatasetFixture.Schema, ValidationScope.Volumes, CancellationToken.None);
        var after = await Sql.ScalarAsync<string>(connection, "SELECT current_setting('work_mem') || ' ' || current_setting('jit')");
        Assert.Equal(before, after);
        Assert.StartsWith("5MB", after, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("1234567893")]
    [InlineData("1558598797")]
    [InlineData("1528060837")]
    public async Task Published_valid_npis_pass_the_sql_check_digit(string npi)
    {
        await using var connection = await f.OpenAsync();
        await using var tx = await connection.BeginTransactionAsync();
        await Sql.ExecuteAsync(connection, $"UPDATE hcp.hcp_profiles SET npi = '{npi}' WHERE hcp_index = 0");
        var report = await DatasetValidator.RunAsync(connection, DevelopmentDatasetFixture.Schema, ValidationScope.Integrity, CancellationToken.None);
        await tx.RollbackAsync();
        Assert.True(report["npi_check_digit"]!.Passed);
    }
}
