using System.Diagnostics;
using System.Globalization;
using Npgsql;

namespace HcpPlatform.Data.Validation;

/// <summary>
/// Query performance: the dashboard-style queries a consumer of the dataset runs, each timed (warm: the query runs
/// once untimed, then the timed run reads every row). Measured in milliseconds.
/// <list type="bullet">
/// <item>perf_response_rate_by_channel_month — touches, responding touches and response rate per channel and month, ≤ 2,000 ms</item>
/// <item>perf_hcp_timeline — one HCP's touches, responses and Rx over the last 12 months, looked up by NPI, ≤ 200 ms</item>
/// <item>perf_campaign_performance — per campaign: enrolled HCPs, touches, responses, response rate, ≤ 2,000 ms</item>
/// </list>
/// </summary>
internal static class PerformanceChecks
{
    public const string Category = "performance";

    public static async Task RunAsync(CheckRun run)
    {
        var s = run.C.S;
        var through = run.C.Info.SimulatedThrough;
        var from = through.AddMonths(-12).AddDays(1).ToDateTime(TimeOnly.MinValue, DateTimeKind.Utc);

        await TimeAsync(run, "perf_response_rate_by_channel_month", 2000,
            "Dashboard: touches, responding touches and response rate by channel and calendar month over the whole dataset.",
            $"""
            SELECT date_trunc('month', s.event_date AT TIME ZONE 'UTC') AS month, s.channel, count(*) AS touches,
                   count(r.stimulus_id) AS responded, round(100.0 * count(r.stimulus_id) / count(*), 2) AS response_rate
            FROM {s}.stimuli_events s
            LEFT JOIN (SELECT DISTINCT stimulus_id FROM {s}.outcome_events) r ON r.stimulus_id = s.id
            GROUP BY 1, 2 ORDER BY 1, 2
            """, null);

        var npi = (await run.TryQueryAsync([("perf_hcp_timeline", "")], Category,
            $"SELECT npi FROM {s}.hcp_profiles ORDER BY hcp_index LIMIT 1 OFFSET (SELECT count(*) / 2 FROM {s}.hcp_profiles)",
            r => r.GetString(0)))?.FirstOrDefault();
        if (npi is not null)
        {
            await TimeAsync(run, "perf_hcp_timeline", 200,
                $"Dashboard: one HCP's 12-month timeline of touches, responses and prescribing, by NPI ({npi}).",
                $"""
                WITH p AS (SELECT id FROM {s}.hcp_profiles WHERE npi = @npi)
                SELECT at, kind, what, detail FROM (
                    SELECT s.event_date AS at, 'touch' AS kind, s.channel::text AS what, s.stimulus_type::text AS detail
                    FROM p JOIN {s}.stimuli_events s ON s.hcp_id = p.id WHERE s.event_date >= @from
                    UNION ALL
                    SELECT o.event_date, 'response', o.outcome_type::text, o.stimulus_id::text
                    FROM p JOIN {s}.outcome_events o ON o.hcp_id = p.id WHERE o.event_date >= @from
                    UNION ALL
                    SELECT r.month, 'rx', r.rx_count::text, r.market_share::text
                    FROM p JOIN {s}.prescribing_history r ON r.hcp_id = p.id WHERE r.month >= @from
                ) t ORDER BY at, kind
                """,
                prm =>
                {
                    prm.AddWithValue("npi", npi);
                    prm.AddWithValue("from", from);
                });
        }

        await TimeAsync(run, "perf_campaign_performance", 2000,
            "Dashboard: per campaign, enrolled HCPs, touches, responses and response rate.",
            $"""
            SELECT c.id, c.name, c.campaign_type, c.start_date, c.end_date, c.status,
                   coalesce(e.enrolled, 0) AS enrolled, coalesce(t.touches, 0) AS touches, coalesce(t.responses, 0) AS responses,
                   round(100.0 * coalesce(t.responses, 0) / nullif(t.touches, 0), 2) AS response_rate
            FROM {s}.campaigns c
            LEFT JOIN (SELECT campaign_id, count(*) AS enrolled FROM {s}.campaign_participation GROUP BY campaign_id) e ON e.campaign_id = c.id
            LEFT JOIN (
                SELECT s.campaign_id, count(*) AS touches, sum(coalesce(o.n, 0)) AS responses
                FROM {s}.stimuli_events s
                LEFT JOIN (SELECT stimulus_id, count(*) AS n FROM {s}.outcome_events GROUP BY stimulus_id) o ON o.stimulus_id = s.id
                WHERE s.campaign_id IS NOT NULL
                GROUP BY s.campaign_id
            ) t ON t.campaign_id = c.id
            ORDER BY c.start_date, c.id
            """, null);
    }

    private static Task TimeAsync(CheckRun run, string name, double thresholdMs, string description, string sql, Action<NpgsqlParameterCollection>? parameters) =>
        run.GuardAsync([(name, description)], Category, async () =>
        {
            await ReadAllAsync(run, sql, parameters); // warm-up
            var clock = Stopwatch.StartNew();
            var rows = await ReadAllAsync(run, sql, parameters);
            var ms = clock.Elapsed.TotalMilliseconds;
            run.Add(new CheckResult(name, Category, ms <= thresholdMs, Math.Round(ms, 1),
                string.Create(CultureInfo.InvariantCulture, $"≤ {thresholdMs:N0} ms"), description,
                [string.Create(CultureInfo.InvariantCulture, $"{rows} rows in {ms:0.0} ms")]));
        });

    private static async Task<long> ReadAllAsync(CheckRun run, string sql, Action<NpgsqlParameterCollection>? parameters)
    {
        await using var cmd = run.Command(sql, parameters);
        await using var reader = await cmd.ExecuteReaderAsync(run.Ct);
        long rows = 0;
        while (await reader.ReadAsync(run.Ct))
        {
            rows++;
        }
        return rows;
    }
}
