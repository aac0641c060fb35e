using System.Globalization;
using HcpPlatform.Engine.Config;
using HcpPlatform.Engine.Model;
using HcpPlatform.Engine.Randomness;
using HcpPlatform.Engine.Simulation;

namespace HcpPlatform.Engine.Generators;

/// <summary>Per-HCP contact limits and per-channel capacity (the 000 Task 1 tables the stimuli must respect).</summary>
public static class ContactLimitGenerator
{
    private const int Weekdays = 0b0011111; // ISO 1..5 as bits 0..4

    public static ContactRule[] Rules(SimulationModel model, long seed, int slot, int tier)
    {
        var rng = new KeyedRandom(seed, StreamKind.ContactLimit, slot);
        // Phone calls only on the days this HCP takes them: two to five weekdays, always at least two.
        var phoneMask = 0;
        while (BitCount(phoneMask) < 2)
        {
            phoneMask = 0;
            for (var d = 0; d < 5; d++)
            {
                if (rng.Chance(0.7))
                {
                    phoneMask |= 1 << d;
                }
            }
        }
        var rules = new ContactRule[Channel.Count];
        rules[Channel.Email] = new(tier == 2 ? 6 : 8, 2, 0);
        // No-see HCPs (a configured share of each tier) take no rep visits: a monthly maximum of 0. A stream of its own.
        var noSee = new KeyedRandom(seed, StreamKind.ContactLimit, slot, 0, 2).Chance(model.NoSeeShare[tier]);
        rules[Channel.RepVisit] = new(noSee ? 0 : tier switch { 0 => 4, 1 => 3, _ => 2 }, 7, Weekdays);
        rules[Channel.Phone] = new(3, 5, phoneMask);
        rules[Channel.Webinar] = new(3, 3, 0);
        rules[Channel.DigitalAd] = new(25, 1, 0);
        rules[Channel.Conference] = new(5, 0, 0);
        return rules;
    }

    /// <summary>Zero to two personal blackout days a year (month * 100 + day), never Feb 29.</summary>
    public static int[] Blackouts(long seed, int slot)
    {
        var rng = new KeyedRandom(seed, StreamKind.ContactLimit, slot, 0, 1);
        var count = rng.Choose([0.5, 0.3, 0.2]);
        var days = new List<int>(count);
        while (days.Count < count)
        {
            var month = rng.NextInt(1, 12);
            var day = rng.NextInt(1, 28);
            var value = month * 100 + day;
            if (!days.Contains(value))
            {
                days.Add(value);
            }
        }
        days.Sort();
        return [.. days];
    }

    public static IEnumerable<HcpContactLimit> Rows(long seed, HcpTraits hcp)
    {
        var blackout = hcp.Blackouts.Length == 0
            ? "[]"
            : "[" + string.Join(", ", hcp.Blackouts.Select(b => $"\"{b / 100:D2}-{b % 100:D2}\"")) + "]";
        for (var c = 0; c < Channel.Count; c++)
        {
            var rule = hcp.Limits[c];
            yield return new HcpContactLimit
            {
                Id = DeterministicId.Create(seed, StreamKind.ContactLimit, hcp.Index, 0, c + 1),
                HcpId = hcp.Id,
                Channel = Channel.Names[c],
                MaxContactsPerMonth = rule.MaxPerMonth,
                MinDaysBetweenContacts = rule.MinDaysBetween,
                PreferredDays = rule.PreferredWeekdayMask == 0 ? null : DaysJson(rule.PreferredWeekdayMask),
                BlackoutDates = blackout,
            };
        }
    }

    public static IEnumerable<ChannelCapacity> Capacity(long seed, int hcpCount, SimulationConfig config, DateOnly effective)
    {
        var rows = new (int Channel, string Type, int Limit, string Period)[]
        {
            (Channel.Email, "sends", hcpCount, "day"),
            (Channel.RepVisit, "visits_per_rep", config.MaxRepVisitsPerDay, "day"),
            (Channel.Phone, "calls_per_rep", config.MaxRepCallsPerDay, "day"),
            (Channel.Webinar, "seats_per_event", hcpCount, "event"),
            (Channel.DigitalAd, "impressions", hcpCount, "day"),
            (Channel.Conference, "touches", hcpCount, "day"),
        };
        foreach (var r in rows)
        {
            yield return new ChannelCapacity
            {
                Id = DeterministicId.Create(seed, StreamKind.ContactLimit, -1, 0, r.Channel + 1),
                Channel = Channel.Names[r.Channel],
                CapacityType = r.Type,
                LimitValue = r.Limit,
                Period = r.Period,
                EffectiveDate = effective.ToDateTime(TimeOnly.MinValue, DateTimeKind.Utc),
            };
        }
    }

    private static string DaysJson(int mask)
    {
        var days = Enumerable.Range(0, 7).Where(d => (mask & (1 << d)) != 0).Select(d => (d + 1).ToString(CultureInfo.InvariantCulture));
        return "[" + string.Join(", ", days) + "]";
    }

    private static int BitCount(int v) => System.Numerics.BitOperations.PopCount((uint)v);
}
