using System.Globalization;
using System.Text.Json;
using HcpPlatform.Data.Loading;
using HcpPlatform.Engine.Interventions;
using HcpPlatform.Engine.Model;
using HcpPlatform.Engine.Simulation;
using HcpPlatform.Engine.Statistics;
using Npgsql;
using NpgsqlTypes;

namespace HcpPlatform.Data.Interventions;

/// <summary>
/// What the backfill and the daily increment read and write for interventions: the stored definitions and planned touches
/// (platform tables, inputs), and the dataset's assignments, planned-touch results, truth and oracle rows.
/// </summary>
internal static class InterventionData
{
    /// <summary>The stored interventions a dataset may adopt (active or stopped), as their definitions say, with their stored ids.</summary>
    public static async Task<List<Intervention>> ReadStoredAsync(NpgsqlConnection connection, CancellationToken ct, NpgsqlTransaction? tx = null)
    {
        var result = new List<Intervention>();
        await using var cmd = new NpgsqlCommand(
            "SELECT id, definition::text FROM platform.interventions WHERE status IN ('active', 'stopped') AND end_date >= start_date ORDER BY start_date, id",
            connection, tx);
        await using var reader = await cmd.ExecuteReaderAsync(ct);
        while (await reader.ReadAsync(ct))
        {
            var i = Intervention.FromJson(reader.GetString(1));
            i.Id = reader.GetGuid(0);
            result.Add(i);
        }
        return result;
    }

    /// <summary>The planned touches of the given interventions dated up to <paramref name="through"/>, for HCPs of the population.</summary>
    public static async Task<List<PlannedTouch>> ReadPlannedAsync(NpgsqlConnection connection, IReadOnlyList<Intervention> interventions, DateOnly through,
        Population population, CancellationToken ct, NpgsqlTransaction? tx = null)
    {
        var result = new List<PlannedTouch>();
        var planned = interventions.Where(i => i.Schedule == Intervention.PlannedSchedule).Select(i => i.Id).ToArray();
        if (planned.Length == 0)
        {
            return result;
        }
        var index = population.Traits.ToDictionary(t => t.Id, t => t.Index);
        await using var cmd = new NpgsqlCommand("""
            SELECT id, intervention_id, hcp_id, channel, day, content_category, product
            FROM platform.planned_touches WHERE intervention_id = ANY(@ids) AND day <= @through
            ORDER BY day, id
            """, connection, tx);
        cmd.Parameters.AddWithValue("ids", NpgsqlDbType.Array | NpgsqlDbType.Uuid, planned);
        cmd.Parameters.AddWithValue("through", NpgsqlDbType.Date, through);
        await using var reader = await cmd.ExecuteReaderAsync(ct);
        while (await reader.ReadAsync(ct))
        {
            if (index.TryGetValue(reader.GetGuid(2), out var h))
            {
                result.Add(new PlannedTouch(reader.GetGuid(0), reader.GetGuid(1), h, reader.GetString(3), reader.GetFieldValue<DateOnly>(4),
                    reader.IsDBNull(5) ? null : reader.GetString(5), reader.IsDBNull(6) ? null : reader.GetString(6)));
            }
        }
        return result;
    }

    /// <summary>Every HCP of intervention <paramref name="k"/>'s target population with its arm (erased HCPs left out).</summary>
    public static IEnumerable<InterventionAssignment> Assignments(InterventionSchedule schedule, int k, IReadOnlySet<Guid> erased)
    {
        var id = schedule.Items[k].Id;
        foreach (var h in schedule.TargetPopulation(k))
        {
            var hcp = schedule.Population.Traits[h].Id;
            if (!erased.Contains(hcp))
            {
                yield return new InterventionAssignment
                {
                    InterventionId = id,
                    HcpId = hcp,
                    Arm = schedule.IsTreated(k, h) ? InterventionAssignment.Treatment : InterventionAssignment.Control,
                };
            }
        }
    }

    /// <summary>The rows of what became of planned touches (erased HCPs left out).</summary>
    public static IEnumerable<PlannedTouchResult> Results(IEnumerable<PlannedTouchOutcome> outcomes, IReadOnlyDictionary<Guid, PlannedTouch> planned,
        Population population, IReadOnlySet<Guid> erased)
    {
        foreach (var o in outcomes)
        {
            var p = planned[o.PlannedTouchId];
            var hcp = population.Traits[p.HcpIndex].Id;
            if (erased.Contains(hcp))
            {
                continue;
            }
            yield return new PlannedTouchResult
            {
                PlannedTouchId = p.Id,
                InterventionId = p.InterventionId,
                HcpId = hcp,
                Day = p.Day,
                Status = o.Realized ? PlannedTouchResult.Realized : PlannedTouchResult.Rejected,
                Reason = o.Reason,
                StimulusId = o.StimulusId,
            };
        }
    }

    /// <summary>The truth rows of intervention <paramref name="k"/> for the days in [from, to] (erased HCPs left out).</summary>
    public static IEnumerable<InterventionTruth> Truth(Simulator simulator, int k, DateOnly windowStart, DateOnly from, DateOnly to, int parallelism,
        IReadOnlySet<Guid> erased, CancellationToken ct)
    {
        var id = simulator.Interventions!.Items[k].Id;
        return InterventionTruthCalculator.Compute(simulator, k, windowStart, from, to, parallelism, ct)
            .Where(r => !erased.Contains(r.HcpId))
            .Select(r => new InterventionTruth
            {
                InterventionId = id,
                HcpId = r.HcpId,
                Arm = r.Treated ? InterventionAssignment.Treatment : InterventionAssignment.Control,
                Outcome = r.Outcome,
                Month = r.Month,
                YTreated = r.YTreated,
                YControl = r.YControl,
            });
    }

    /// <summary>Each targeted HCP's true effect on an outcome: Σ over the window's months of (y_treated − y_control).</summary>
    public static async Task<List<TrueHcpEffect>> TrueEffectsAsync(NpgsqlConnection connection, string schema, Guid interventionId, string outcome,
        CancellationToken ct, NpgsqlTransaction? tx = null)
    {
        var result = new List<TrueHcpEffect>();
        await using var cmd = new NpgsqlCommand($"""
            SELECT hcp_id, bool_or(arm = 'treatment'), sum(y_treated - y_control)
            FROM {schema}.intervention_truth WHERE intervention_id = @id AND outcome = @outcome
            GROUP BY hcp_id ORDER BY hcp_id
            """, connection, tx);
        cmd.Parameters.AddWithValue("id", interventionId);
        cmd.Parameters.AddWithValue("outcome", outcome);
        await using var reader = await cmd.ExecuteReaderAsync(ct);
        while (await reader.ReadAsync(ct))
        {
            result.Add(new TrueHcpEffect(reader.GetGuid(0), reader.GetBoolean(1), reader.GetDouble(2)));
        }
        return result;
    }

    /// <summary>The first and last day the intervention's truth covers, or null when it has none yet.</summary>
    public static async Task<(DateOnly From, DateOnly Through)?> TruthSpanAsync(NpgsqlConnection connection, string schema, Guid interventionId, CancellationToken ct,
        NpgsqlTransaction? tx = null, DateOnly? simulatedThrough = null)
    {
        await using var cmd = new NpgsqlCommand($"""
            SELECT min(t.month), (SELECT simulated_through FROM {schema}.dataset_info), max(t.month)
            FROM {schema}.intervention_truth t WHERE t.intervention_id = @id
            """, connection, tx);
        cmd.Parameters.AddWithValue("id", interventionId);
        await using var reader = await cmd.ExecuteReaderAsync(ct);
        if (!await reader.ReadAsync(ct) || reader.IsDBNull(0))
        {
            return null;
        }
        var from = reader.GetFieldValue<DateOnly>(0);
        // (An increment writes the truth before it moves the watermark: it says which day it is at.)
        var through = simulatedThrough ?? reader.GetFieldValue<DateOnly>(1);
        var lastMonth = reader.GetFieldValue<DateOnly>(2);
        var monthEnd = lastMonth.AddMonths(1).AddDays(-1);
        return (from, monthEnd < through ? monthEnd : through);
    }

    /// <summary>
    /// Rewrites the oracle's hcp.uplift_models rows of an intervention (one per outcome): the true ATE and ATT, the size of
    /// the target population and the oracle ranking's Qini and AUUC areas (its normalised figures are 1 by definition).
    /// </summary>
    public static async Task WriteOracleAsync(NpgsqlConnection connection, NpgsqlTransaction? tx, string schema, Intervention intervention,
        IReadOnlyList<string> outcomes, DateOnly simulatedThrough, CancellationToken ct)
    {
        await using (var delete = new NpgsqlCommand($"DELETE FROM {schema}.uplift_models WHERE intervention_id = @id AND model_type = 'oracle'", connection, tx))
        {
            delete.Parameters.AddWithValue("id", intervention.Id);
            await delete.ExecuteNonQueryAsync(ct);
        }
        if (await TruthSpanAsync(connection, schema, intervention.Id, ct, tx, simulatedThrough) is not { } span)
        {
            return;
        }
        var rows = new List<UpliftModel>();
        foreach (var outcome in outcomes)
        {
            var effects = await TrueEffectsAsync(connection, schema, intervention.Id, outcome, ct, tx);
            if (effects.Count == 0)
            {
                continue;
            }
            var score = UpliftScoring.Score(outcome, effects, new EstimateInput([.. effects.Select(e => new UpliftEstimate(e.HcpId, e.Effect))], null, null, null));
            rows.Add(new UpliftModel
            {
                ModelId = ModelId(intervention.Id, outcome, UpliftModelTypes.Oracle, ""),
                InterventionId = intervention.Id,
                Outcome = outcome,
                ModelType = UpliftModelTypes.Oracle,
                TrainingDate = span.Through.ToDateTime(TimeOnly.MinValue, DateTimeKind.Utc),
                TrainingDataStart = span.From,
                TrainingDataEnd = span.Through,
                SampleSize = effects.Count,
                Ate = score.TrueAte,
                Att = score.TrueAtt,
                Metrics = MetricsJson(score),
            });
        }
        CopyWriter.Copy(connection, schema, DatasetTables.UpliftModels, rows, freeze: false, ct: ct);
    }

    /// <summary>A model row's id: a function of what was scored, so scoring the same estimates again updates its row.</summary>
    public static Guid ModelId(Guid interventionId, string outcome, string modelType, string estimatesKey)
    {
        var bytes = System.Security.Cryptography.SHA256.HashData(System.Text.Encoding.UTF8.GetBytes(
            string.Join('\n', interventionId.ToString("D"), outcome, modelType, estimatesKey)));
        bytes[6] = (byte)((bytes[6] & 0x0F) | 0x80); // version 8
        bytes[8] = (byte)((bytes[8] & 0x3F) | 0x80);
        return new Guid(bytes.AsSpan(0, 16), bigEndian: true);
    }

    private static readonly JsonSerializerOptions MetricsOptions = new(JsonSerializerDefaults.Web);

    public static string MetricsJson(UpliftScore score) => JsonSerializer.Serialize(score, MetricsOptions);

    public static string F(FormattableString s) => s.ToString(CultureInfo.InvariantCulture);
}

/// <summary>The model_type of hcp.uplift_models rows the platform writes itself.</summary>
public static class UpliftModelTypes
{
    /// <summary>The exact truth: the true ATE and ATT from the potential outcomes.</summary>
    public const string Oracle = "oracle";
}
