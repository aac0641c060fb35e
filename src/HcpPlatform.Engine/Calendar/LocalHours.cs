using HcpPlatform.Engine.Randomness;
using HcpPlatform.Engine.Simulation;

namespace HcpPlatform.Engine.Calendar;

/// <summary>
/// When, in the HCP's local time, a channel's touches happen: a window [<see cref="From"/>, <see cref="To"/>) of hours,
/// drawn with the given weight per whole hour (uniform within the hour). Email goes out in the morning (campaign sends at
/// the campaign's send time, see CampaignPlan.SendHour), reps call 08:00–17:30 along their route, phone calls come
/// 09:00–17:00, webinar invitations 08:00–11:00, ads are seen 06:00–23:00 (most in the evening), conference touches
/// 08:00–18:00 at the congress (Central time). Webinars start at <see cref="WebinarStartEastern"/> Eastern.
/// </summary>
public sealed class LocalHours
{
    private readonly double[] _weights;

    private LocalHours(double from, double to, double[]? weights = null)
    {
        From = from;
        To = to;
        _weights = weights ?? Enumerable.Repeat(1.0, (int)Math.Ceiling(to - from)).ToArray();
    }

    public double From { get; }
    public double To { get; }

    /// <summary>A local hour in the window, to the second.</summary>
    public double Draw(ref KeyedRandom rng)
    {
        var slot = rng.Choose(_weights);
        var hour = Math.Min(To, From + slot + rng.NextDouble()) - From;
        return From + Math.Min(hour, To - From - 1.0 / 3600);
    }

    /// <summary>Every email (campaign sends and single sends) goes out in this window.</summary>
    public static readonly LocalHours Email = new(7, 12);

    /// <summary>Single (non-campaign) emails.</summary>
    public static readonly LocalHours SingleEmail = new(7, 11);
    public static readonly LocalHours RepVisit = new(8, 17.5);
    public static readonly LocalHours Phone = new(9, 17);
    public static readonly LocalHours WebinarInvite = new(8, 11);
    public static readonly LocalHours DigitalAd = new(6, 23, [0.5, 0.8, 1.0, 1.0, 0.9, 0.9, 1.1, 1.0, 0.9, 0.9, 0.9, 1.0, 1.2, 1.4, 1.5, 1.3, 0.9]);
    /// <summary>Conference touches, in the congress's local time (Central).</summary>
    public static readonly LocalHours Conference = new(8, 18);

    /// <summary>Congresses are timed in Central time (a US congress's middle clock).</summary>
    public static readonly UsTimeZone CongressZone = UsTimeZone.Central;

    /// <summary>Webinars start at 19:00 Eastern, after clinic hours on the East coast (16:00 on the West coast).</summary>
    public const double WebinarStartEastern = 19.0;

    /// <summary>The window a channel's touches fall in (emails: all of them, campaign sends included).</summary>
    public static LocalHours For(int channel) => channel switch
    {
        Channel.Email => SingleEmail,
        Channel.RepVisit => RepVisit,
        Channel.Phone => Phone,
        Channel.Webinar => WebinarInvite,
        Channel.DigitalAd => DigitalAd,
        _ => Conference,
    };

    /// <summary>The window the validator holds a channel's touches to.</summary>
    public static LocalHours Bounds(int channel) => channel == Channel.Email ? Email : For(channel);

    /// <summary>Weekday business channels: no touch on a Saturday or Sunday (local).</summary>
    public static bool IsBusinessChannel(int channel) => channel is Channel.Email or Channel.RepVisit or Channel.Phone or Channel.Webinar;
}
