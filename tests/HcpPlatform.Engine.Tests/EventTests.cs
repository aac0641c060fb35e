using System.Security.Cryptography;
using System.Text;
using HcpPlatform.Engine.Calendar;
using HcpPlatform.Engine.Config;
using HcpPlatform.Engine.Dynamics;
using HcpPlatform.Engine.Model;
using HcpPlatform.Engine.Simulation;
using HcpPlatform.Engine.Statistics;

namespace HcpPlatform.Engine.Tests;

/// <summary>Scenario dynamics: each injected event is visible in the data, recorded in ground truth, and keeps determinism.</summary>
public sealed class EventTests
{
    private const long Seed = 21;
    private const int Hcps = 600;
    private static readonly DateOnly AsOf = new(2026, 6, 30);
    private static readonly DateOnly WindowStart = SimDate.WindowStart(AsOf, 4); // 2026-03-01
    private static readonly DateOnly Start = new(2026, 5, 11);
    private static readonly DateOnly End = new(2026, 6, 12);

    private sealed record Output(Population Population, List<StimulusEvent> S, List<OutcomeEvent> O, List<PrescribingHistory> R);

    private static SimulationConfig With(params ScenarioEvent[] events) => new() { Events = [.. events] };

    private static ScenarioEvent Event(string type, double magnitude, string? channel = null, DateOnly? start = null, DateOnly? end = null, bool openEnded = false) =>
        new() { Type = type, Start = start ?? Start, End = openEnded ? null : end ?? End, Magnitude = magnitude, Channel = channel };

    private static Output Run(SimulationConfig config, DateOnly windowStart, DateOnly from, DateOnly to, long seed = Seed, int hcps = Hcps)
    {
        var population = new Population(new SimulationModel(config), seed, hcps, [], 2);
        var output = new Output(population, [], [], []);
        foreach (var b in new Simulator(population).Evaluate(windowStart, from, to, 2, 101))
        {
            output.S.AddRange(b.Stimuli);
            output.O.AddRange(b.Outcomes);
            output.R.AddRange(b.Rx);
        }
        return output;
    }

    private static Output Run(SimulationConfig config) => Run(config, WindowStart, WindowStart, AsOf);

    private static readonly Lazy<Output> Baseline = new(() => Run(new SimulationConfig()));

    private static DateOnly DayOf(DateTime t) => DateOnly.FromDateTime(t);

    /// <summary>The HCPs' clocks (every run here has the same population): events fall on the HCP's local days.</summary>
    private static readonly Lazy<Dictionary<Guid, UsTimeZone>> Zones = new(() => Baseline.Value.Population.Traits.ToDictionary(t => t.Id, t => t.TimeZone));

    /// <summary>A touch's local day (conference touches: the congress's clock).</summary>
    private static DateOnly LocalDayOf(StimulusEvent s) => DayOf((s.Channel == "conference" ? LocalHours.CongressZone : Zones.Value[s.HcpId]).ToLocal(s.EventDate));

    private static bool InPeriod(StimulusEvent s) => LocalDayOf(s) >= Start && LocalDayOf(s) <= End;

    /// <summary>Stimuli before the event, and every outcome of them, are exactly those of the run without it.</summary>
    private static void AssertUnchangedBefore(Output baseline, Output withEvent, DateOnly start)
    {
        var before = SimDate.StartUtc(start);
        var s0 = baseline.S.Where(x => x.EventDate < before).ToList();
        var s1 = withEvent.S.Where(x => x.EventDate < before).ToList();
        Assert.NotEmpty(s0);
        Assert.Equal(RowText.All(s0.OrderBy(x => x.Id)), RowText.All(s1.OrderBy(x => x.Id)));
        var ids = s0.Select(x => x.Id).ToHashSet();
        Assert.Equal(
            RowText.All(baseline.O.Where(o => ids.Contains(o.StimulusId!.Value)).OrderBy(x => x.Id)),
            RowText.All(withEvent.O.Where(o => ids.Contains(o.StimulusId!.Value)).OrderBy(x => x.Id)));
        Assert.Equal(
            // An Rx row is written on its month's last day: the rows of the months that ended before the event.
            RowText.All(baseline.R.Where(r => r.Month.AddMonths(1) <= before).OrderBy(x => x.Id)),
            RowText.All(withEvent.R.Where(r => r.Month.AddMonths(1) <= before).OrderBy(x => x.Id)));
    }

    private static GroundTruthParameter EventRow(SimulationConfig config, string type) =>
        Assert.Single(GroundTruth.Build(new SimulationModel(config), Seed), g => g.Parameter == "scenario_event" && g.Details!.Contains($"\"type\": \"{type}\"", StringComparison.Ordinal));

    // ---------------------------------------------------------------- no events

    private static string Digest<T>(IEnumerable<T> rows) where T : notnull
    {
        var text = new StringBuilder();
        foreach (var line in RowText.All(rows))
        {
            text.Append(line).Append('\n');
        }
        return Convert.ToHexString(SHA256.HashData(Encoding.UTF8.GetBytes(text.ToString())));
    }

    [Fact]
    public void Without_events_the_output_is_byte_identical_to_the_engine_before_dynamics()
    {
        // Digests of the engine's output without events (same run as DeterminismTests: seed 7, 400 → 300 HCPs, 4 months
        // to 2026-03-15, parallelism 2). If the engine's output changes on purpose, recompute them; if only dynamics code
        // changed, a difference here is a bug. Recomputed on purpose with the realism model: the field force, local clocks,
        // response rhythms, month plans without edge margins, campaign sends and address lapses; logistic responses, products
        // by specialty, campaigns enrolling only their brand's HCPs, Rx written when its month is complete with lift and
        // carryover, metadata written by Utf8JsonWriter, new ground-truth rows (issue 20).
        var model = new SimulationModel(new SimulationConfig());
        var asOf = new DateOnly(2026, 3, 15);
        var start = SimDate.WindowStart(asOf, 4);
        foreach (var events in new List<ScenarioEvent>?[] { null, [] })
        {
            var run = Run(new SimulationConfig { Events = events }, start, start, asOf, seed: 7, hcps: 300);
            Assert.Equal(3972, run.S.Count);
            Assert.Equal("604861B5D358FA978AB4D87FCD090889CD805D6AB3D9FCB27CE657CC4B979C29", Digest(run.S));
            Assert.Equal("65B3D4BA27E6F97F3488C72030946F7946771D433CCA8A9313136849A4AB65A7", Digest(run.O));
            Assert.Equal("CFD061DDABC940C00C0E5C954B20DA08DD7E896E00A6D74FA5D3874BD8FF500D", Digest(run.R));
            var config = new SimulationConfig { Events = events };
            // The ground truth's digest changes on purpose with the rules it states.
            var truth = GroundTruth.Build(new SimulationModel(config), 7);
            Assert.Equal("166DE948E77518A818E1898E466461F7ED781E0339D26FC338CC43E1407AD844", Digest(truth));
        }
        Assert.DoesNotContain(GroundTruth.Build(model, 7), g => g.Parameter == "scenario_event");
    }

    // ---------------------------------------------------------------- email_fatigue

    [Fact]
    public void Email_fatigue_lowers_email_responses_in_its_period_only()
    {
        var config = With(Event(ScenarioEvent.EmailFatigue, 0.8));
        var run = Run(config);
        var baseline = Baseline.Value;

        // Touches are untouched; only responses to emails sent in the period change.
        Assert.Equal(RowText.All(baseline.S), RowText.All(run.S));
        var sentOn = baseline.S.ToDictionary(s => s.Id);
        bool FatiguedEmail(OutcomeEvent o) => sentOn[o.StimulusId!.Value] is var s && s.Channel == "email" && InPeriod(s);
        Assert.Equal(RowText.All(baseline.O.Where(o => !FatiguedEmail(o))), RowText.All(run.O.Where(o => !FatiguedEmail(o))));
        double before = baseline.O.Count(FatiguedEmail), after = run.O.Count(FatiguedEmail);
        Assert.True(before > 100, $"{before} email responses in the period without fatigue");
        // Both runs draw from the same streams, so fatigue thins the baseline's responses: an open survives with
        // probability 0.2, a click (which needs its open) with 0.04. Binomial bound at the false-alarm rate.
        double opens = baseline.O.Count(o => FatiguedEmail(o) && o.OutcomeType == "email_open"), clicks = before - opens;
        const double keep = 1 - 0.8;
        var expected = keep * opens + keep * keep * clicks;
        var variance = keep * (1 - keep) * opens + keep * keep * (1 - keep * keep) * clicks + 2 * clicks * (keep * keep - keep * keep * keep);
        Assert.True(Stats.Agrees(after, expected, variance), $"{after} fatigued email responses, expected {expected:0.0} ± {Stats.Allowance(expected, variance):0.0}");

        var truth = EventRow(config, ScenarioEvent.EmailFatigue);
        Assert.Equal(0.8, truth.Value);
        Assert.Equal("2026-05-11", truth.Period);
        Assert.Contains("\"response_multiplier\": 0.19999999999999996", truth.Details, StringComparison.Ordinal);
    }

    // ---------------------------------------------------------------- seasonal_dip

    [Fact]
    public void Seasonal_dip_removes_touches_in_its_period_only()
    {
        var config = With(Event(ScenarioEvent.SeasonalDip, 0.5));
        var run = Run(config);
        var baseline = Baseline.Value;

        AssertUnchangedBefore(baseline, run, Start);
        double before = baseline.S.Count(s => InPeriod(s)), after = run.S.Count(s => InPeriod(s));
        // Each touch in the period is dropped by its own draw with probability 0.5: binomial bound at the false-alarm rate.
        Assert.True(Stats.Agrees(after, 0.5 * before, 0.25 * before), $"{after} of {before} touches kept by a 0.5 dip");
        // Outside the period every day keeps its volume (ids after the dip within its month shift; the days do not).
        var outside = (IEnumerable<StimulusEvent> s) => s.Where(x => !InPeriod(x)).GroupBy(LocalDayOf).ToDictionary(g => g.Key, g => g.Count());
        Assert.Equal(outside(baseline.S), outside(run.S));
        // Months after the dip's month are planned exactly as without it.
        var july = new DateOnly(2026, 7, 1); // local days: a June evening in the west is July in UTC
        var later = Run(config, WindowStart, new DateOnly(2026, 7, 1), new DateOnly(2026, 7, 31));
        var laterBaseline = Run(new SimulationConfig(), WindowStart, new DateOnly(2026, 7, 1), new DateOnly(2026, 7, 31));
        Assert.Equal(RowText.All(laterBaseline.S.Where(s => LocalDayOf(s) >= july)), RowText.All(later.S.Where(s => LocalDayOf(s) >= july)));

        // A dip on one channel leaves the others alone.
        var adsOnly = Run(With(Event(ScenarioEvent.SeasonalDip, 0.9, channel: "digital_ad")));
        Assert.Equal(baseline.S.Count(s => InPeriod(s) && s.Channel == "email"), adsOnly.S.Count(s => InPeriod(s) && s.Channel == "email"));
        double ads = baseline.S.Count(s => InPeriod(s) && s.Channel == "digital_ad"), adsKept = adsOnly.S.Count(s => InPeriod(s) && s.Channel == "digital_ad");
        Assert.True(Stats.Agrees(adsKept, 0.1 * ads, 0.1 * 0.9 * ads), $"{adsKept} of {ads} ads kept by a 0.9 dip");

        Assert.Equal(0.5, EventRow(config, ScenarioEvent.SeasonalDip).Value);
    }

    // ---------------------------------------------------------------- product_launch

    [Fact]
    public void Product_launch_adds_launch_touches_that_keep_every_contact_rule()
    {
        var launch = Event(ScenarioEvent.ProductLaunch, 1.0);
        launch.Product = "Orbelza";
        var config = With(launch);
        var run = Run(config);
        var baseline = Baseline.Value;

        AssertUnchangedBefore(baseline, run, Start);
        var launched = run.S.Where(s => System.Text.Json.JsonDocument.Parse(s.Metadata!).RootElement.TryGetProperty("launch_product", out var p) && p.GetString() == "Orbelza").ToList();
        Assert.All(launched, s => Assert.True(InPeriod(s)));
        Assert.All(launched, s => Assert.Contains(s.Channel, new[] { "email", "rep_visit" }));
        Assert.All(launched, s => Assert.Null(s.CampaignId));
        Assert.Contains(launched, s => s.Channel == "email" && s.Metadata!.Contains("Orbelza", StringComparison.Ordinal));
        foreach (var channel in new[] { "email", "rep_visit" })
        {
            double before = baseline.S.Count(s => InPeriod(s) && s.Channel == channel);
            double after = run.S.Count(s => InPeriod(s) && s.Channel == channel);
            Assert.True(after / before > 1.4, $"{channel}: {before} → {after}");
        }
        // Launch touches get responses like any other.
        var launchedIds = launched.Select(s => s.Id).ToHashSet();
        Assert.Contains(run.O, o => launchedIds.Contains(o.StimulusId!.Value));

        // Contact rules and capacity hold by construction.
        var traits = run.Population.Traits.ToDictionary(t => t.Id);
        foreach (var g in run.S.GroupBy(s => (s.HcpId, s.Channel, SimDate.MonthNumber(LocalDayOf(s)))))
        {
            var rule = traits[g.Key.HcpId].Limits[Channel.IndexOf(g.Key.Channel)];
            Assert.True(g.Count() <= rule.MaxPerMonth);
        }
        foreach (var g in run.S.GroupBy(s => (s.HcpId, s.Channel)))
        {
            var rule = traits[g.Key.HcpId].Limits[Channel.IndexOf(g.Key.Channel)];
            var days = g.Select(s => LocalDayOf(s).DayNumber).Order().ToList();
            Assert.All(days.Zip(days.Skip(1)), p => Assert.True(p.Second - p.First >= rule.MinDaysBetween));
        }
        Assert.DoesNotContain(run.S, s => UsHolidays.IsBlackout(LocalDayOf(s)));
        Assert.All(run.S.Where(s => s.Channel == "rep_visit").GroupBy(s => (s.RepId, LocalDayOf(s))),
            g => Assert.True(g.Count() <= config.MaxRepVisitsPerDay));

        var truth = EventRow(config, ScenarioEvent.ProductLaunch);
        Assert.Contains("\"product\": \"Orbelza\"", truth.Details, StringComparison.Ordinal);
        Assert.Contains("\"channels\": [\"email\", \"rep_visit\"]", truth.Details, StringComparison.Ordinal);
    }

    // ---------------------------------------------------------------- territory_change

    [Fact]
    public void Territory_change_swaps_neighbouring_reps_visible_in_rep_id_from_its_start()
    {
        var change = Event(ScenarioEvent.TerritoryChange, 0.5, openEnded: true);
        var config = With(change);
        var run = Run(config);
        var baseline = Baseline.Value;
        var population = run.Population;

        AssertUnchangedBefore(baseline, run, Start);
        var pairs = ScenarioDynamics.SwappedRepPairs(change, Seed, population.Reps.Count);
        // Each neighbouring pair is swapped by its own draw with probability 0.5: binomial bound at the false-alarm rate.
        var candidatePairs = population.Reps.Count / 2;
        Assert.True(Stats.Agrees(pairs.Count, 0.5 * candidatePairs, 0.25 * candidatePairs), $"{pairs.Count} of {candidatePairs} pairs swapped");
        var partner = new Dictionary<int, int>();
        foreach (var (a, b) in pairs)
        {
            partner[a] = b;
            partner[b] = a;
        }
        var traits = population.Traits.ToDictionary(t => t.Id);
        // The primary reps' touches (overlay reps ride along on route days and keep their own ids).
        var overlays = population.OverlayReps.Select(r => r.Id).ToHashSet(StringComparer.Ordinal);
        var fieldTouches = run.S.Where(s => s.RepId is not null && !overlays.Contains(s.RepId)).ToList();
        Assert.NotEmpty(fieldTouches);
        foreach (var s in fieldTouches)
        {
            var territory = traits[s.HcpId].PrimaryRep;
            var expected = LocalDayOf(s) >= Start && partner.TryGetValue(territory, out var p) ? p : territory;
            Assert.Equal(population.Reps[expected].Id, s.RepId);
        }
        Assert.Contains(fieldTouches, s => s.RepId != population.Reps[traits[s.HcpId].PrimaryRep].Id);
        // Every rep still does one territory's work a day.
        Assert.All(run.S.Where(s => s.Channel == "rep_visit").GroupBy(s => (s.RepId, LocalDayOf(s))),
            g => Assert.True(g.Count() <= config.MaxRepVisitsPerDay));
        // Touch volume and timing are unchanged: only the rep changes.
        Assert.Equal(baseline.S.Select(s => (s.Id, s.EventDate, s.Channel)), run.S.Select(s => (s.Id, s.EventDate, s.Channel)));

        var truth = EventRow(config, ScenarioEvent.TerritoryChange);
        Assert.Contains("\"end\": null", truth.Details, StringComparison.Ordinal);
    }

    // ---------------------------------------------------------------- history is the stream replayed

    private static readonly ScenarioEvent[] AllFour =
    [
        Event(ScenarioEvent.ProductLaunch, 0.8, start: new DateOnly(2026, 4, 20), end: new DateOnly(2026, 5, 20)),
        Event(ScenarioEvent.EmailFatigue, 0.6, start: new DateOnly(2026, 4, 25), end: new DateOnly(2026, 5, 6)),
        Event(ScenarioEvent.TerritoryChange, 0.4, start: new DateOnly(2026, 4, 29), openEnded: true),
        Event(ScenarioEvent.SeasonalDip, 0.3, start: new DateOnly(2026, 4, 28), end: new DateOnly(2026, 5, 3)),
    ];

    [Fact]
    public void With_events_a_backfill_then_increments_equals_a_later_backfill_on_shared_days()
    {
        const int hcps = 300;
        const int months = 3;
        var config = With(AllFour);
        var t = new DateOnly(2026, 4, 27);
        const int k = 9; // crosses the month boundary and every event's start
        var startT = SimDate.WindowStart(t, months);
        var later = t.AddDays(k);
        var startLater = SimDate.WindowStart(later, months);

        var backfillT = Run(config, startT, startT, t, hcps: hcps);
        var s = new List<StimulusEvent>(backfillT.S);
        var o = new List<OutcomeEvent>(backfillT.O);
        var r = new List<PrescribingHistory>(backfillT.R);
        for (var d = t.AddDays(1); d <= later; d = d.AddDays(1))
        {
            var inc = Run(config, startT, d, d, hcps: hcps);
            s.AddRange(inc.S);
            o.AddRange(inc.O);
            r.AddRange(inc.R);
        }
        var backfillLater = Run(config, startLater, startLater, later, hcps: hcps);

        var from = SimDate.StartUtc(startLater);
        var stimulusDay = s.ToDictionary(x => x.Id, x => x.EventDate);
        Assert.All(o, x => Assert.True(stimulusDay.ContainsKey(x.StimulusId!.Value)));
        Assert.Equal(RowText.All(backfillLater.S.OrderBy(x => x.Id)), RowText.All(s.Where(x => x.EventDate >= from).OrderBy(x => x.Id)));
        Assert.Equal(RowText.All(backfillLater.O.OrderBy(x => x.Id)), RowText.All(o.Where(x => stimulusDay[x.StimulusId!.Value] >= from).OrderBy(x => x.Id)));
        Assert.Equal(RowText.All(backfillLater.R.OrderBy(x => x.Id)), RowText.All(r.Where(x => x.Month.AddMonths(1) > from).OrderBy(x => x.Id)));
        Assert.Contains(s, x => x.Metadata!.Contains("launch_product", StringComparison.Ordinal) && DayOf(x.EventDate) > t);

        // Same inputs, any thread count.
        var one = new Population(new SimulationModel(config), Seed, hcps, [], 1);
        var many = new Simulator(new Population(new SimulationModel(config), Seed, hcps, [], 8));
        Assert.Equal(
            RowText.All(new Simulator(one).Evaluate(startT, startT, later, 1).SelectMany(b => b.Stimuli)),
            RowText.All(many.Evaluate(startT, startT, later, 8, 13).SelectMany(b => b.Stimuli)));
    }

    [Fact]
    public void Events_adopted_going_forward_leave_simulated_days_as_they_were()
    {
        const int hcps = 300;
        var through = new DateOnly(2026, 5, 1); // simulated without events through here
        var ws = SimDate.WindowStart(through, 3);
        var plain = Run(new SimulationConfig(), ws, ws, through, hcps: hcps);

        // The admin asks for events some of which started in the past: they are moved to the first open day.
        var adoption = ScenarioEventSchedule.ApplyGoingForward(null, AllFour, through);
        Assert.True(adoption.Changed);
        Assert.All(adoption.Events, e => Assert.True(e.Start > through));
        var config = With([.. adoption.Events]);
        Assert.Empty(config.Validate());

        var s = new List<StimulusEvent>(plain.S);
        var o = new List<OutcomeEvent>(plain.O);
        for (var d = through.AddDays(1); d <= through.AddDays(12); d = d.AddDays(1))
        {
            var inc = Run(config, ws, d, d, hcps: hcps);
            s.AddRange(inc.S);
            o.AddRange(inc.O);
        }
        // Every outcome written later answers a stimulus that was written.
        var ids = s.Select(x => x.Id).ToHashSet();
        Assert.All(o, x => Assert.Contains(x.StimulusId!.Value, ids));
        Assert.Equal(ids.Count, s.Count);
        // Replaying the adopted configuration gives back the simulated days exactly.
        var replay = Run(config, ws, ws, through, hcps: hcps);
        Assert.Equal(RowText.All(plain.S), RowText.All(replay.S));
        Assert.Equal(RowText.All(plain.O), RowText.All(replay.O));
        Assert.Equal(RowText.All(plain.R), RowText.All(replay.R));
    }

    // ---------------------------------------------------------------- adoption rules

    [Fact]
    public void Adoption_freezes_started_events_moves_new_ones_forward_and_is_idempotent()
    {
        var through = new DateOnly(2026, 5, 15);
        var running = Event(ScenarioEvent.SeasonalDip, 0.3, start: new DateOnly(2026, 5, 1), end: new DateOnly(2026, 5, 31));
        var finished = Event(ScenarioEvent.EmailFatigue, 0.5, start: new DateOnly(2026, 4, 1), end: new DateOnly(2026, 4, 10));
        var future = Event(ScenarioEvent.ProductLaunch, 1, start: new DateOnly(2026, 6, 1), end: new DateOnly(2026, 6, 30));
        List<ScenarioEvent> current = [running, finished, future];

        // Same list: nothing to do.
        Assert.False(ScenarioEventSchedule.ApplyGoingForward(current, current, through).Changed);

        // Empty list: the running event ends on the last simulated day, the finished one stays, the future one goes.
        var cleared = ScenarioEventSchedule.ApplyGoingForward(current, [], through);
        Assert.True(cleared.Changed);
        Assert.Equal(2, cleared.Events.Count);
        Assert.Equal(through, cleared.Events.Single(e => e.Type == ScenarioEvent.SeasonalDip).End);
        Assert.Equal(finished.End, cleared.Events.Single(e => e.Type == ScenarioEvent.EmailFatigue).End);
        Assert.False(ScenarioEventSchedule.ApplyGoingForward(cleared.Events, [], through).Changed);

        // A new magnitude for a running event: the old one ends, the new one starts on the first open day.
        var stronger = running.Clone();
        stronger.Magnitude = 0.6;
        var changed = ScenarioEventSchedule.ApplyGoingForward(current, [stronger, future], through);
        Assert.Equal(4, changed.Events.Count); // the finished one stays as it was
        Assert.Contains(changed.Events, e => e.Magnitude == 0.3 && e.End == through);
        Assert.Contains(changed.Events, e => e.Magnitude == 0.6 && e.Start == through.AddDays(1) && e.End == running.End);
        // ... and asking again the next day changes nothing more.
        Assert.False(ScenarioEventSchedule.ApplyGoingForward(changed.Events, [stronger, future], through).Changed);
        Assert.False(ScenarioEventSchedule.ApplyGoingForward(changed.Events, [stronger, future], through.AddDays(1)).Changed);

        // A running event's end can move, but not into simulated days.
        var shorter = running.Clone();
        shorter.End = new DateOnly(2026, 5, 10);
        var cut = ScenarioEventSchedule.ApplyGoingForward(current, [shorter, finished, future], through);
        Assert.Equal(through, cut.Events.Single(e => e.Type == ScenarioEvent.SeasonalDip).End);
        Assert.NotEmpty(cut.Notes);

        // An event entirely in the past is ignored.
        var past = Event(ScenarioEvent.SeasonalDip, 0.2, start: new DateOnly(2026, 3, 1), end: new DateOnly(2026, 3, 5));
        Assert.DoesNotContain(ScenarioEventSchedule.ApplyGoingForward([], [past], through).Events, e => e.Magnitude == 0.2);
    }

    [Fact]
    public void Invalid_events_are_reported_by_the_configuration()
    {
        var errors = With(
            new ScenarioEvent { Type = "meteor_strike", Start = Start, Magnitude = 0.5 },
            Event(ScenarioEvent.SeasonalDip, 1.5),
            Event(ScenarioEvent.EmailFatigue, 0.5, end: Start.AddDays(-1)),
            Event(ScenarioEvent.TerritoryChange, 0.5, channel: "email"),
            Event(ScenarioEvent.ProductLaunch, 1, channel: "digital_ad"),
            Event(ScenarioEvent.ProductLaunch, 1),
            Event(ScenarioEvent.ProductLaunch, 1)).Validate();
        Assert.Contains(errors, e => e.Contains("unknown type \"meteor_strike\"", StringComparison.Ordinal));
        Assert.Contains(errors, e => e.Contains("Magnitude in (0, 1]", StringComparison.Ordinal));
        Assert.Contains(errors, e => e.Contains("before it starts", StringComparison.Ordinal));
        Assert.Contains(errors, e => e.Contains("applies to no single channel", StringComparison.Ordinal));
        Assert.Contains(errors, e => e.Contains("has channel \"digital_ad\"", StringComparison.Ordinal));
        Assert.Contains(errors, e => e.Contains("duplicates another event", StringComparison.Ordinal));
        Assert.Throws<ArgumentException>(() => new SimulationModel(With(Event(ScenarioEvent.SeasonalDip, 0))));
    }
}
