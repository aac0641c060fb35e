using HcpPlatform.Engine.Interventions;
using Npgsql;

namespace HcpPlatform.Data.Interventions;

/// <summary>An intervention's true effects over its window so far (from hcp.intervention_truth).</summary>
public sealed record TrueEffects(Guid InterventionId, DateOnly From, DateOnly Through, int TargetHcps, int TreatedHcps, IReadOnlyList<OutcomeEffect> Outcomes);

/// <summary>
/// One outcome's true effects: <paramref name="Ate"/> the mean over the target population of each HCP's effect (Σ over the
/// window's months of y_treated − y_control), <paramref name="Att"/> over its treated HCPs (0 when none), and the CATE by
/// specialty × tier × segment.
/// </summary>
public sealed record OutcomeEffect(string Outcome, double Ate, double Att, IReadOnlyList<CellEffect> Cates);

/// <summary>The conditional average treatment effect of one specialty × tier × segment cell of the target population.</summary>
public sealed record CellEffect(string Specialty, string Tier, string Segment, int Hcps, double Cate);

/// <summary>Reads an intervention's exact true effects, per outcome, from the truth table.</summary>
public static class InterventionEffects
{
    /// <summary>The intervention's true effects; null when it has no truth yet (not adopted, or nothing of its window simulated).</summary>
    public static async Task<TrueEffects?> ReadAsync(NpgsqlDataSource dataSource, Guid interventionId, CancellationToken ct)
    {
        ArgumentNullException.ThrowIfNull(dataSource);
        const string s = HcpDbContext.DatasetSchema;
        await using var connection = await dataSource.OpenConnectionAsync(ct);
        await using var tx = await connection.BeginTransactionAsync(System.Data.IsolationLevel.RepeatableRead, ct);
        if (await InterventionData.TruthSpanAsync(connection, s, interventionId, ct, tx) is not { } span)
        {
            return null;
        }
        int target = 0, treated = 0;
        await using (var counts = new NpgsqlCommand($"SELECT count(*), count(*) FILTER (WHERE arm = 'treatment') FROM {s}.intervention_assignments WHERE intervention_id = @id", connection, tx))
        {
            counts.Parameters.AddWithValue("id", interventionId);
            await using var reader = await counts.ExecuteReaderAsync(ct);
            if (await reader.ReadAsync(ct))
            {
                (target, treated) = ((int)reader.GetInt64(0), (int)reader.GetInt64(1));
            }
        }
        var cells = new List<(string Outcome, CellEffect Cell, double Sum, int TreatedHcps, double TreatedSum)>();
        await using (var cmd = new NpgsqlCommand($"""
            WITH e AS (
                SELECT hcp_id, outcome, bool_or(arm = 'treatment') AS treated, sum(y_treated - y_control) AS effect
                FROM {s}.intervention_truth WHERE intervention_id = @id GROUP BY hcp_id, outcome)
            SELECT e.outcome, p.specialty, p.tier, p.segment, count(*), sum(e.effect),
                   count(*) FILTER (WHERE e.treated), coalesce(sum(e.effect) FILTER (WHERE e.treated), 0)
            FROM e JOIN {s}.hcp_profiles p ON p.id = e.hcp_id
            GROUP BY 1, 2, 3, 4 ORDER BY 1, 2, 3, 4
            """, connection, tx))
        {
            cmd.Parameters.AddWithValue("id", interventionId);
            await using var reader = await cmd.ExecuteReaderAsync(ct);
            while (await reader.ReadAsync(ct))
            {
                var n = (int)reader.GetInt64(4);
                var sum = reader.GetDouble(5);
                cells.Add((reader.GetString(0), new CellEffect(reader.GetString(1), reader.GetString(2), reader.GetString(3), n, sum / n), sum,
                    (int)reader.GetInt64(6), reader.GetDouble(7)));
            }
        }
        var order = InterventionTruthCalculator.Outcomes(new Engine.Config.SimulationConfig()).ToList();
        var outcomes = cells.GroupBy(c => c.Outcome)
            .OrderBy(g => order.IndexOf(g.Key) is var i && i < 0 ? int.MaxValue : i).ThenBy(g => g.Key, StringComparer.Ordinal)
            .Select(g =>
            {
                var hcps = g.Sum(c => c.Cell.Hcps);
                var treatedHcps = g.Sum(c => c.TreatedHcps);
                return new OutcomeEffect(g.Key, g.Sum(c => c.Sum) / hcps, treatedHcps == 0 ? 0 : g.Sum(c => c.TreatedSum) / treatedHcps,
                    [.. g.Select(c => c.Cell)]);
            })
            .ToList();
        return new TrueEffects(interventionId, span.From, span.Through, target, treated, outcomes);
    }
}
