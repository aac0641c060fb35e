using System.Globalization;

namespace HcpPlatform.Engine.Dynamics;

/// <summary>The events a dataset continues with, and what had to be adjusted to keep its history.</summary>
public sealed record EventAdoption(IReadOnlyList<ScenarioEvent> Events, IReadOnlyList<string> Notes, bool Changed);

/// <summary>
/// Applies a desired list of scenario events to a dataset that is already simulated through some day, going
/// forward only: the days already written must stay exactly what a replay of the dataset's configuration gives
/// ("history is the stream replayed"), so
/// <list type="bullet">
/// <item>an event that has started (start ≤ simulated through) keeps its type, start, channel, product and magnitude;
/// only its end may move, and never before the last simulated day. If the desired list no longer has it (or has it
/// with another magnitude), it ends on the last simulated day;</item>
/// <item>an event that has already ended stays as it is;</item>
/// <item>a new event that would start in the past starts on the first open day instead (one entirely in the past is ignored);</item>
/// <item>events that have not started yet are replaced by the desired ones.</item>
/// </list>
/// Applying the same desired list again changes nothing. A backfill with the resulting list yields the same rows as
/// the increments on every day they share.
/// </summary>
public static class ScenarioEventSchedule
{
    public static EventAdoption ApplyGoingForward(IReadOnlyList<ScenarioEvent>? current, IReadOnlyList<ScenarioEvent> desired, DateOnly simulatedThrough)
    {
        ArgumentNullException.ThrowIfNull(desired);
        var open = simulatedThrough.AddDays(1);
        var notes = new List<string>();
        var result = new List<ScenarioEvent>();
        var consumed = new bool[desired.Count];

        foreach (var s in ScenarioDynamics.Ordered(current).Where(e => e.Start < open))
        {
            var match = FindMatch(s, desired, consumed);
            if (match >= 0)
            {
                consumed[match] = true;
            }
            if (s.End is { } end && end < open)
            {
                result.Add(s.Clone()); // finished: frozen
                continue;
            }
            var kept = s.Clone();
            if (match < 0)
            {
                kept.End = simulatedThrough;
                notes.Add(F($"{s} is in effect and no longer desired (as it is): it ends on {simulatedThrough:yyyy-MM-dd}, the last simulated day."));
            }
            else
            {
                var wanted = desired[match].End;
                kept.End = wanted is { } w && w < simulatedThrough ? simulatedThrough : wanted;
                if (wanted is { } w2 && w2 < simulatedThrough)
                {
                    notes.Add(F($"{s}: its end {w2:yyyy-MM-dd} is already simulated; it ends on {simulatedThrough:yyyy-MM-dd}."));
                }
            }
            result.Add(kept);
        }

        for (var i = 0; i < desired.Count; i++)
        {
            if (consumed[i])
            {
                continue;
            }
            var d = desired[i].Clone();
            if (d.End is { } end && end < open)
            {
                notes.Add(F($"{desired[i]} lies entirely in simulated days (through {simulatedThrough:yyyy-MM-dd}); ignored."));
                continue;
            }
            if (d.Start < open)
            {
                notes.Add(F($"{desired[i]} would start in simulated days; it starts on {open:yyyy-MM-dd}, the first open day."));
                d.Start = open;
            }
            if (result.Any(r => r.Key == d.Key))
            {
                notes.Add(F($"{desired[i]} duplicates another event; ignored."));
                continue;
            }
            result.Add(d);
        }

        var ordered = ScenarioDynamics.Ordered(result);
        return new EventAdoption(ordered, notes, !SameSchedule(ScenarioDynamics.Ordered(current), ordered));
    }

    /// <summary>True when two lists describe the same events (order aside).</summary>
    public static bool SameSchedule(IReadOnlyList<ScenarioEvent>? a, IReadOnlyList<ScenarioEvent>? b)
    {
        var x = ScenarioDynamics.Ordered(a);
        var y = ScenarioDynamics.Ordered(b);
        return x.Count == y.Count && x.Zip(y).All(p => p.First.Key == p.Second.Key
            && p.First.Magnitude.Equals(p.Second.Magnitude) && p.First.End == p.Second.End);
    }

    /// <summary>The desired event that continues a started one: same type, channel, product and magnitude, starting no later and covering its start.</summary>
    private static int FindMatch(ScenarioEvent started, IReadOnlyList<ScenarioEvent> desired, bool[] consumed)
    {
        var best = -1;
        for (var i = 0; i < desired.Count; i++)
        {
            var d = desired[i];
            if (consumed[i] || d.Type != started.Type || d.Channel != started.Channel || d.Product != started.Product
                || !d.Magnitude.Equals(started.Magnitude) || d.Start > started.Start || (d.End is { } end && end < started.Start))
            {
                continue;
            }
            if (d.Start == started.Start)
            {
                return i;
            }
            best = best < 0 ? i : best;
        }
        return best;
    }

    private static string F(FormattableString s) => s.ToString(CultureInfo.InvariantCulture);
}
