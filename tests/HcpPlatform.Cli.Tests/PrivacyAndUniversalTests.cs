using System.Text.Json;
using HcpPlatform.Testing;

namespace HcpPlatform.Cli.Tests;

[Collection(PostgresFixture.CollectionName)]
public sealed class PrivacyAndUniversalTests(PostgresFixture postgres)
{
    private static readonly string[] Generate = ["generate", "--seed=5", "--hcps=300", "--months=3", "--as-of=2026-03-31"];

    private async Task<string> DatasetAsync()
    {
        var db = await postgres.CreateDatabaseAsync();
        var run = await CliProcess.RunAsync(db, Generate);
        Assert.True(run.ExitCode == 0, run.Stderr);
        return db;
    }

    [Fact]
    public async Task Universal_views_mirror_their_sources_and_answer_the_004_queries()
    {
        var db = await DatasetAsync();
        async Task<long> Count(string sql) => await Sql.ScalarAsync<long>(db, sql);
        Assert.Equal(await Count("SELECT count(*) FROM hcp.hcp_profiles"), await Count("SELECT count(*) FROM universal.entities"));
        Assert.Equal(await Count("SELECT count(*) FROM hcp.campaigns"), await Count("SELECT count(*) FROM universal.interventions"));
        Assert.Equal(await Count("SELECT count(*) FROM hcp.stimuli_events"), await Count("SELECT count(*) FROM universal.exposures"));
        Assert.Equal(await Count("SELECT count(*) FROM hcp.outcome_events"), await Count("SELECT count(*) FROM universal.outcomes"));
        Assert.Equal(await Count("SELECT count(DISTINCT segment) * count(DISTINCT date_trunc('month', s.event_date)) FROM hcp.hcp_profiles, hcp.stimuli_events s"),
            await Count("SELECT count(*) FROM universal.segments"));

        // A few values by hand.
        Assert.Equal(0, await Count("""
            SELECT count(*) FROM universal.entities e JOIN hcp.hcp_profiles p ON p.id = e.entity_id
            WHERE e.external_id <> p.npi OR e.attributes->>'specialty' <> p.specialty OR e.attributes->>'industry' <> 'healthcare' OR e.segment_id <> p.segment
            """));
        Assert.Equal(0, await Count("""
            WITH first_two AS (
                SELECT s.id, row_number() OVER (PARTITION BY s.hcp_id ORDER BY s.event_date, s.id) AS n,
                       s.event_date - lag(s.event_date) OVER (PARTITION BY s.hcp_id ORDER BY s.event_date, s.id) AS gap
                FROM hcp.stimuli_events s)
            SELECT count(*) FROM first_two f JOIN universal.exposures x ON x.exposure_id = f.id
            WHERE x.exposure_number <> f.n OR x.total_previous_exposures <> f.n - 1
               OR (f.n = 1 AND x.days_since_last_exposure IS NOT NULL) OR (f.n > 1 AND x.days_since_last_exposure <> extract(day FROM f.gap))
            """));
        Assert.Equal(0, await Count("""
            SELECT count(*) FROM universal.outcomes u JOIN hcp.outcome_events o ON o.id = u.outcome_id
            WHERE u.exposure_id <> o.stimulus_id OR u.attribution_weight <> round(o.attribution_confidence::numeric, 2) OR u.attribution_model <> 'last_touch'
            """));

        // seeds/004 "Cross-Industry Intervention Performance", unchanged but for the schema name.
        Assert.True(await Count("""
            WITH intervention_stats AS (
                SELECT i.category, e.attributes->>'industry' as industry,
                    COUNT(DISTINCT o.entity_id) as responders, COUNT(DISTINCT ex.entity_id) as exposed, AVG(o.outcome_value) as avg_value
                FROM universal.interventions i
                JOIN universal.exposures ex ON i.intervention_id = ex.intervention_id
                LEFT JOIN universal.outcomes o ON ex.exposure_id = o.exposure_id
                JOIN universal.entities e ON ex.entity_id = e.entity_id
                WHERE i.start_date >= '2024-01-01'
                GROUP BY 1, 2)
            SELECT count(*) FROM intervention_stats WHERE responders::float / exposed BETWEEN 0 AND 1 AND industry = 'healthcare'
            """) >= 2);
        // seeds/004 "Segment Evolution Tracking".
        Assert.True(await Count("""
            SELECT count(*) FROM (SELECT segment_id, date_trunc('month', updated_at) as month, current_size, avg_lifetime_value, avg_response_rate
            FROM universal.segments WHERE is_active = true ORDER BY segment_id, month) x WHERE avg_response_rate BETWEEN 0.05 AND 0.6
            """) >= 10);

        // The views survive a regeneration (the swap re-creates them on the new tables).
        var again = await CliProcess.RunAsync(db, [.. Generate.Select(a => a == "--hcps=300" ? "--hcps=350" : a), "--wipe", "--yes"]);
        Assert.True(again.ExitCode == 0, again.Stderr);
        Assert.Equal(350, await Count("SELECT count(*) FROM universal.entities"));
    }

    [Fact]
    public async Task Erasing_an_hcp_removes_everything_about_them_keeps_the_dataset_valid_and_sticks()
    {
        var db = await DatasetAsync();
        var npi = await Sql.ScalarAsync<string>(db, "SELECT p.npi FROM hcp.hcp_profiles p WHERE EXISTS (SELECT 1 FROM hcp.campaign_participation c WHERE c.hcp_id = p.id) ORDER BY p.hcp_index LIMIT 1");

        var refused = await CliProcess.RunAsync(db, "privacy", "erase", $"--npi={npi}");
        Assert.Equal(2, refused.ExitCode);
        Assert.Contains("add --yes", refused.Stderr, StringComparison.Ordinal);

        var access = await CliProcess.RunAsync(db, "privacy", "access", $"--npi={npi}");
        Assert.True(access.ExitCode == 0, access.Stderr);
        using (var doc = JsonDocument.Parse(access.Stdout))
        {
            Assert.Equal(npi, doc.RootElement.GetProperty("profile").GetProperty("npi").GetString());
            Assert.True(doc.RootElement.GetProperty("stimuli_events").GetArrayLength() > 0);
        }

        var erase = await CliProcess.RunAsync(db, "privacy", "erase", $"--npi={npi}", "--yes", "--json");
        Assert.True(erase.ExitCode == 0, erase.Stderr);
        Assert.Equal(0, await Sql.ScalarAsync<long>(db, $"SELECT count(*) FROM hcp.hcp_profiles WHERE npi = '{npi}'"));
        Assert.Equal(0, await Sql.ScalarAsync<long>(db, "SELECT count(*) FROM hcp.stimuli_events s LEFT JOIN hcp.hcp_profiles p ON p.id = s.hcp_id WHERE p.id IS NULL"));
        Assert.Equal(299, await Sql.ScalarAsync<long>(db, "SELECT hcp_count FROM hcp.dataset_info"));
        Assert.Equal(1, await Sql.ScalarAsync<long>(db, $"SELECT count(*) FROM platform.privacy_requests WHERE npi = '{npi}' AND request_type = 'deletion' AND status = 'completed'"));
        Assert.Equal(1, await Sql.ScalarAsync<long>(db, $"SELECT count(*) FROM platform.privacy_requests WHERE npi = '{npi}' AND request_type = 'access'"));
        Assert.Equal(1, await Sql.ScalarAsync<long>(db, "SELECT count(*) FROM platform.generation_runs WHERE kind = 'erasure' AND status = 'succeeded'"));

        await GenerateTests.AssertValidAsync(db);

        // Erased stays erased: through increments and a full regeneration.
        Assert.Equal(0, (await CliProcess.RunAsync(db, "increment", "--days=3")).ExitCode);
        var regenerate = await CliProcess.RunAsync(db, [.. Generate, "--wipe", "--yes"]);
        Assert.True(regenerate.ExitCode == 0, regenerate.Stderr);
        Assert.Equal(0, await Sql.ScalarAsync<long>(db, $"SELECT count(*) FROM hcp.hcp_profiles WHERE npi = '{npi}'"));
        Assert.Equal(299, await Sql.ScalarAsync<long>(db, "SELECT count(*) FROM hcp.hcp_profiles"));

        var unknown = await CliProcess.RunAsync(db, "privacy", "erase", "--npi=1234567893", "--yes");
        Assert.Equal(1, unknown.ExitCode);
        Assert.Contains("No HCP with NPI 1234567893", unknown.Stderr, StringComparison.Ordinal);
    }
}
