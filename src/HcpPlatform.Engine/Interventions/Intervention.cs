using System.Globalization;
using System.Text.Json;
using System.Text.Json.Serialization;
using HcpPlatform.Engine.Config;
using HcpPlatform.Engine.Randomness;
using HcpPlatform.Engine.Reference;

namespace HcpPlatform.Engine.Interventions;

/// <summary>
/// An intervention (seeds/004 "interventions"): touches the platform's users add to the simulation to learn their effect.
/// Like a <see cref="Dynamics.ScenarioEvent"/> it is an input of the engine, applied as a pure function of the day: days
/// before <see cref="Start"/> are exactly what they would be without it, and a backfill and the daily increments agree.
/// <list type="table">
/// <item><term>test</term><description>A randomized test: each HCP of the target population is assigned to treatment with
/// probability <see cref="TreatedShare"/> (a keyed draw per intervention and HCP), the others are the holdout.</description></item>
/// <item><term>policy</term><description>Every HCP of the target population is treated (targeting by rule: no holdout, so
/// naive comparisons with untargeted HCPs are confounded by the targeting variables, as in practice).</description></item>
/// <item><term>campaign</term><description>As policy, for a promotional push (004's campaign).</description></item>
/// <item><term>trigger</term><description>Every HCP of the target population is treated; an exposure is due
/// <see cref="TriggerLagDays"/> days after each delivered regular touch of <see cref="TriggerChannel"/> (a follow-up).</description></item>
/// </list>
/// Exposures of test, policy and campaign are due every <see cref="MinDaysBetweenExposures"/> days from the start (or from
/// the HCP's first allowed day), up to <see cref="MaxExposuresPerHcp"/>. Exposures with <see cref="Schedule"/> "planned"
/// come only from planned touches posted by an external system (<see cref="PlannedTouch"/>), within the same limits.
/// Intervention touches are placed after the HCP's regular touches, where its contact limits, blackout days, working
/// hours and the rep's capacity allow; they never move or re-key a regular touch.
/// </summary>
public sealed class Intervention
{
    public const string Test = "test";
    public const string Policy = "policy";
    public const string Campaign = "campaign";
    public const string Trigger = "trigger";

    /// <summary>The engine places the exposures by <see cref="MinDaysBetweenExposures"/> (or on triggers).</summary>
    public const string RuleSchedule = "rule";

    /// <summary>The exposures are the planned touches an external system posts (next-best-action closed loop).</summary>
    public const string PlannedSchedule = "planned";

    public static readonly IReadOnlyList<string> Types = [Test, Policy, Campaign, Trigger];
    public static readonly IReadOnlyList<string> Schedules = [RuleSchedule, PlannedSchedule];

    /// <summary>Channels an intervention can use: those whose touches are placed one HCP at a time.</summary>
    public static readonly IReadOnlyList<string> AllowedChannels = ["email", "rep_visit", "phone", "digital_ad"];

    /// <summary>Longest window an intervention may have, in days.</summary>
    public const int MaxWindowDays = 366;

    /// <summary>Identity: the stored id. Keys the intervention's random streams (assignment, exposures).</summary>
    public Guid Id { get; set; }

    /// <summary>1–100 characters.</summary>
    public string Name { get; set; } = "";

    /// <summary>test | policy | campaign | trigger.</summary>
    public string Type { get; set; } = "";

    /// <summary>rule (default) | planned.</summary>
    public string Schedule { get; set; } = RuleSchedule;

    /// <summary>One or more of <see cref="AllowedChannels"/>; the first is the primary channel.</summary>
    public List<string> Channels { get; set; } = [];

    /// <summary>A content category of the configuration; null: each HCP's preferred content.</summary>
    public string? ContentCategory { get; set; }

    /// <summary>A product of the portfolio; null: each HCP's own brand.</summary>
    public string? Product { get; set; }

    public InterventionTarget Target { get; set; } = new();

    /// <summary>First day of the intervention (UTC day).</summary>
    public DateOnly Start { get; set; }

    /// <summary>Last day, inclusive. At most <see cref="MaxWindowDays"/> after the start.</summary>
    public DateOnly End { get; set; }

    /// <summary>At most this many exposures per HCP over the whole intervention (1–100).</summary>
    public int MaxExposuresPerHcp { get; set; } = 4;

    /// <summary>At least this many days between two exposures of one HCP (1–90).</summary>
    public int MinDaysBetweenExposures { get; set; } = 7;

    /// <summary>test only: the share of the target population treated, in (0, 1); the rest is the holdout.</summary>
    public double? TreatedShare { get; set; }

    /// <summary>trigger only: the channel whose delivered regular touches trigger an exposure.</summary>
    public string? TriggerChannel { get; set; }

    /// <summary>trigger only: days from the triggering touch to the exposure (1–30).</summary>
    public int? TriggerLagDays { get; set; }

    /// <summary>The share of the target population treated: <see cref="TreatedShare"/> for a test, 1 otherwise.</summary>
    public double EffectiveTreatedShare => Type == Test ? TreatedShare ?? 0.5 : 1.0;

    public bool IsActive(DateOnly day) => day >= Start && day <= End;

    /// <summary>The 64-bit key of the intervention's random streams (purpose of its <see cref="StreamKind"/> draws).</summary>
    public long StreamKey
    {
        get
        {
            Span<byte> bytes = stackalloc byte[16];
            Id.TryWriteBytes(bytes, bigEndian: true, out _);
            return (long)(BitConverter.ToUInt64(bytes[..8]) ^ BitConverter.ToUInt64(bytes[8..]));
        }
    }

    /// <summary>The one JSON form of a definition (platform.interventions.definition, the dataset's parameters, the API).</summary>
    public static readonly JsonSerializerOptions Json = new(JsonSerializerDefaults.Web)
    {
        DefaultIgnoreCondition = JsonIgnoreCondition.WhenWritingNull,
        UnmappedMemberHandling = JsonUnmappedMemberHandling.Disallow,
        NumberHandling = JsonNumberHandling.Strict,
        // A null name, type, channels or target is refused where it is read, not found later by code that assumes a value.
        RespectNullableAnnotations = true,
        // A field given twice is a mistake, not "the last one wins".
        AllowDuplicateProperties = false,
    };

    public string ToJson() => JsonSerializer.Serialize(this, Json);

    /// <summary>Reads a definition written by <see cref="ToJson"/> (or posted by a user: unknown fields are refused).</summary>
    public static Intervention FromJson(string json) =>
        JsonSerializer.Deserialize<Intervention>(json, Json) ?? throw new JsonException("The intervention is null.");

    public Intervention Clone()
    {
        var copy = (Intervention)MemberwiseClone();
        copy.Channels = [.. Channels];
        copy.Target = Target.Clone();
        return copy;
    }

    public override string ToString() => string.Create(CultureInfo.InvariantCulture,
        $"{Type} \"{Name}\" {Start:yyyy-MM-dd}..{End:yyyy-MM-dd} on {string.Join("+", Channels)}");

    /// <summary>Problems with one intervention, each naming the field and what is allowed; empty when valid.</summary>
    public static IReadOnlyList<string> Validate(Intervention? intervention, SimulationConfig config)
    {
        ArgumentNullException.ThrowIfNull(config);
        var errors = new List<string>();
        if (intervention is null)
        {
            errors.Add("The intervention is empty.");
            return errors;
        }
        var i = intervention;
        if (string.IsNullOrWhiteSpace(i.Name) || i.Name.Length > 100)
        {
            errors.Add("name needs 1–100 characters.");
        }
        if (!Types.Contains(i.Type))
        {
            errors.Add($"type \"{Echo(i.Type)}\" is unknown; allowed: {string.Join(", ", Types)}.");
        }
        if (!Schedules.Contains(i.Schedule))
        {
            errors.Add($"schedule \"{Echo(i.Schedule)}\" is unknown; allowed: {string.Join(", ", Schedules)}.");
        }
        if (i.Channels is null || i.Channels.Count == 0)
        {
            errors.Add($"channels needs at least one of: {string.Join(", ", AllowedChannels)}.");
        }
        else
        {
            foreach (var c in i.Channels.Where(c => !AllowedChannels.Contains(c)))
            {
                errors.Add($"channels has \"{Echo(c)}\"; allowed: {string.Join(", ", AllowedChannels)}.");
            }
            if (i.Channels.Distinct(StringComparer.Ordinal).Count() != i.Channels.Count)
            {
                errors.Add("channels lists a channel twice.");
            }
        }
        if (i.ContentCategory is not null && !config.ContentCategories.ContainsKey(i.ContentCategory))
        {
            errors.Add($"contentCategory \"{Echo(i.ContentCategory)}\" is unknown; allowed: {string.Join(", ", config.ContentCategories.Keys)} (or none: each HCP's preferred content).");
        }
        if (i.Product is not null && !Specialties.Products.Contains(i.Product))
        {
            errors.Add($"product \"{Echo(i.Product)}\" is unknown; allowed: {string.Join(", ", Specialties.Products)} (or none: each HCP's own brand).");
        }
        if (i.Start.Year < 2001 || i.Start.Year > 2099)
        {
            errors.Add("start needs a date from 2001-01-01 to 2099-12-31.");
        }
        if (i.End.Year < 2001 || i.End.Year > 2099)
        {
            errors.Add("end needs a date from 2001-01-01 to 2099-12-31.");
        }
        if (i.End < i.Start)
        {
            errors.Add(string.Create(CultureInfo.InvariantCulture, $"end ({i.End:yyyy-MM-dd}) is before start ({i.Start:yyyy-MM-dd})."));
        }
        else if (i.End.DayNumber - i.Start.DayNumber >= MaxWindowDays)
        {
            errors.Add($"end is more than {MaxWindowDays} days after start; an intervention lasts at most {MaxWindowDays} days.");
        }
        if (i.MaxExposuresPerHcp is < 1 or > 100)
        {
            errors.Add("maxExposuresPerHcp must be between 1 and 100.");
        }
        if (i.MinDaysBetweenExposures is < 1 or > 90)
        {
            errors.Add("minDaysBetweenExposures must be between 1 and 90.");
        }
        if (i.Type == Test)
        {
            if (i.TreatedShare is not { } share || !(share > 0 && share < 1))
            {
                errors.Add("treatedShare is required for a test and must be in (0, 1), e.g. 0.5 (the rest is the holdout).");
            }
        }
        else if (i.TreatedShare is not null)
        {
            errors.Add($"treatedShare applies to a test only; a {i.Type} treats its whole target population.");
        }
        if (i.Type == Trigger)
        {
            if (i.TriggerChannel is null || !config.ChannelFrequency.ContainsKey(i.TriggerChannel))
            {
                errors.Add(i.TriggerChannel is null
                    ? $"triggerChannel is required for a trigger; allowed: {string.Join(", ", SimulationConfig.Channels)}."
                    : $"triggerChannel \"{Echo(i.TriggerChannel)}\" is unknown; allowed: {string.Join(", ", SimulationConfig.Channels)}.");
            }
            if (i.TriggerLagDays is not (>= 1 and <= 30))
            {
                errors.Add("triggerLagDays is required for a trigger and must be between 1 and 30.");
            }
            if (i.Schedule == PlannedSchedule)
            {
                // Starts with the field's name: the admin API files a problem under its first word.
                errors.Add("schedule \"planned\" does not apply to a trigger (it places its own exposures); use \"rule\".");
            }
        }
        else if (i.TriggerChannel is not null || i.TriggerLagDays is not null)
        {
            errors.Add("triggerChannel and triggerLagDays apply to a trigger only.");
        }
        errors.AddRange(InterventionTarget.Validate(i.Target, config));
        return errors;
    }

    /// <summary>Problems with a list of interventions (each, and duplicate ids); empty when valid.</summary>
    public static IReadOnlyList<string> Validate(IReadOnlyList<Intervention>? interventions, SimulationConfig config)
    {
        var errors = new List<string>();
        if (interventions is null)
        {
            return errors;
        }
        var ids = new HashSet<Guid>();
        for (var k = 0; k < interventions.Count; k++)
        {
            var i = interventions[k];
            errors.AddRange(Validate(i, config).Select(e => $"Interventions[{k}]: {e}"));
            if (i is not null && !ids.Add(i.Id))
            {
                errors.Add($"Interventions[{k}]: id {i.Id} is used twice.");
            }
        }
        return errors;
    }

    /// <summary>A value as it may be quoted back in a message: at most 40 characters.</summary>
    internal static string Echo(string? value) =>
        value is null ? "" : value.Length <= 40 ? value : string.Concat(value.AsSpan(0, 40), "…");
}

/// <summary>
/// Who an intervention is for (004's target_segments and inclusion criteria). Every list empty means everyone; a
/// non-empty list keeps the HCPs whose value is in it. Engagement bounds are on the HCP's engagement propensity: the mean
/// of its channel affinities (a trait in [0, 1] fixed at profile time, observable as the mean of
/// <c>hcp_profiles.channel_affinities</c>; the response model rises with affinity, so targeting on it confounds).
/// </summary>
public sealed class InterventionTarget
{
    public List<string> Specialties { get; set; } = [];
    /// <summary>"Tier 1", "Tier 2", "Tier 3".</summary>
    public List<string> Tiers { get; set; } = [];
    public List<string> Segments { get; set; } = [];
    /// <summary>Regions of the geography (Northeast, Southeast, Midwest, Southwest, West).</summary>
    public List<string> Regions { get; set; } = [];
    public double? MinEngagement { get; set; }
    public double? MaxEngagement { get; set; }

    public InterventionTarget Clone() => new()
    {
        Specialties = [.. Specialties], Tiers = [.. Tiers], Segments = [.. Segments], Regions = [.. Regions],
        MinEngagement = MinEngagement, MaxEngagement = MaxEngagement,
    };

    public static IReadOnlyList<string> Validate(InterventionTarget? target, SimulationConfig config)
    {
        ArgumentNullException.ThrowIfNull(config);
        var errors = new List<string>();
        if (target is null)
        {
            return errors;
        }
        void Check(string field, List<string>? values, IEnumerable<string> allowed)
        {
            var set = allowed.ToArray();
            foreach (var v in values ?? [])
            {
                if (!set.Contains(v))
                {
                    errors.Add($"target.{field} has \"{Intervention.Echo(v)}\"; allowed: {string.Join(", ", set)}.");
                }
            }
        }
        Check("specialties", target.Specialties, config.SpecialtyWeights.Keys);
        Check("tiers", target.Tiers, SimulationConfig.Tiers);
        Check("segments", target.Segments, config.SegmentByTier.Values.SelectMany(s => s.Keys).Distinct(StringComparer.Ordinal).Order(StringComparer.Ordinal));
        Check("regions", target.Regions, Geography.States.Select(s => s.Region).Distinct(StringComparer.Ordinal).Order(StringComparer.Ordinal));
        if (target.MinEngagement is { } min && !(min >= 0 && min <= 1))
        {
            errors.Add("target.minEngagement must be in [0, 1].");
        }
        if (target.MaxEngagement is { } max && !(max >= 0 && max <= 1))
        {
            errors.Add("target.maxEngagement must be in [0, 1].");
        }
        if (target.MinEngagement is { } lo && target.MaxEngagement is { } hi && lo > hi)
        {
            errors.Add("target.minEngagement is above target.maxEngagement.");
        }
        return errors;
    }
}
