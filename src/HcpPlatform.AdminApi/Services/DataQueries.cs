using System.Text.Json;
using HcpPlatform.Data;
using HcpPlatform.Data.Loading;
using Microsoft.EntityFrameworkCore;
using Npgsql;

namespace HcpPlatform.AdminApi.Services;

public sealed record DayCount(DateOnly Day, long Stimuli, long Outcomes);

public sealed record ChannelCount(string Channel, long Stimuli, long Outcomes, long RespondedStimuli, double ResponseRate);

public sealed record WeekRate(DateOnly WeekStart, long Stimuli, long RespondedStimuli, double ResponseRate);

public sealed record CampaignView(Guid Id, string Name, string? Description, string CampaignType, JsonElement? Channels, JsonElement? TargetSegments,
    DateTime StartDate, DateTime EndDate, double? Budget, string Status);

public sealed record GroundTruthView(string Parameter, string? Channel, string? Tier, string? Segment, string? OutcomeType, string? Period, double Value, JsonElement? Details);

public sealed record RunView(Guid Id, string Kind, string Status, JsonElement? Parameters, DateOnly? AsOf, string EngineVersion, DateTime StartedAt,
    DateTime? FinishedAt, long? DurationMs, JsonElement? Counts, JsonElement? Checksums, JsonElement? StageDurations, string? Verdict, string? Error,
    IReadOnlyDictionary<string, TableProgress>? Progress);

public sealed record ValidationSummary(Guid Id, Guid? GenerationRunId, string Trigger, DateTime StartedAt, long DurationMs, bool Passed, int ChecksTotal, int ChecksFailed);

/// <summary>The read side of the dataset and of lineage: raw SQL where it aggregates, the DbContext where it lists rows.</summary>
public sealed class DataQueries(NpgsqlDataSource dataSource, IServiceScopeFactory scopes)
{
    /// <summary>How <see cref="CountsAsync"/> counts: from PostgreSQL's statistics, never by reading the tables.</summary>
    public const string CountsSource = "estimate";

    /// <summary>
    /// Row counts of every dataset table from PostgreSQL's statistics, in one cheap statement that reads no table: the live-row
    /// count the server maintains as each transaction commits (pg_stat_user_tables.n_live_tup, reported by each session
    /// within a few seconds), or the catalog's count as of the table's last VACUUM or ANALYZE (pg_class.reltuples; every
    /// backfill ends with one) where that is larger, as after a server crash, which resets the statistics. Close to the
    /// exact counts, not transactional; <c>hcp validate</c> counts exactly. Counting every table per request (count(*))
    /// took hundreds of milliseconds under load and slowed generation.
    /// </summary>
    public async Task<IReadOnlyDictionary<string, long>> CountsAsync(CancellationToken ct)
    {
        await using var cmd = dataSource.CreateCommand($"""
            SELECT c.relname, greatest(c.reltuples::bigint, coalesce(s.n_live_tup, 0), 0)
            FROM pg_class c
            JOIN pg_namespace n ON n.oid = c.relnamespace AND n.nspname = '{HcpDbContext.DatasetSchema}'
            LEFT JOIN pg_stat_user_tables s ON s.relid = c.oid
            WHERE c.relkind IN ('r', 'p') AND c.relname = ANY(@tables)
            """);
        cmd.Parameters.AddWithValue("tables", DatasetTables.All.ToArray());
        await using var reader = await cmd.ExecuteReaderAsync(ct);
        var counts = new SortedDictionary<string, long>(StringComparer.Ordinal);
        foreach (var table in DatasetTables.All)
        {
            counts[table] = 0;
        }
        while (await reader.ReadAsync(ct))
        {
            counts[reader.GetString(0)] = reader.GetInt64(1);
        }
        return counts;
    }

    /// <summary>The dataset's window (first and last simulated day), or null when there is no dataset.</summary>
    public async Task<(DateOnly Start, DateOnly Through)?> WindowAsync(CancellationToken ct)
    {
        await using var cmd = dataSource.CreateCommand("SELECT window_start, simulated_through FROM hcp.dataset_info LIMIT 1");
        await using var reader = await cmd.ExecuteReaderAsync(ct);
        return await reader.ReadAsync(ct) ? (reader.GetFieldValue<DateOnly>(0), reader.GetFieldValue<DateOnly>(1)) : null;
    }

    /// <summary>Stimuli and outcomes per UTC day in [from, to]; days without events are included with zeros.</summary>
    public async Task<IReadOnlyList<DayCount>> DailyAsync(DateOnly from, DateOnly to, CancellationToken ct)
    {
        await using var cmd = dataSource.CreateCommand("""
            WITH days AS (SELECT generate_series(@from::date, @to::date, interval '1 day')::date AS day),
                 s AS (SELECT (event_date AT TIME ZONE 'UTC')::date AS day, count(*) AS n FROM hcp.stimuli_events
                       WHERE event_date >= @fromTs AND event_date < @toTs GROUP BY 1),
                 o AS (SELECT (event_date AT TIME ZONE 'UTC')::date AS day, count(*) AS n FROM hcp.outcome_events
                       WHERE event_date >= @fromTs AND event_date < @toTs GROUP BY 1)
            SELECT days.day, coalesce(s.n, 0), coalesce(o.n, 0) FROM days LEFT JOIN s USING (day) LEFT JOIN o USING (day) ORDER BY days.day
            """);
        Bind(cmd, from, to);
        var result = new List<DayCount>();
        await using var reader = await cmd.ExecuteReaderAsync(ct);
        while (await reader.ReadAsync(ct))
        {
            result.Add(new DayCount(reader.GetFieldValue<DateOnly>(0), reader.GetInt64(1), reader.GetInt64(2)));
        }
        return result;
    }

    /// <summary>Per channel in [from, to]: stimuli sent, outcomes that followed them, and the share of stimuli with a response.</summary>
    public async Task<IReadOnlyList<ChannelCount>> ChannelsAsync(DateOnly from, DateOnly to, CancellationToken ct)
    {
        await using var cmd = dataSource.CreateCommand("""
            SELECT s.channel, count(*) AS stimuli, coalesce(sum(o.n), 0) AS outcomes, count(o.n) AS responded
            FROM hcp.stimuli_events s
            LEFT JOIN (SELECT stimulus_id, count(*) AS n FROM hcp.outcome_events GROUP BY stimulus_id) o ON o.stimulus_id = s.id
            WHERE s.event_date >= @fromTs AND s.event_date < @toTs
            GROUP BY s.channel ORDER BY s.channel
            """);
        Bind(cmd, from, to);
        var result = new List<ChannelCount>();
        await using var reader = await cmd.ExecuteReaderAsync(ct);
        while (await reader.ReadAsync(ct))
        {
            var stimuli = reader.GetInt64(1);
            var responded = reader.GetInt64(3);
            result.Add(new ChannelCount(reader.GetString(0), stimuli, Convert.ToInt64(reader.GetValue(2), System.Globalization.CultureInfo.InvariantCulture),
                responded, Rate(responded, stimuli)));
        }
        return result;
    }

    /// <summary>Share of stimuli with at least one response, per ISO week (Monday start) of the stimulus, over [from, to].</summary>
    public async Task<IReadOnlyList<WeekRate>> WeeklyResponseRateAsync(DateOnly from, DateOnly to, CancellationToken ct)
    {
        await using var cmd = dataSource.CreateCommand("""
            SELECT date_trunc('week', s.event_date AT TIME ZONE 'UTC')::date AS week, count(*),
                   count(*) FILTER (WHERE EXISTS (SELECT 1 FROM hcp.outcome_events o WHERE o.stimulus_id = s.id))
            FROM hcp.stimuli_events s
            WHERE s.event_date >= @fromTs AND s.event_date < @toTs
            GROUP BY 1 ORDER BY 1
            """);
        Bind(cmd, from, to);
        var result = new List<WeekRate>();
        await using var reader = await cmd.ExecuteReaderAsync(ct);
        while (await reader.ReadAsync(ct))
        {
            var stimuli = reader.GetInt64(1);
            var responded = reader.GetInt64(2);
            result.Add(new WeekRate(reader.GetFieldValue<DateOnly>(0), stimuli, responded, Rate(responded, stimuli)));
        }
        return result;
    }

    public Task<IReadOnlyList<CampaignView>> CampaignsAsync(string? status, CancellationToken ct) => WithDbAsync<IReadOnlyList<CampaignView>>(async db =>
    {
        var query = db.Campaigns.AsNoTracking();
        if (status is not null)
        {
            query = query.Where(c => c.Status == status);
        }
        var rows = await query.OrderBy(c => c.StartDate).ThenBy(c => c.Name).ToListAsync(ct);
        return rows.Select(c => new CampaignView(c.Id, c.Name, c.Description, c.CampaignType, Json(c.Channels), Json(c.TargetSegments),
            c.StartDate, c.EndDate, c.Budget, c.Status)).ToList();
    });

    public Task<IReadOnlyList<GroundTruthView>> GroundTruthAsync(string? parameter, CancellationToken ct) => WithDbAsync<IReadOnlyList<GroundTruthView>>(async db =>
    {
        var query = db.GroundTruth.AsNoTracking();
        if (parameter is not null)
        {
            query = query.Where(g => g.Parameter == parameter);
        }
        var rows = await query.OrderBy(g => g.Parameter).ThenBy(g => g.Channel).ThenBy(g => g.Tier).ThenBy(g => g.Segment)
            .ThenBy(g => g.OutcomeType).ThenBy(g => g.Period).ToListAsync(ct);
        return rows.Select(g => new GroundTruthView(g.Parameter, g.Channel, g.Tier, g.Segment, g.OutcomeType, g.Period, g.Value, Json(g.Details))).ToList();
    });

    public Task<IReadOnlyList<RunView>> RunsAsync(string? kind, string? status, int limit, CancellationToken ct) => WithDbAsync<IReadOnlyList<RunView>>(async db =>
    {
        var query = db.GenerationRuns.AsNoTracking();
        if (kind is not null)
        {
            query = query.Where(r => r.Kind == kind);
        }
        if (status is not null)
        {
            query = query.Where(r => r.Status == status);
        }
        var rows = await query.OrderByDescending(r => r.StartedAt).ThenByDescending(r => r.Id).Take(limit).ToListAsync(ct);
        return rows.Select(r => ToView(r, null)).ToList();
    });

    public Task<RunView?> RunAsync(Guid id, IReadOnlyDictionary<string, TableProgress>? progress, CancellationToken ct) => WithDbAsync(async db =>
    {
        var row = await db.GenerationRuns.AsNoTracking().FirstOrDefaultAsync(r => r.Id == id, ct);
        return row is null ? null : ToView(row, row.Status == "running" ? progress : null);
    });

    /// <summary>Validation runs, newest first, without their checks (platform.validation_results read directly: ValidationStore has no list).</summary>
    public Task<IReadOnlyList<ValidationSummary>> ValidationHistoryAsync(int limit, CancellationToken ct) => WithDbAsync<IReadOnlyList<ValidationSummary>>(async db =>
        await db.ValidationResults.AsNoTracking().OrderByDescending(v => v.StartedAt).ThenByDescending(v => v.Id).Take(limit)
            .Select(v => new ValidationSummary(v.Id, v.GenerationRunId, v.Trigger, v.StartedAt, v.DurationMs, v.Passed, v.ChecksTotal, v.ChecksFailed))
            .ToListAsync(ct));

    /// <summary>Runs a query on a pooled DbContext of its own (this service is a singleton; the context is scoped).</summary>
    private async Task<T> WithDbAsync<T>(Func<HcpDbContext, Task<T>> query)
    {
        await using var scope = scopes.CreateAsyncScope();
        return await query(scope.ServiceProvider.GetRequiredService<HcpDbContext>());
    }

    private static RunView ToView(Data.Platform.GenerationRun r, IReadOnlyDictionary<string, TableProgress>? progress) => new(
        r.Id, r.Kind, r.Status, Json(r.Parameters), r.AsOf, r.EngineVersion, r.StartedAt, r.FinishedAt, r.DurationMs,
        Json(r.Counts), Json(r.Checksums), Json(r.StageDurations), r.Verdict, r.Error, progress);

    internal static JsonElement? Json(string? json)
    {
        if (string.IsNullOrWhiteSpace(json))
        {
            return null;
        }
        using var document = JsonDocument.Parse(json);
        return document.RootElement.Clone();
    }

    private static double Rate(long part, long whole) => whole == 0 ? 0 : Math.Round((double)part / whole, 4);

    private static void Bind(NpgsqlCommand cmd, DateOnly from, DateOnly to)
    {
        cmd.Parameters.AddWithValue("from", from);
        cmd.Parameters.AddWithValue("to", to);
        cmd.Parameters.AddWithValue("fromTs", from.ToDateTime(TimeOnly.MinValue, DateTimeKind.Utc));
        cmd.Parameters.AddWithValue("toTs", to.AddDays(1).ToDateTime(TimeOnly.MinValue, DateTimeKind.Utc));
    }
}
