using HcpPlatform.Data.Loading;
using HcpPlatform.Engine.Calendar;
using HcpPlatform.Engine.Interventions;
using HcpPlatform.Engine.Simulation;
using Npgsql;
using NpgsqlTypes;

namespace HcpPlatform.Data.Interventions;

/// <summary>The day's interventions: the compiled schedule and the planned touches it was compiled with.</summary>
internal sealed record DayInterventions(InterventionSchedule Schedule, IReadOnlyDictionary<Guid, PlannedTouch> Planned);

/// <summary>An adoption's outcome: the dataset's new state and the ids of the interventions new to it, in adoption order.</summary>
internal sealed record InterventionAdopted(DatasetState State, IReadOnlyList<Guid> Added);

/// <summary>
/// What a daily increment does for interventions, in its transaction: adopts the ones stored since the last day (going
/// forward only, <see cref="InterventionAdoption.ApplyGoingForward"/>: the dataset's parameters, ground_truth rows and the
/// new ones' assignments), evaluates the day with the planned touches posted for it, and writes what became of them and
/// the truth of the months the day changes (the day's month of every intervention whose truth window holds the day).
/// </summary>
internal static class InterventionIncrement
{
    /// <summary>
    /// Adopts stored interventions going forward: the dataset's new state and the interventions new to it (whose assignments
    /// <see cref="WriteAssignmentsAsync"/> writes once the day's schedule is compiled) when anything changed, else null.
    /// </summary>
    public static async Task<InterventionAdopted?> AdoptAsync(NpgsqlConnection connection, NpgsqlTransaction tx, DatasetState state, GenerationParameters parameters, CancellationToken ct)
    {
        var stored = await InterventionData.ReadStoredAsync(connection, ct, tx);
        var current = parameters.Config.Interventions;
        if (stored.Count == 0 && current is not { Count: > 0 })
        {
            return null;
        }
        var adoption = InterventionAdoption.ApplyGoingForward(current, stored, state.SimulatedThrough);
        if (!adoption.Changed)
        {
            return null;
        }
        var before = (current ?? []).Select(i => i.Id).ToHashSet();
        parameters.Config.Interventions = adoption.Interventions.Count == 0 ? null : [.. adoption.Interventions];
        var model = new SimulationModel(parameters.Config);
        var json = parameters.ToJson();
        const string s = HcpDbContext.DatasetSchema;
        await using (var update = new NpgsqlCommand($"""
            UPDATE {s}.dataset_info SET parameters = @p, updated_at = now();
            DELETE FROM {s}.ground_truth WHERE parameter IN ('intervention', 'intervention_rule');
            """, connection, tx))
        {
            update.Parameters.AddWithValue("p", NpgsqlDbType.Jsonb, json);
            await update.ExecuteNonQueryAsync(ct);
        }
        // The same rows, with the same ids, as a backfill with these parameters writes.
        CopyWriter.Copy(connection, s, DatasetTables.GroundTruth,
            GroundTruth.Build(model, parameters.Seed).Where(g => g.Parameter is "intervention" or "intervention_rule"), freeze: false, ct: ct);
        var added = adoption.Interventions.Where(i => !before.Contains(i.Id)).Select(i => i.Id).ToList();
        return new InterventionAdopted(state with { ParametersJson = json }, added);
    }

    /// <summary>
    /// Writes the assignments of the interventions just adopted (replacing any left for them), from the day's schedule: an
    /// HCP's arm does not depend on the planned touches the schedule was compiled with.
    /// </summary>
    public static async Task WriteAssignmentsAsync(NpgsqlConnection connection, NpgsqlTransaction tx, InterventionSchedule schedule,
        IReadOnlyList<Guid> added, IReadOnlySet<Guid> erased, CancellationToken ct)
    {
        if (added.Count == 0)
        {
            return;
        }
        const string s = HcpDbContext.DatasetSchema;
        await using (var delete = new NpgsqlCommand($"DELETE FROM {s}.intervention_assignments WHERE intervention_id = ANY(@ids)", connection, tx))
        {
            delete.Parameters.AddWithValue("ids", NpgsqlDbType.Array | NpgsqlDbType.Uuid, added.ToArray());
            await delete.ExecuteNonQueryAsync(ct);
        }
        foreach (var id in added)
        {
            CopyWriter.Copy(connection, s, DatasetTables.InterventionAssignments,
                InterventionData.Assignments(schedule, schedule.InterventionIndex[id], erased), freeze: false, ct: ct);
        }
    }

    /// <summary>The day's schedule (null without interventions), compiled with the planned touches dated up to the day.</summary>
    public static async Task<DayInterventions?> ScheduleAsync(NpgsqlConnection connection, NpgsqlTransaction tx, GenerationParameters parameters,
        Population population, DateOnly day, CancellationToken ct)
    {
        if (parameters.Config.Interventions is not { Count: > 0 } interventions)
        {
            return null;
        }
        var planned = await InterventionData.ReadPlannedAsync(connection, interventions, day, population, ct, tx);
        return new DayInterventions(InterventionSchedule.Compile(population, planned)!, planned.ToDictionary(p => p.Id));
    }

    /// <summary>Writes the day's planned-touch results and the truth (and oracle rows) of the month the day changes.</summary>
    public static async Task<IReadOnlyDictionary<string, long>> WriteDayAsync(NpgsqlConnection connection, NpgsqlTransaction tx, DatasetState state,
        GenerationParameters parameters, Simulator simulator, DayInterventions day, List<PlannedTouchOutcome> plannedResults, IReadOnlySet<Guid> erased,
        DateOnly date, CancellationToken ct)
    {
        const string s = HcpDbContext.DatasetSchema;
        var counts = new Dictionary<string, long>(StringComparer.Ordinal)
        {
            ["planned_touch_results"] = CopyWriter.Copy(connection, s, DatasetTables.PlannedTouchResults,
                InterventionData.Results(plannedResults, day.Planned, simulator.Population, erased), freeze: false, ct: ct),
        };
        var truth = 0L;
        var month = SimDate.MonthStart(SimDate.MonthNumber(date));
        var outcomes = InterventionTruthCalculator.Outcomes(parameters.Config);
        for (var k = 0; k < day.Schedule.Items.Count; k++)
        {
            var i = day.Schedule.Items[k];
            if (InterventionTruthCalculator.Window(i, parameters.Config, state.WindowStart, DateOnly.MaxValue) is not { } window || date > window.To || date < window.From)
            {
                continue;
            }
            await using (var delete = new NpgsqlCommand($"DELETE FROM {s}.intervention_truth WHERE intervention_id = @id AND month = @month", connection, tx))
            {
                delete.Parameters.AddWithValue("id", i.Id);
                delete.Parameters.AddWithValue("month", NpgsqlDbType.Date, month);
                await delete.ExecuteNonQueryAsync(ct);
            }
            truth += CopyWriter.Copy(connection, s, DatasetTables.InterventionTruth,
                InterventionData.Truth(simulator, k, state.WindowStart, month, date, parameters.Parallelism, erased, ct), freeze: false, ct: ct);
            await InterventionData.WriteOracleAsync(connection, tx, s, i, outcomes, date, ct);
        }
        counts["intervention_truth"] = truth;
        return counts;
    }
}
