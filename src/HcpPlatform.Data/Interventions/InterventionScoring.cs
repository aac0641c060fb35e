using System.Globalization;
using System.Text;
using HcpPlatform.Data.Loading;
using HcpPlatform.Data.Platform;
using HcpPlatform.Engine.Model;
using HcpPlatform.Engine.Statistics;
using Npgsql;

namespace HcpPlatform.Data.Interventions;

/// <summary>
/// Input the scoring cannot take: an unknown outcome, a bad model type, or estimates that cannot be scored.
/// <see cref="Field"/> names the input at fault (<see cref="Outcome"/>, <see cref="ModelType"/> or <see cref="Estimates"/>);
/// the message is a sentence for the person who sent it.
/// </summary>
public sealed class ScoringInputException(string field, string message, Exception? inner = null) : Exception(message, inner)
{
    public const string Outcome = "outcome";
    public const string ModelType = "modelType";
    public const string Estimates = "estimates";

    public string Field { get; } = field;
}

/// <summary>The intervention has no truth to score against yet: the dataset has not adopted it, or none of its window is simulated.</summary>
public sealed class NoTruthYetException(string message) : Exception(message);

/// <summary>
/// Scores a model's estimates of an intervention's effect on one outcome against the exact truth (<see cref="UpliftScoring"/>
/// defines every figure) and records the scored model as an hcp.uplift_models row with its metrics.
/// </summary>
public static class InterventionScoring
{
    /// <summary>
    /// The score of <paramref name="estimates"/> for <paramref name="outcome"/> (an outcome type or "rx"); the row recorded for
    /// <paramref name="modelType"/> has the estimated ATE (and the mean estimate over the treated as its ATT when per-HCP
    /// estimates are given). Scoring the same estimates again updates that row.
    /// </summary>
    /// <exception cref="ScoringInputException">An unknown outcome, a bad model type, or estimates that cannot be scored (e.g. for HCPs outside the target population).</exception>
    /// <exception cref="NoTruthYetException">The intervention has no truth yet.</exception>
    public static async Task<UpliftScore> ScoreAsync(NpgsqlDataSource dataSource, Guid interventionId, string outcome, EstimateInput estimates,
        string modelType, CancellationToken ct)
    {
        ArgumentNullException.ThrowIfNull(dataSource);
        ArgumentNullException.ThrowIfNull(estimates);
        if (string.IsNullOrWhiteSpace(modelType) || modelType.Length > 50 || modelType.Any(char.IsControl) || modelType == UpliftModelTypes.Oracle)
        {
            throw new ScoringInputException(ScoringInputException.ModelType,
                "model type needs 1–50 characters (no control characters) and cannot be \"oracle\" (the platform's own row), e.g. difference_in_means, t_learner.");
        }
        const string s = HcpDbContext.DatasetSchema;
        await using var connection = await dataSource.OpenConnectionAsync(ct);
        await using var tx = await connection.BeginTransactionAsync(ct);
        if (await InterventionData.TruthSpanAsync(connection, s, interventionId, ct, tx) is not { } span)
        {
            throw new NoTruthYetException($"Intervention {interventionId} has no truth yet: it is not adopted by the dataset or none of its window is simulated.");
        }
        var known = new List<string>();
        await using (var cmd = new NpgsqlCommand($"SELECT DISTINCT outcome FROM {s}.intervention_truth WHERE intervention_id = @id ORDER BY 1", connection, tx))
        {
            cmd.Parameters.AddWithValue("id", interventionId);
            await using var reader = await cmd.ExecuteReaderAsync(ct);
            while (await reader.ReadAsync(ct))
            {
                known.Add(reader.GetString(0));
            }
        }
        if (!known.Contains(outcome))
        {
            throw new ScoringInputException(ScoringInputException.Outcome, $"outcome \"{InputEcho.Of(outcome)}\" is unknown; allowed: {string.Join(", ", known)}.");
        }
        var truth = await InterventionData.TrueEffectsAsync(connection, s, interventionId, outcome, ct, tx);
        UpliftScore score;
        try
        {
            score = UpliftScoring.Score(outcome, truth, estimates);
        }
        catch (UpliftInputException e)
        {
            throw new ScoringInputException(ScoringInputException.Estimates, e.Message, e);
        }

        double? att = null;
        if (estimates.PerHcp is { Count: > 0 } perHcp)
        {
            var treated = truth.Where(t => t.Treated).Select(t => t.HcpId).ToHashSet();
            var mine = perHcp.Where(e => treated.Contains(e.HcpId)).ToList();
            att = mine.Count > 0 ? mine.Average(e => e.Effect) : null;
        }
        var row = new UpliftModel
        {
            ModelId = InterventionData.ModelId(interventionId, outcome, modelType, EstimatesKey(estimates)),
            InterventionId = interventionId,
            Outcome = outcome,
            ModelType = modelType,
            TrainingDate = DateTime.UtcNow,
            TrainingDataStart = span.From,
            TrainingDataEnd = span.Through,
            SampleSize = estimates.PerHcp?.Count ?? score.Hcps,
            Ate = score.EstimatedAte,
            Att = att,
            Metrics = InterventionData.MetricsJson(score),
        };
        await using (var delete = new NpgsqlCommand($"DELETE FROM {s}.uplift_models WHERE model_id = @id", connection, tx))
        {
            delete.Parameters.AddWithValue("id", row.ModelId);
            await delete.ExecuteNonQueryAsync(ct);
        }
        CopyWriter.Copy(connection, s, DatasetTables.UpliftModels, [row], freeze: false, ct: ct);
        await tx.CommitAsync(ct);
        return score;
    }

    /// <summary>The estimates as text (the key of their model row): every figure in round-trip form.</summary>
    private static string EstimatesKey(EstimateInput e)
    {
        var sb = new StringBuilder();
        sb.Append(CultureInfo.InvariantCulture, $"{e.Ate:R};{e.AteLower:R};{e.AteUpper:R}");
        foreach (var x in e.PerHcp ?? [])
        {
            sb.Append(CultureInfo.InvariantCulture, $"\n{x.HcpId:D};{x.Effect:R};{x.Lower:R};{x.Upper:R}");
        }
        return sb.ToString();
    }
}
