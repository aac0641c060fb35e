using System.Globalization;

namespace HcpPlatform.Engine.Interventions;

/// <summary>The interventions a dataset continues with, what had to be adjusted to keep its history, and whether anything changed.</summary>
public sealed record InterventionAdoption(IReadOnlyList<Intervention> Interventions, IReadOnlyList<string> Notes, bool Changed)
{
    /// <summary>
    /// The stored interventions a backfill adopts: every one (active or stopped) whose end is not before its start, in
    /// (start, id) order.
    /// </summary>
    public static IReadOnlyList<Intervention> ForBackfill(IEnumerable<Intervention> stored)
    {
        ArgumentNullException.ThrowIfNull(stored);
        return Ordered(stored.Where(i => i.End >= i.Start).Select(i => i.Clone()));
    }

    /// <summary>
    /// Applies the stored interventions to a dataset simulated through <paramref name="simulatedThrough"/>, going forward only
    /// (as <see cref="Dynamics.ScenarioEventSchedule"/> does for scenario events): an intervention that has started keeps its
    /// definition, and only its end may move, never before the last simulated day (a stop; one no longer stored ends on that
    /// day); one not started yet is replaced by its stored definition (or dropped); a stored one not adopted yet is adopted
    /// when it starts after the last simulated day, and otherwise left out with a note. Applying the same list again
    /// changes nothing.
    /// </summary>
    public static InterventionAdoption ApplyGoingForward(IReadOnlyList<Intervention>? current, IEnumerable<Intervention> stored, DateOnly simulatedThrough)
    {
        ArgumentNullException.ThrowIfNull(stored);
        var byId = ForBackfill(stored).ToDictionary(i => i.Id);
        var notes = new List<string>();
        var result = new List<Intervention>();
        foreach (var c in current ?? [])
        {
            byId.Remove(c.Id, out var s);
            if (c.Start > simulatedThrough)
            {
                if (s is not null)
                {
                    result.Add(s);
                }
                continue;
            }
            var kept = c.Clone();
            var wanted = s?.End ?? simulatedThrough;
            if (wanted < kept.End)
            {
                kept.End = wanted < simulatedThrough ? simulatedThrough : wanted;
                notes.Add(F($"{c} ends on {kept.End:yyyy-MM-dd}."));
            }
            result.Add(kept);
        }
        foreach (var s in byId.Values)
        {
            if (s.Start > simulatedThrough)
            {
                result.Add(s);
            }
            else
            {
                notes.Add(F($"{s} would start in simulated days (through {simulatedThrough:yyyy-MM-dd}); not adopted."));
            }
        }
        var ordered = Ordered(result);
        var before = Ordered(current ?? []);
        var changed = before.Count != ordered.Count || before.Zip(ordered).Any(p => p.First.ToJson() != p.Second.ToJson());
        return new InterventionAdoption(ordered, notes, changed);
    }

    private static List<Intervention> Ordered(IEnumerable<Intervention> interventions) =>
        [.. interventions.OrderBy(i => i.Start).ThenBy(i => i.Id)];

    private static string F(FormattableString s) => s.ToString(CultureInfo.InvariantCulture);
}
