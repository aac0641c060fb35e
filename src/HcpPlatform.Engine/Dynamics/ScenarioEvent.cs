using System.Globalization;
using System.Text.RegularExpressions;

namespace HcpPlatform.Engine.Dynamics;

/// <summary>
/// One injected scenario event (seeds/002 "patterns emerge"): a dated change to the dynamics of the simulation,
/// configured in <see cref="Config.SimulationConfig.Events"/> and applied by the engine as a pure function of the
/// day, so a day's events still depend only on (configuration, seed, population, day) and a backfill and the daily
/// increments agree. Days before <see cref="Start"/> are exactly what they would be without the event.
/// <list type="table">
/// <item><term>product_launch</term><description>Extra touches for a launched product on the days of [Start, End]:
/// <see cref="Magnitude"/> × the HCP's regular monthly volume of each launch channel (email and rep_visit, or the one
/// <see cref="Channel"/>: email | rep_visit | phone). Rep visits come as launch "blitz" days on which the rep works a
/// city. Every contact limit, gap and capacity still holds. Launch touches carry <c>launch_product</c> in their
/// metadata and the product (<see cref="Product"/>, default <see cref="DefaultLaunchProduct"/>) in subject or key message.
/// Magnitude in (0, 5].</description></item>
/// <item><term>email_fatigue</term><description>Responses (opens, clicks) to emails sent in [Start, End] are
/// (1 − Magnitude) times as likely; <see cref="Channel"/> may name another responding channel. Magnitude in (0, 1].</description></item>
/// <item><term>territory_change</term><description>From Start (to End, if given) neighbouring reps (pairs 2k, 2k+1 in
/// territory order) swap territories; a pair takes part with probability Magnitude (a keyed draw). Visible in the
/// rep_id of rep visits and phone calls; every rep keeps exactly one rep's workload. Magnitude in (0, 1]; no channel.</description></item>
/// <item><term>seasonal_dip</term><description>Each touch dated in [Start, End] (of <see cref="Channel"/>, or of every
/// channel) is left out with probability Magnitude (a keyed draw per touch). Magnitude in (0, 1].</description></item>
/// </list>
/// </summary>
public sealed partial class ScenarioEvent
{
    public const string ProductLaunch = "product_launch";
    public const string EmailFatigue = "email_fatigue";
    public const string TerritoryChange = "territory_change";
    public const string SeasonalDip = "seasonal_dip";

    /// <summary>The product a launch promotes when <see cref="Product"/> is not given (not one of the regular portfolio).</summary>
    public const string DefaultLaunchProduct = "Velantrix";

    public static readonly IReadOnlyList<string> Types = [ProductLaunch, EmailFatigue, TerritoryChange, SeasonalDip];

    /// <summary>product_launch | email_fatigue | territory_change | seasonal_dip.</summary>
    public string Type { get; set; } = "";

    /// <summary>First day the event is in effect (UTC day).</summary>
    public DateOnly Start { get; set; }

    /// <summary>Last day the event is in effect, inclusive; null: open-ended.</summary>
    public DateOnly? End { get; set; }

    /// <summary>Strength of the event; its meaning depends on <see cref="Type"/>.</summary>
    public double Magnitude { get; set; }

    /// <summary>The channel the event applies to; null: the type's default (see the type table).</summary>
    public string? Channel { get; set; }

    /// <summary>product_launch only: the launched product's name (letters, digits, spaces, hyphens; up to 40).</summary>
    public string? Product { get; set; }

    public bool IsActive(DateOnly day) => day >= Start && (End is not { } end || day <= end);

    /// <summary>
    /// What identifies the event: type, start, channel and product. Its random streams are keyed by it, so the
    /// event draws the same numbers whatever else is configured and whichever end date it is given.
    /// </summary>
    public string Key => string.Create(CultureInfo.InvariantCulture, $"{Type}|{Start:yyyy-MM-dd}|{Channel ?? "*"}|{Product ?? ""}");

    /// <summary>The launched product's name (launches only).</summary>
    public string LaunchProduct => string.IsNullOrWhiteSpace(Product) ? DefaultLaunchProduct : Product;

    public ScenarioEvent Clone() => (ScenarioEvent)MemberwiseClone();

    public override string ToString() => string.Create(CultureInfo.InvariantCulture,
        $"{Type} {Start:yyyy-MM-dd}..{(End is { } e ? e.ToString("yyyy-MM-dd", CultureInfo.InvariantCulture) : "")} x{Magnitude}{(Channel is null ? "" : " on " + Channel)}{(Product is null ? "" : " for " + Product)}");

    /// <summary>Problems with a list of events, each naming the event and what is allowed; empty when valid.</summary>
    public static IReadOnlyList<string> Validate(IReadOnlyList<ScenarioEvent>? events)
    {
        var errors = new List<string>();
        if (events is null)
        {
            return errors;
        }
        var keys = new HashSet<string>(StringComparer.Ordinal);
        for (var i = 0; i < events.Count; i++)
        {
            var e = events[i];
            if (e is null)
            {
                errors.Add($"Events[{i}] is empty.");
                continue;
            }
            var name = $"Events[{i}] ({e.Type})";
            if (!Types.Contains(e.Type))
            {
                errors.Add($"Events[{i}] has unknown type \"{e.Type}\"; allowed: {string.Join(", ", Types)}.");
                continue;
            }
            if (e.End is { } end && end < e.Start)
            {
                errors.Add($"{name} ends ({end:yyyy-MM-dd}) before it starts ({e.Start:yyyy-MM-dd}).");
            }
            if (e.Start.Year < 2000)
            {
                errors.Add($"{name} needs a start date (from 2000-01-01).");
            }
            var maxMagnitude = e.Type == ProductLaunch ? 5.0 : 1.0;
            if (!(e.Magnitude > 0 && e.Magnitude <= maxMagnitude))
            {
                errors.Add($"{name} needs a Magnitude in (0, {maxMagnitude.ToString(CultureInfo.InvariantCulture)}] (got {e.Magnitude.ToString(CultureInfo.InvariantCulture)}).");
            }
            string[] allowedChannels = e.Type switch
            {
                ProductLaunch => ["email", "rep_visit", "phone"],
                EmailFatigue => ["email", "rep_visit", "phone", "webinar", "conference"],
                SeasonalDip => Config.SimulationConfig.Channels,
                _ => [],
            };
            if (e.Channel is not null && !allowedChannels.Contains(e.Channel))
            {
                errors.Add(allowedChannels.Length == 0
                    ? $"{name} applies to no single channel; leave Channel empty."
                    : $"{name} has channel \"{e.Channel}\"; allowed: {string.Join(", ", allowedChannels)} (or none).");
            }
            if (e.Product is not null && (e.Type != ProductLaunch || !ProductName().IsMatch(e.Product)))
            {
                errors.Add(e.Type != ProductLaunch
                    ? $"{name} takes no Product (only product_launch does)."
                    : $"{name} has product \"{e.Product}\"; use 1–40 letters, digits, spaces or hyphens.");
            }
            if (!keys.Add(e.Key))
            {
                errors.Add($"{name} duplicates another event of the same type, start, channel and product.");
            }
        }
        return errors;
    }

    [GeneratedRegex("^[A-Za-z0-9][A-Za-z0-9 \\-]{0,39}$", RegexOptions.CultureInvariant)]
    private static partial Regex ProductName();
}
