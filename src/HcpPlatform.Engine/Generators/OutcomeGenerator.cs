using HcpPlatform.Engine.Calendar;
using HcpPlatform.Engine.Dynamics;
using HcpPlatform.Engine.Model;
using HcpPlatform.Engine.Randomness;
using HcpPlatform.Engine.Simulation;

namespace HcpPlatform.Engine.Generators;

/// <summary>
/// Responses to stimuli (000 Task 8), a logistic model with no cap: the log-odds of an outcome after a delivered touch are
/// logit(base rate) + ln(tier odds ratio) + AffinityLogOdds × (the HCP's channel affinity − 0.5) − FatiguePerTouch × touches
/// earlier in the calendar month + ln(content match odds ratio) when the content is the HCP's preferred + ln(ResponseScale),
/// and after a rep visit + ln(call type odds ratio) for a sample request and + ln(reaction odds ratio) for a meeting. An
/// email's click is drawn only after its open, with the click's own base rate (P(click | open)) and the same modifiers.
/// Only delivered touches get responses; digital ad impressions get none. Latencies are exponential with the configured
/// means (scaled by the HCP's latency factor) in the HCP's activity time (<see cref="ResponseRhythm"/>: waking hours for
/// email, business hours on business days for meetings and sample requests, nothing on Christmas Day), truncated to the
/// attribution window, so every outcome is strictly after its stimulus and inside its window; webinar attendance is at the event.
/// </summary>
public sealed class OutcomeGenerator(Population population)
{
    private static readonly string[] Devices = ["desktop", "mobile", "tablet"];
    private static readonly string[] Links = ["clinical_study", "prescribing_information", "savings_program", "request_rep", "webinar_registration"];
    // The metadata documents of few distinct values, written once.
    private static readonly string[] DeviceMetadata = [.. Devices.Select(d => $"{{\"device\": \"{d}\"}}")];
    private static readonly string[] LinkMetadata = [.. Links.Select(l => $"{{\"link\": \"{l}\"}}")];
    private const string InPersonMeeting = "{\"meeting_type\": \"in_person\"}";
    private const string VirtualMeeting = "{\"meeting_type\": \"virtual\"}";
    private readonly SimulationModel _model = population.Model;
    private readonly long _seed = population.Seed;
    // Scenario dynamics (injected events): a no-op when no event is configured.
    private readonly ScenarioDynamics _dynamics = new(population);

    // Configuration looked up once: this runs for every stimulus. A fault-injection test may switch a term off
    // (EngineFault); without faults each holds exactly the configured value.
    private readonly double[] _tierLogOdds = Config.SimulationConfig.Tiers
        .Select(t => population.Model.Has(EngineFault.NoTierModifier) ? 0.0 : Math.Log(population.Model.Config.TierModifiers[t])).ToArray();
    private readonly double _fatiguePerTouch = population.Model.Has(EngineFault.NoFatigue) ? 0 : population.Model.Config.FatiguePerTouch;
    private readonly double _contentMatchLogOdds = population.Model.Has(EngineFault.NoContentMatch) ? 0 : Math.Log(population.Model.Config.ContentMatchMultiplier);
    private readonly double _affinityLogOdds = population.Model.Config.AffinityLogOdds;
    private readonly double _scaleLogOdds = Math.Log(population.Model.Config.ResponseScale);
    private readonly bool _ignoreAffinity = population.Model.Has(EngineFault.ResponseIgnoresAffinity);
    private readonly bool _ignoreLatencyFactor = population.Model.Has(EngineFault.NoLatencyFactor);
    private readonly bool _rhythm = !population.Model.Has(EngineFault.NoResponseRhythm);
    private readonly double[] _callTypeLogOdds = StimulusDetails.CallTypes
        .Select(c => population.Model.Has(EngineFault.NoCallTypeEffect) ? 0.0 : Math.Log(population.Model.Config.CallTypeSampleOdds[c])).ToArray();
    private readonly double[] _reactionLogOdds = StimulusDetails.Reactions
        .Select(r => population.Model.Has(EngineFault.NoReactionEffect) ? 0.0 : Math.Log(population.Model.Config.ReactionMeetingOdds[r])).ToArray();
    private readonly double _openLogit = Logit(population.Model.Config.BaseResponseRates["email_send"]["email_open"]);
    private readonly double _clickLogit = Logit(population.Model.Config.BaseResponseRates["email_open"]["email_click"]);
    private readonly (string Outcome, double Logit)[][] _ratesByChannel = Enumerable.Range(0, Channel.Count)
        .Select(c => c == Channel.Email ? [] : population.Model.Config.BaseResponseRates.TryGetValue(Channel.StimulusTypes[c], out var rates)
            ? rates.OrderBy(r => r.Key, StringComparer.Ordinal).Select(r => (r.Key, Logit(r.Value))).ToArray()
            : [])
        .ToArray();

    /// <summary>Engaged responses (the ones that lift prescribing); opens alone do not.</summary>
    public static bool IsEngaged(string outcomeType) => outcomeType is not "email_open";

    public static double Logit(double p) => Math.Log(p / (1 - p));

    /// <summary>The logistic function: the probability of log-odds <paramref name="x"/>.</summary>
    public static double Logistic(double x) => 1 / (1 + Math.Exp(-x));

    /// <summary>
    /// The log-odds a touch's HCP, channel, place in its month and content add to every outcome's base log-odds (tier, affinity,
    /// fatigue, content match, response scale).
    /// </summary>
    public double LogOddsShift(HcpTraits hcp, int channel, int touchesEarlierThisMonth, string? content)
    {
        var match = content == _model.Content.Names[hcp.PreferredContent] ? _contentMatchLogOdds : 0.0;
        // (Fault ResponseIgnoresAffinity: the channel's population-mean affinity, AffinityNorm − 0.5, for everyone.)
        var affinity = _ignoreAffinity ? _model.AffinityNorm[channel] - 0.5 : hcp.Affinity[channel];
        return _tierLogOdds[hcp.Tier] + _affinityLogOdds * (affinity - 0.5) - _fatiguePerTouch * touchesEarlierThisMonth + match + _scaleLogOdds;
    }

    /// <summary>Appends the outcomes of one stimulus (the <paramref name="ordinal"/>-th of its HCP-month).</summary>
    public void Respond(HcpTraits hcp, int monthNumber, int ordinal, in PlannedStimulus planned, List<OutcomeEvent> into) =>
        Respond(hcp, monthNumber, ordinal, ordinal, planned, into);

    /// <summary>
    /// Appends the outcomes of one stimulus whose draws are keyed by (<paramref name="monthNumber"/>, <paramref name="ordinal"/>)
    /// (a regular touch: its month and ordinal; an intervention's exposure: keys of its own) and which has
    /// <paramref name="touchesEarlier"/> touches before it in its calendar month (exposures count like any touch).
    /// </summary>
    public void Respond(HcpTraits hcp, long monthNumber, long ordinal, int touchesEarlier, in PlannedStimulus planned, List<OutcomeEvent> into) =>
        Respond(hcp, monthNumber, ordinal, touchesEarlier, planned, into, null);

    /// <summary>
    /// The dates of the responses to one stimulus that lift Rx (those of <see cref="Config.SimulationConfig.RxResponseLift"/>),
    /// as <see cref="Respond(HcpTraits, long, long, int, in PlannedStimulus, List{OutcomeEvent})"/> would date their rows, without
    /// the rows: the same draws decide them, and the other responses are not timed at all (a response's time has a stream of
    /// its own). For the months planned only for the Rx drivers they count.
    /// </summary>
    public void RespondDates(HcpTraits hcp, long monthNumber, long ordinal, int touchesEarlier, in PlannedStimulus planned, List<ResponseDate> into) =>
        Respond(hcp, monthNumber, ordinal, touchesEarlier, planned, null, into);

    private void Respond(HcpTraits hcp, long monthNumber, long ordinal, int touchesEarlier, in PlannedStimulus planned, List<OutcomeEvent>? into,
        List<ResponseDate>? dates)
    {
        var s = planned.Row;
        if (s.DeliveryStatus != "delivered")
        {
            return;
        }
        var channel = Channel.IndexOf(s.Channel);
        if (channel != Channel.Email && _ratesByChannel[channel].Length == 0)
        {
            return;
        }
        var cfg = _model.Config;
        var rng = new KeyedRandom(_seed, StreamKind.Outcome, hcp.Index, monthNumber, ordinal);
        var shift = LogOddsShift(hcp, channel, touchesEarlier, s.ContentCategory);
        // Scenario dynamics (email_fatigue): responses to touches sent in a fatigue period are less likely (× (1 − magnitude)).
        var eventFactor = _dynamics.IsEmpty ? 1.0 : _dynamics.ResponseFactor(channel, DateOnly.FromDateTime(s.EventDate));
        var slot = 0;
        if (channel == Channel.Email)
        {
            if (rng.Chance(eventFactor * Logistic(_openLogit + shift)))
            {
                var device = rng.Choose([0.55, 0.4, 0.05]);
                double openActivity = double.NaN;
                if (into is not null)
                {
                    (var openAt, openActivity) = When(hcp, monthNumber, ordinal, slot, s, "email_open", 0);
                    into.Add(Create(hcp, monthNumber, ordinal, slot, s, "email_open", openAt, 1, DeviceMetadata[device]));
                }
                else if (_dated.Contains("email_open"))
                {
                    (var openAt, openActivity) = When(hcp, monthNumber, ordinal, slot, s, "email_open", 0);
                    dates!.Add(new ResponseDate("email_open", Instant(s.EventDate, openAt)));
                }
                slot++;
                if (rng.Chance(eventFactor * Logistic(_clickLogit + shift)))
                {
                    var link = rng.NextInt(Links.Length);
                    if (into is not null || _dated.Contains("email_click"))
                    {
                        if (double.IsNaN(openActivity))
                        {
                            openActivity = When(hcp, monthNumber, ordinal, 0, s, "email_open", 0).Activity;
                        }
                        // A click follows its open; together they have the configured click latency mean.
                        var (clickAt, _) = When(hcp, monthNumber, ordinal, slot, s, "email_click", openActivity);
                        if (into is not null)
                        {
                            into.Add(Create(hcp, monthNumber, ordinal, slot, s, "email_click", clickAt, 1, LinkMetadata[link]));
                        }
                        else
                        {
                            dates!.Add(new ResponseDate("email_click", Instant(s.EventDate, clickAt)));
                        }
                    }
                }
            }
            return;
        }
        foreach (var (outcome, logit) in _ratesByChannel[channel])
        {
            var x = logit + shift;
            if (channel == Channel.RepVisit)
            {
                // What happened at the call: samples left make a sample request likelier, a negative reaction a meeting less likely.
                x += outcome switch
                {
                    "sample_request" when planned.CallType >= 0 => _callTypeLogOdds[planned.CallType],
                    "meeting_scheduled" when planned.Reaction >= 0 => _reactionLogOdds[planned.Reaction],
                    _ => 0,
                };
            }
            if (!rng.Chance(eventFactor * Logistic(x)))
            {
                slot++;
                continue;
            }
            if (into is null)
            {
                // Only the dates (the draws after the decision are the response's own details: none is needed).
                if (_dated.Contains(outcome))
                {
                    var when = outcome == "webinar_attend"
                        ? WebinarCalendar.StartsAt(planned.WebinarDay!.Value)
                        : When(hcp, monthNumber, ordinal, slot, s, outcome, 0).At;
                    dates!.Add(new ResponseDate(outcome, Instant(s.EventDate, when)));
                }
                // The draws of the details, in the same stream, before the next outcome's decision.
                _ = outcome switch
                {
                    "webinar_attend" => rng.NextInt(15, 60),
                    "sample_request" => rng.NextInt(2, 12),
                    _ => rng.Chance(0.6) ? 1 : 0,
                };
                slot++;
                continue;
            }
            DateTime at;
            double value = 1;
            string metadata;
            switch (outcome)
            {
                case "webinar_attend":
                {
                    var eventDay = planned.WebinarDay!.Value;
                    at = WebinarCalendar.StartsAt(eventDay);
                    var minutes = rng.NextInt(15, 60);
                    value = minutes;
                    metadata = $"{{\"webinar_id\": \"{WebinarCalendar.Id(eventDay)}\", \"minutes_attended\": {minutes}}}";
                    break;
                }
                case "sample_request":
                {
                    at = When(hcp, monthNumber, ordinal, slot, s, outcome, 0).At;
                    var units = rng.NextInt(2, 12);
                    value = units;
                    // The product the touch promoted: the one detailed, sampled and counted in the HCP's Rx.
                    metadata = $"{{\"product\": \"{planned.Product ?? hcp.Product}\", \"units\": {units}}}";
                    break;
                }
                default:
                {
                    at = When(hcp, monthNumber, ordinal, slot, s, outcome, 0).At;
                    metadata = rng.Chance(0.6) ? InPersonMeeting : VirtualMeeting;
                    break;
                }
            }
            into.Add(Create(hcp, monthNumber, ordinal, slot++, s, outcome, at, value, metadata));
        }
    }

    /// <summary>The outcome types whose dates <see cref="RespondDates"/> gives: those that lift Rx.</summary>
    private readonly HashSet<string> _dated = new(population.Model.Config.RxResponseLift.Keys, StringComparer.Ordinal);

    /// <summary>When a response at <paramref name="at"/> to a touch at <paramref name="stimulusAt"/> is dated (as its row is).</summary>
    private static DateTime Instant(DateTime stimulusAt, DateTime at)
    {
        // At least one minute after the stimulus, to the microsecond PostgreSQL keeps.
        var ticks = Math.Max(TimeSpan.TicksPerMinute, at.Ticks - stimulusAt.Ticks);
        ticks -= ticks % 10;
        return stimulusAt.AddTicks(ticks);
    }

    /// <summary>
    /// When a response comes (the timing of the outcome model, stated in the ground truth as latency_mean_days with its
    /// rhythm): a latency drawn in the HCP's activity time (<see cref="ResponseRhythm"/> of the outcome type, in the HCP's time
    /// zone), exponential with mean latency_mean_days × the HCP's latency factor and truncated to the activity time the
    /// attribution window holds; the response comes at the instant that much activity time after the touch. A click comes
    /// after its open: the open's activity time plus an exponential with the remaining mean (click − open), truncated to the
    /// click's window. A stream of its own per response, so the response model's draws never move the times.
    /// </summary>
    private (DateTime At, double Activity) When(HcpTraits hcp, long monthNumber, long ordinal, int slot, StimulusEvent s, string outcome, double after)
    {
        var terms = TermsOf(outcome);
        var rhythm = terms.Rhythm!;
        var rng = new KeyedRandom(_seed, StreamKind.Timing, hcp.Index, monthNumber, ordinal * 8L + slot);
        var window = terms.Window;
        var reach = rhythm.Activity(hcp.TimeZone, s.EventDate, s.EventDate.AddDays(window));
        var mean = terms.IsClick
            ? Math.Max(0.01, terms.MeanDays * LatencyFactor(hcp))
            : terms.MeanDays * LatencyFactor(hcp);
        var activity = after + rng.TruncatedExponential(mean, Math.Max(1e-9, reach - after));
        var at = rhythm.Advance(hcp.TimeZone, s.EventDate, activity);
        var latest = s.EventDate.AddDays(window);
        return (at < latest ? at : latest, activity);
    }

    /// <summary>
    /// What timing a response of a type reads from the configuration: its attribution window, its latency mean in days (a
    /// click's: the click's less the open's) and its rhythm (fault NoResponseRhythm: flat).
    /// </summary>
    private readonly record struct Terms(string Outcome, int Window, double MeanDays, bool IsClick, ResponseRhythm? Rhythm);

    private Terms BuildTerms(string outcome)
    {
        var cfg = _model.Config;
        var isClick = outcome == "email_click";
        return new Terms(outcome, cfg.AttributionWindowDays[outcome],
            isClick ? cfg.LatencyMeanDays["email_click"] - cfg.LatencyMeanDays["email_open"] : cfg.LatencyMeanDays[outcome],
            isClick, _rhythm ? ResponseRhythm.For(outcome) : ResponseRhythm.Flat);
    }

    // The terms of the response types this generator names (its own literals and the configured rates' keys), built once and
    // found by the string's identity: looking them up by text in three dictionaries was a noticeable share of a response.
    // A type missing a value is left out, and asked of the configuration when used (which fails as it always did).
    private Terms[]? _termsTable;

    private Terms TermsOf(string outcome)
    {
        var table = _termsTable ??= BuildTermsTable();
        foreach (ref readonly var t in table.AsSpan())
        {
            if (ReferenceEquals(t.Outcome, outcome))
            {
                return t;
            }
        }
        return BuildTerms(outcome);
    }

    private Terms[] BuildTermsTable()
    {
        var cfg = _model.Config;
        var table = new List<Terms>();
        foreach (var outcome in _ratesByChannel.SelectMany(r => r.Select(x => x.Outcome)).Prepend("email_click").Prepend("email_open"))
        {
            if (cfg.AttributionWindowDays.ContainsKey(outcome) && cfg.LatencyMeanDays.ContainsKey(outcome)
                && (outcome != "email_click" || cfg.LatencyMeanDays.ContainsKey("email_open"))
                && !table.Exists(t => ReferenceEquals(t.Outcome, outcome)))
            {
                table.Add(BuildTerms(outcome));
            }
        }
        return [.. table];
    }

    /// <summary>A response type's attribution window (from <see cref="TermsOf"/> when it has them).</summary>
    private int WindowOf(string outcome)
    {
        var table = _termsTable ??= BuildTermsTable();
        foreach (ref readonly var t in table.AsSpan())
        {
            if (ReferenceEquals(t.Outcome, outcome))
            {
                return t.Window;
            }
        }
        return _model.Config.AttributionWindowDays[outcome];
    }

    private double LatencyFactor(HcpTraits hcp) => _ignoreLatencyFactor ? 1.0 : hcp.LatencyFactor;

    private OutcomeEvent Create(HcpTraits hcp, long monthNumber, long ordinal, int slot, StimulusEvent s, string type, DateTime at, double value, string metadata)
    {
        var ticks = Instant(s.EventDate, at).Ticks - s.EventDate.Ticks;
        var window = WindowOf(type);
        var latencyDays = (double)ticks / TimeSpan.TicksPerDay;
        return new OutcomeEvent
        {
            Id = DeterministicId.Create(_seed, StreamKind.Outcome, hcp.Index, monthNumber, ordinal * 8L + slot),
            HcpId = hcp.Id,
            StimulusId = s.Id,
            OutcomeType = type,
            OutcomeValue = value,
            EventDate = s.EventDate.AddTicks(ticks),
            AttributionConfidence = Math.Round(0.5 + 0.5 * Math.Exp(-latencyDays / window), 3),
            Metadata = metadata,
        };
    }
}

/// <summary>A response's type and the instant its row would carry.</summary>
public readonly record struct ResponseDate(string OutcomeType, DateTime EventDate);
