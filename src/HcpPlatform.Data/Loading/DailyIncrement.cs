using System.Diagnostics;
using System.Diagnostics.Metrics;
using HcpPlatform.Data.Hosting;
using HcpPlatform.Engine.Generators;
using HcpPlatform.Engine.Simulation;
using HcpPlatform.Data.Platform;
using Npgsql;
using NpgsqlTypes;

namespace HcpPlatform.Data.Loading;

public sealed record IncrementResult(Guid RunId, DateOnly Day, IReadOnlyDictionary<string, long> Counts, double Seconds);

/// <summary>
/// Appends the next simulated day to the dataset in place, exactly once: one transaction holds the
/// generation lock, reads the watermark (hcp.dataset_info.simulated_through) FOR UPDATE, writes the
/// day's stimuli, the outcomes landing on it, the month's Rx rows on a month's first day, campaigns that
/// start and status changes, refreshes the affected aggregates, advances the watermark and records
/// lineage. A crash or a second writer leaves the day either fully there or absent.
/// </summary>
public sealed class DailyIncrement(NpgsqlDataSource dataSource)
{
    private static readonly Counter<long> DaysGenerated = PlatformTelemetry.Meter.CreateCounter<long>("hcp.increment.days", description: "Simulated days appended");
    private static readonly Counter<long> RowsWritten = PlatformTelemetry.Meter.CreateCounter<long>("hcp.increment.rows", description: "Rows appended by daily increments");
    private static readonly Histogram<double> Duration = PlatformTelemetry.Meter.CreateHistogram<double>("hcp.increment.duration", "s", "Duration of one daily increment");

    private (Guid DatasetId, string Parameters, Population Population)? _cached;

    /// <summary>
    /// Appends the day after the watermark; null when there is no dataset yet. The day is one trace, "hcp.increment
    /// YYYY-MM-DD", with the stages (simulate, copy, aggregates, commit) as children, the row counts as attributes and
    /// <paramref name="tags"/> (the caller's: e.g. the generator's mode) on its root.
    /// </summary>
    public async Task<IncrementResult?> RunNextDayAsync(CancellationToken ct, IEnumerable<KeyValuePair<string, object?>>? tags = null)
    {
        var clock = Stopwatch.StartNew();
        using var span = PlatformTelemetry.StartWork("hcp.increment", tags);
        await using var connection = await dataSource.OpenConnectionAsync(ct);
        await using var tx = await connection.BeginTransactionAsync(ct);
        if (!await GenerationLock.TryAcquireTransactionAsync(connection, tx, ct))
        {
            throw new GenerationBusyException("Another writer is generating into this database; the day was not appended.");
        }
        await StaleRuns.RecoverAsync(connection, tx, ct);
        var state = await DatasetState.ReadAsync(connection, ct, tx, forUpdate: true);
        if (state is null)
        {
            return null;
        }
        var parameters = GenerationParameters.FromJson(state.ParametersJson);
        // Interventions stored since the last day take effect from this day on (going forward only).
        var adopted = await Interventions.InterventionIncrement.AdoptAsync(connection, tx, state, parameters, ct);
        if (adopted is not null)
        {
            state = adopted.State;
        }
        var population = PopulationFor(state, parameters);
        if (state.SimulatedThrough >= SupportedDates.Max)
        {
            throw new CalendarEndException(string.Create(System.Globalization.CultureInfo.InvariantCulture,
                $"The dataset is simulated through {state.SimulatedThrough:yyyy-MM-dd}, the end of the supported range {SupportedDates.Range}; no later day is generated."));
        }
        var day = state.SimulatedThrough.AddDays(1);
        var dayText = day.ToString("yyyy-MM-dd", System.Globalization.CultureInfo.InvariantCulture);
        span?.SetTag("hcp.day", dayText);
        span?.DisplayName = "hcp.increment " + dayText;
        var stage = PlatformTelemetry.Source.StartActivity("simulate");

        var stimuli = new List<Engine.Model.StimulusEvent>();
        var outcomes = new List<Engine.Model.OutcomeEvent>();
        var rx = new List<Engine.Model.PrescribingHistory>();
        var plannedResults = new List<Engine.Interventions.PlannedTouchOutcome>();
        // HCPs erased on request stay erased.
        var erasedNpis = await Privacy.PrivacyRequests.ErasedNpisAsync(connection, ct, tx);
        var erased = population.Profiles.Where(x => erasedNpis.Contains(x.Npi)).Select(x => x.Id).ToHashSet();
        // One population and one schedule serve the day: the adopted interventions' assignments are written from it too.
        var interventions = await Interventions.InterventionIncrement.ScheduleAsync(connection, tx, parameters, population, day, ct);
        if (adopted is { Added.Count: > 0 } && interventions is not null)
        {
            await Interventions.InterventionIncrement.WriteAssignmentsAsync(connection, tx, interventions.Schedule, adopted.Added, erased, ct);
        }
        var simulator = new Simulator(population, interventions?.Schedule);
        foreach (var block in simulator.Evaluate(state.WindowStart, day, day, parameters.Parallelism, cancellationToken: ct))
        {
            stimuli.AddRange(block.Stimuli);
            outcomes.AddRange(block.Outcomes);
            rx.AddRange(block.Rx);
            plannedResults.AddRange(block.PlannedTouches);
        }
        stimuli.RemoveAll(x => erased.Contains(x.HcpId));
        outcomes.RemoveAll(x => erased.Contains(x.HcpId));
        rx.RemoveAll(x => erased.Contains(x.HcpId));
        var starting = population.Campaigns.Overlapping(day, day).Where(c => c.Start == day).ToList();
        var participation = starting.SelectMany(c => population.ParticipationRows(c, day, erased)).ToList();

        stage?.SetTag("hcp.rows.stimuli_events", stimuli.Count);
        stage?.SetTag("hcp.rows.outcome_events", outcomes.Count);
        stage?.SetTag("hcp.rows.prescribing_history", rx.Count);
        stage?.Dispose();

        const string schema = HcpDbContext.DatasetSchema;
        stage = PlatformTelemetry.Source.StartActivity("copy");
        var counts = new SortedDictionary<string, long>(StringComparer.Ordinal)
        {
            ["campaigns"] = CopyWriter.Copy(connection, schema, DatasetTables.Campaigns, starting.Select(c => CampaignCalendar.ToRow(c, day)), freeze: false, ct: ct),
            ["campaign_participation"] = CopyWriter.Copy(connection, schema, DatasetTables.Participation, participation, freeze: false, ct: ct),
            ["stimuli_events"] = CopyWriter.Copy(connection, schema, DatasetTables.StimuliFor(parameters.Config), stimuli, freeze: false, ct: ct),
            ["outcome_events"] = CopyWriter.Copy(connection, schema, DatasetTables.Outcomes, outcomes, freeze: false, ct: ct),
            ["prescribing_history"] = CopyWriter.Copy(connection, schema, DatasetTables.Rx, rx, freeze: false, ct: ct),
        };

        if (interventions is not null)
        {
            foreach (var (table, n) in await Interventions.InterventionIncrement.WriteDayAsync(connection, tx, state, parameters, simulator, interventions,
                plannedResults, erased, day, ct))
            {
                counts[table] = n;
            }
        }

        foreach (var (table, n) in counts)
        {
            stage?.SetTag($"hcp.rows.{table}", n);
        }
        stage?.Dispose();

        stage = PlatformTelemetry.Source.StartActivity("aggregates");
        var affected = stimuli.Select(s => s.HcpId).Concat(outcomes.Select(o => o.HcpId)).Distinct().ToArray();
        stage?.SetTag("hcp.hcps_affected", affected.Length);
        await ExecuteAsync(connection, tx, Aggregates.UpdateChannelEngagements(schema, onlySomeHcps: true), affected, ct);
        await ExecuteAsync(connection, tx, Aggregates.UpdateParticipationCounts(schema, onlySomeHcps: true), affected, ct);
        await ExecuteAsync(connection, tx, $"""
            UPDATE {schema}.campaigns SET status = CASE WHEN end_date < @day THEN 'completed' WHEN start_date <= @day THEN 'active' ELSE 'planned' END
            WHERE status <> CASE WHEN end_date < @day THEN 'completed' WHEN start_date <= @day THEN 'active' ELSE 'planned' END;
            UPDATE {schema}.campaign_participation cp SET status = CASE c.status WHEN 'completed' THEN 'completed' WHEN 'active' THEN 'active' ELSE 'enrolled' END
            FROM {schema}.campaigns c
            WHERE c.id = cp.campaign_id AND cp.status <> CASE c.status WHEN 'completed' THEN 'completed' WHEN 'active' THEN 'active' ELSE 'enrolled' END;
            UPDATE {schema}.dataset_info SET simulated_through = @dayDate, updated_at = now();
            """, null, ct, day);

        stage?.Dispose();

        stage = PlatformTelemetry.Source.StartActivity("commit");
        var runId = Guid.CreateVersion7();
        await Lineage.StartAsync(connection, runId, "increment", $"{{\"day\": \"{day:yyyy-MM-dd}\", \"dataset\": \"{state.Id}\"}}", day, ct, tx);
        await Lineage.FinishAsync(connection, runId, "succeeded", counts, null, null, "not_validated", null, ct, tx);
        await using (var notify = new NpgsqlCommand($"NOTIFY {Backfill.NotifyChannel}, '{runId}'", connection, tx))
        {
            await notify.ExecuteNonQueryAsync(ct);
        }
        await tx.CommitAsync(ct);
        stage?.Dispose();

        var rows = counts.Values.Sum();
        DaysGenerated.Add(1);
        RowsWritten.Add(rows);
        Duration.Record(clock.Elapsed.TotalSeconds);
        foreach (var (table, n) in counts)
        {
            span?.SetTag($"hcp.rows.{table}", n);
        }
        span?.SetTag("hcp.rows", rows);
        span?.SetTag("hcp.run_id", runId.ToString());
        return new IncrementResult(runId, day, counts, clock.Elapsed.TotalSeconds);
    }

    /// <summary>The population is a pure function of the dataset's parameters: build it once per dataset and parameters.</summary>
    private Population PopulationFor(DatasetState state, GenerationParameters parameters)
    {
        // Keyed by the stored parameters too: injected events adopted later change them.
        if (_cached is { } c && c.DatasetId == state.Id && c.Parameters == state.ParametersJson)
        {
            return c.Population;
        }
        var population = new Population(new SimulationModel(parameters.Config), parameters.Seed, parameters.Hcps, parameters.Fixtures, parameters.Parallelism);
        _cached = (state.Id, state.ParametersJson, population);
        return population;
    }

    private static async Task ExecuteAsync(NpgsqlConnection connection, NpgsqlTransaction tx, string sql, Guid[]? hcps, CancellationToken ct, DateOnly? day = null)
    {
        await using var cmd = new NpgsqlCommand(sql, connection, tx) { CommandTimeout = 0 };
        if (hcps is not null)
        {
            cmd.Parameters.AddWithValue("hcps", NpgsqlDbType.Array | NpgsqlDbType.Uuid, hcps);
        }
        if (day is { } d)
        {
            cmd.Parameters.AddWithValue("day", NpgsqlDbType.TimestampTz, d.ToDateTime(TimeOnly.MinValue, DateTimeKind.Utc));
            cmd.Parameters.AddWithValue("dayDate", NpgsqlDbType.Date, d);
        }
        await cmd.ExecuteNonQueryAsync(ct);
    }
}

/// <summary>The dataset already reaches the end of the supported calendar (<see cref="SupportedDates.Max"/>).</summary>
public sealed class CalendarEndException(string message) : Exception(message);
