using System.Globalization;

namespace HcpPlatform.Engine.Statistics;

/// <summary>A model's estimate of one HCP's effect (the outcome's total over the window, treated minus control), with an optional interval.</summary>
public sealed record UpliftEstimate(Guid HcpId, double Effect, double? Lower = null, double? Upper = null);

/// <summary>What a model estimated: per-HCP effects, an average treatment effect with its confidence interval, or both.</summary>
public sealed record EstimateInput(IReadOnlyList<UpliftEstimate>? PerHcp, double? Ate, double? AteLower, double? AteUpper);

/// <summary>One HCP of an intervention's target population with its true effect on an outcome (Σ over the window's months of y_treated − y_control).</summary>
public sealed record TrueHcpEffect(Guid HcpId, bool Treated, double Effect);

/// <summary>
/// Estimates that cannot be scored (not finite, twice for one HCP, outside the target population, an interval upside
/// down) or a truth with no target population: the message says what, for the person who sent them. An
/// <see cref="ArgumentException"/> without a parameter name, so the message is the plain sentence.
/// </summary>
public sealed class UpliftInputException(string message) : ArgumentException(message);

/// <summary>
/// A model's estimates scored against the exact truth of one outcome (<see cref="UpliftScoring.Score"/> defines each figure).
/// <see cref="Qini"/> and <see cref="Auuc"/> are normalised (oracle 1, random ranking about 0); <see cref="OracleQini"/>
/// and <see cref="OracleAuuc"/> are the oracle ranking's unnormalised areas (outcome units per HCP), the scale the
/// normalised figures are fractions of.
/// </summary>
public sealed record UpliftScore(string Outcome, int Hcps, double TrueAte, double TrueAtt, double EstimatedAte,
    double Bias, bool? AteCovered, double? Pehe, double? Qini, double? Auuc, double OracleQini, double OracleAuuc);

/// <summary>
/// Scores uplift estimates against an intervention's true per-HCP effects. Pure; every figure is over the outcome's total
/// per HCP over the intervention's window:
/// <list type="bullet">
/// <item><b>True ATE</b>: the mean true effect over the target population; <b>true ATT</b>: over its treated HCPs (0 when none).</item>
/// <item><b>Estimated ATE</b>: the given ATE, else the mean of the per-HCP estimates. <b>Bias</b> = estimated ATE − true ATE.</item>
/// <item><b>Coverage</b>: whether [AteLower, AteUpper] holds the true ATE (null without both bounds).</item>
/// <item><b>PEHE</b> = √(mean over the estimated HCPs of (estimate − true effect)²) (null without per-HCP estimates).</item>
/// <item><b>Qini</b>: rank the estimated HCPs by estimate, highest first; Q(k) = Σ of the true effects of the first k
/// (a tie group shares its sum evenly over its positions: the expectation over orders within the tie). Area
/// A = (1/n) Σₖ (Q(k) − (k/n)·Q(n)) / n, the area between the cumulative-gain curve and the random ranking's line, axes
/// as shares of the n HCPs. Qini = A(model) / A(oracle), the oracle ranking by the true effects: 1 for the oracle,
/// about 0 for a random ranking, negative for a ranking worse than random.</item>
/// <item><b>AUUC</b>: U(k) = Q(k) / k, the mean true effect of the first k (the uplift curve); area
/// B = (1/n) Σₖ (U(k) − U(n)); AUUC = B(model) / B(oracle). It weighs the top of the ranking more than Qini does.</item>
/// </list>
/// Qini and AUUC are null when the oracle's area is 0 (every HCP has the same true effect: there is nothing to rank) or
/// when no per-HCP estimates are given; the oracle's areas are over the same HCPs as the model's (the estimated ones,
/// else the whole target population).
/// </summary>
public static class UpliftScoring
{
    public static UpliftScore Score(string outcome, IReadOnlyList<TrueHcpEffect> truth, EstimateInput estimates)
    {
        ArgumentNullException.ThrowIfNull(outcome);
        ArgumentNullException.ThrowIfNull(truth);
        ArgumentNullException.ThrowIfNull(estimates);
        if (truth.Count == 0)
        {
            throw new UpliftInputException("The intervention has no target population to score against.");
        }
        var byHcp = new Dictionary<Guid, TrueHcpEffect>(truth.Count);
        foreach (var t in truth)
        {
            if (!byHcp.TryAdd(t.HcpId, t))
            {
                throw new ArgumentException($"The truth lists HCP {t.HcpId} twice.", nameof(truth));
            }
        }
        var trueAte = truth.Average(t => t.Effect);
        var treated = truth.Where(t => t.Treated).ToList();
        var trueAtt = treated.Count > 0 ? treated.Average(t => t.Effect) : 0;

        var perHcp = estimates.PerHcp is { Count: > 0 } list ? list : null;
        List<(double Estimate, double Effect)>? pairs = null;
        if (perHcp is not null)
        {
            pairs = new List<(double, double)>(perHcp.Count);
            var seen = new HashSet<Guid>();
            foreach (var e in perHcp)
            {
                if (!double.IsFinite(e.Effect))
                {
                    throw new UpliftInputException($"The estimate for HCP {e.HcpId} is not a finite number.");
                }
                if (!seen.Add(e.HcpId))
                {
                    throw new UpliftInputException($"HCP {e.HcpId} has two estimates; give one per HCP.");
                }
                if (!byHcp.TryGetValue(e.HcpId, out var t))
                {
                    throw new UpliftInputException($"HCP {e.HcpId} is not in the intervention's target population; estimates are scored only for its HCPs.");
                }
                pairs.Add((e.Effect, t.Effect));
            }
        }

        double estimatedAte;
        if (estimates.Ate is { } ate)
        {
            if (!double.IsFinite(ate))
            {
                throw new UpliftInputException("The ATE estimate is not a finite number.");
            }
            estimatedAte = ate;
        }
        else if (pairs is not null)
        {
            estimatedAte = pairs.Average(p => p.Estimate);
        }
        else
        {
            throw new UpliftInputException("Nothing to score: give per-HCP effect estimates, an ATE, or both.");
        }

        bool? covered = null;
        if (estimates.AteLower is { } lo && estimates.AteUpper is { } hi)
        {
            if (!double.IsFinite(lo) || !double.IsFinite(hi) || lo > hi)
            {
                throw new UpliftInputException(string.Create(CultureInfo.InvariantCulture,
                    $"The ATE interval [{lo}, {hi}] is not an interval: the lower bound must be finite and at most the upper."));
            }
            covered = lo <= trueAte && trueAte <= hi;
        }

        double? pehe = null, qini = null, auuc = null;
        double oracleQini, oracleAuuc;
        if (pairs is not null)
        {
            pehe = Math.Sqrt(pairs.Average(p => (p.Estimate - p.Effect) * (p.Estimate - p.Effect)));
            var effects = pairs.Select(p => p.Effect).ToArray();
            var (modelQ, modelU) = Areas(pairs.Select(p => p.Estimate).ToArray(), effects);
            (oracleQini, oracleAuuc) = Areas(effects, effects);
            qini = oracleQini > 0 ? modelQ / oracleQini : null;
            auuc = oracleAuuc > 0 ? modelU / oracleAuuc : null;
        }
        else
        {
            var effects = truth.Select(t => t.Effect).ToArray();
            (oracleQini, oracleAuuc) = Areas(effects, effects);
        }

        return new UpliftScore(outcome, truth.Count, trueAte, trueAtt, estimatedAte, estimatedAte - trueAte, covered, pehe,
            qini, auuc, oracleQini, oracleAuuc);
    }

    /// <summary>The Qini area A and the uplift-curve area B (see the class) of ranking by <paramref name="scores"/>.</summary>
    public static (double Qini, double Auuc) Areas(IReadOnlyList<double> scores, IReadOnlyList<double> effects)
    {
        ArgumentNullException.ThrowIfNull(scores);
        ArgumentNullException.ThrowIfNull(effects);
        if (scores.Count != effects.Count)
        {
            throw new ArgumentException("scores and effects differ in length.", nameof(effects));
        }
        var n = scores.Count;
        if (n == 0)
        {
            return (0, 0);
        }
        // Highest score first; ties broken by the effect only to make the sort total (tie groups are averaged below).
        var order = Enumerable.Range(0, n).OrderByDescending(i => scores[i]).ThenBy(i => effects[i]).ToArray();
        var total = 0.0;
        foreach (var e in effects)
        {
            total += e;
        }
        double qArea = 0, uArea = 0, cumulative = 0;
        var mean = total / n;
        var start = 0;
        while (start < n)
        {
            var end = start;
            var groupSum = 0.0;
            while (end < n && scores[order[end]] == scores[order[start]])
            {
                groupSum += effects[order[end]];
                end++;
            }
            var size = end - start;
            for (var j = 1; j <= size; j++)
            {
                var k = start + j;
                var q = cumulative + groupSum * j / size;
                qArea += q - (double)k / n * total;
                uArea += q / k - mean;
            }
            cumulative += groupSum;
            start = end;
        }
        return (qArea / n / n, uArea / n);
    }
}
