using HcpPlatform.Engine.Calendar;
using HcpPlatform.Engine.Simulation;

namespace HcpPlatform.Engine.Interventions;

/// <summary>One targeted HCP's two potential outcomes for one outcome and month (hcp.intervention_truth).</summary>
public sealed record TruthRow(int Hcp, Guid HcpId, bool Treated, string Outcome, DateOnly Month, double YTreated, double YControl);

/// <summary>
/// Exact counterfactuals: for every HCP of an intervention's target population, its outcomes in the observed world and in
/// the world where its assignment is the other arm (same seed, everything else equal), per outcome and month over the
/// intervention's window. Outcomes: each outcome type (the count of outcome events dated in the month, UTC) and "rx" (the
/// month's Rx count, for months complete by then). The cost is two evaluations of each targeted HCP over the window.
/// </summary>
public static class InterventionTruthCalculator
{
    public const string Rx = "rx";

    /// <summary>The outcomes the truth is kept for: every outcome type of the configuration, then rx.</summary>
    public static IReadOnlyList<string> Outcomes(Config.SimulationConfig config)
    {
        ArgumentNullException.ThrowIfNull(config);
        return [.. config.AttributionWindowDays.Keys.Order(StringComparer.Ordinal), Rx];
    }

    /// <summary>
    /// The days whose events the truth counts: from the start month's first day (not before the dataset's window) to the
    /// last day of the month holding end + the longest attribution window + the Rx carryover months, capped at
    /// <paramref name="through"/>; null when nothing of it is simulated yet. Outcome types count in months up to the month of
    /// end + the longest attribution window; Rx in months up to RxCarryoverMonths later.
    /// </summary>
    public static (DateOnly From, DateOnly To, int LastOutcomeMonth, int LastRxMonth)? Window(Intervention intervention, Config.SimulationConfig config, DateOnly windowStart, DateOnly through)
    {
        ArgumentNullException.ThrowIfNull(intervention);
        ArgumentNullException.ThrowIfNull(config);
        var lastOutcomeMonth = SimDate.MonthNumber(intervention.End.AddDays(config.AttributionWindowDays.Values.Max()));
        var lastRxMonth = lastOutcomeMonth + config.RxCarryoverMonths;
        var from = SimDate.MonthStart(SimDate.MonthNumber(intervention.Start));
        from = from < windowStart ? windowStart : from;
        var to = SimDate.MonthStart(lastRxMonth).AddDays(SimDate.DaysInMonth(lastRxMonth) - 1);
        to = to > through ? through : to;
        return to < from ? null : (from, to, lastOutcomeMonth, lastRxMonth);
    }

    /// <summary>
    /// The truth rows of intervention <paramref name="k"/> (an index of the simulator's interventions) for the days in
    /// [<paramref name="from"/>, <paramref name="to"/>] (within its <see cref="Window"/>): the months those days fall in, every
    /// outcome, every targeted HCP, in HCP order. Months of outcome types past the window's last outcome month and Rx months
    /// past its last Rx month are left out.
    /// </summary>
    public static List<TruthRow> Compute(Simulator simulator, int k, DateOnly windowStart, DateOnly from, DateOnly to, int parallelism, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(simulator);
        var schedule = simulator.Interventions ?? throw new ArgumentException("The simulator has no interventions.", nameof(simulator));
        var intervention = schedule.Items[k];
        var config = simulator.Population.Model.Config;
        if (Window(intervention, config, windowStart, to) is not { } window)
        {
            return [];
        }
        from = from < window.From ? window.From : from;
        to = to > window.To ? window.To : to;
        if (to < from)
        {
            return [];
        }
        var types = config.AttributionWindowDays.Keys.Order(StringComparer.Ordinal).ToArray();
        var firstMonth = SimDate.MonthNumber(from);
        var lastMonth = SimDate.MonthNumber(to);
        var hcps = schedule.TargetPopulation(k).ToArray();
        // One range for every HCP and both worlds: what it holds per month depends on the days only.
        var range = simulator.Range(windowStart, from, to);
        var perHcp = new List<TruthRow>[hcps.Length];
        var options = new ParallelOptions { MaxDegreeOfParallelism = Math.Max(1, parallelism), CancellationToken = cancellationToken };
        Parallel.For(0, hcps.Length, options, j =>
        {
            var h = hcps[j];
            var treated = schedule.IsTreated(k, h);
            var observed = Tally(simulator.EvaluateHcp(range, h), types, firstMonth, lastMonth);
            var other = Tally(simulator.EvaluateHcp(range, h, k), types, firstMonth, lastMonth);
            var (yTreated, yControl) = treated ? (observed, other) : (other, observed);
            var rows = new List<TruthRow>();
            var id = simulator.Population.Traits[h].Id;
            for (var m = firstMonth; m <= lastMonth; m++)
            {
                var month = SimDate.MonthStart(m);
                for (var t = 0; t < types.Length; t++)
                {
                    if (m <= window.LastOutcomeMonth)
                    {
                        var i = (m - firstMonth) * (types.Length + 1) + t;
                        rows.Add(new TruthRow(h, id, treated, types[t], month, yTreated.Counts[i], yControl.Counts[i]));
                    }
                }
                // An Rx row exists once its month is complete (in both worlds alike).
                var rx = (m - firstMonth) * (types.Length + 1) + types.Length;
                if (m <= window.LastRxMonth && observed.HasRx[m - firstMonth])
                {
                    rows.Add(new TruthRow(h, id, treated, Rx, month, yTreated.Counts[rx], yControl.Counts[rx]));
                }
            }
            perHcp[j] = rows;
        });
        return [.. perHcp.SelectMany(r => r)];
    }

    private sealed record Tallies(double[] Counts, bool[] HasRx);

    private static Tallies Tally(EventBlock block, string[] types, int firstMonth, int lastMonth)
    {
        var months = lastMonth - firstMonth + 1;
        var counts = new double[months * (types.Length + 1)];
        var hasRx = new bool[months];
        foreach (var o in block.Outcomes)
        {
            var m = SimDate.MonthNumber(DateOnly.FromDateTime(o.EventDate)) - firstMonth;
            var t = Array.IndexOf(types, o.OutcomeType);
            if (m >= 0 && m < months && t >= 0)
            {
                counts[m * (types.Length + 1) + t]++;
            }
        }
        foreach (var r in block.Rx)
        {
            var m = SimDate.MonthNumber(DateOnly.FromDateTime(r.Month)) - firstMonth;
            if (m >= 0 && m < months)
            {
                counts[m * (types.Length + 1) + types.Length] = r.RxCount;
                hasRx[m] = true;
            }
        }
        return new Tallies(counts, hasRx);
    }
}
