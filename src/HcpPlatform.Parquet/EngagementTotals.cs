using System.Globalization;
using System.Text;
using HcpPlatform.Engine.Model;

namespace HcpPlatform.Parquet;

/// <summary>
/// One HCP's touches and responses, accumulated as its events stream, for the derived columns the PostgreSQL loader computes
/// in SQL after the load (Data/Loading/Aggregates.cs): channel_engagements, engagement_score and the participation counts.
/// Every input is the HCP's own events, so a shard computes its HCPs' values alone, with no merge step. channel_engagements
/// is written as PostgreSQL gives the jsonb back, and the numbers are rounded as numeric rounds (half away from zero), from
/// exact decimal arithmetic.
/// </summary>
internal sealed class EngagementTotals
{
    /// <summary>The channels of channel_engagements, in their order in the array (as in the SQL).</summary>
    private static readonly string[] Channels = ["email", "rep_visit", "phone", "webinar", "digital_ad", "conference"];

    private readonly int[] _touches = new int[Channels.Length];
    /// <summary>Touches answered by at least one outcome (the response rate's numerator).</summary>
    private readonly int[] _answered = new int[Channels.Length];
    private readonly DateTime[] _lastContact = new DateTime[Channels.Length];
    private Dictionary<Guid, (int Touches, int Responses)>? _byCampaign;

    /// <summary>
    /// What an outcome needs of the touch it answers, and whether an outcome answered it already: a value kept in the writer's
    /// maps (no object per stimulus) and answered in place through a reference to its entry. Its day rather than its time
    /// keeps it at 40 bytes: the writer only compares it with the start of a day.
    /// </summary>
    internal struct Touch(EngagementTotals hcp, int channel, Guid? campaign, DateTime date)
    {
        public EngagementTotals Hcp { get; } = hcp;
        public Guid? Campaign { get; } = campaign;
        /// <summary>The day of the touch's date, as <see cref="DateOnly.DayNumber"/>.</summary>
        public int Day { get; } = DateOnly.FromDateTime(date).DayNumber;
        public int Channel { get; } = channel;
        public bool Answered { get; set; }
    }

    /// <summary>Counts a touch, and returns what its outcomes will need.</summary>
    public Touch AddStimulus(StimulusEvent s)
    {
        var channel = Array.IndexOf(Channels, s.Channel);
        if (channel < 0)
        {
            throw new InvalidOperationException($"Unknown channel '{s.Channel}'.");
        }
        _touches[channel]++;
        if (s.EventDate > _lastContact[channel])
        {
            _lastContact[channel] = s.EventDate;
        }
        if (s.CampaignId is { } campaign)
        {
            _byCampaign ??= [];
            var (t, r) = _byCampaign.GetValueOrDefault(campaign);
            _byCampaign[campaign] = (t + 1, r);
        }
        return new Touch(this, channel, s.CampaignId, s.EventDate);
    }

    /// <summary>A response to <paramref name="touch"/> (one of this HCP's): its channel's touch is answered, and counted for its campaign.</summary>
    public void AddResponse(ref Touch touch)
    {
        if (!touch.Answered)
        {
            touch.Answered = true;
            _answered[touch.Channel]++;
        }
        if (touch.Campaign is { } campaign)
        {
            var (t, r) = _byCampaign![campaign];
            _byCampaign[campaign] = (t, r + 1);
        }
    }

    /// <summary>Touches and responses of the HCP within a campaign (participation's touch_count and response_count).</summary>
    public (int Touches, int Responses) InCampaign(Guid campaign) => _byCampaign?.GetValueOrDefault(campaign) ?? default;

    /// <summary>
    /// channel_engagements as PostgreSQL's jsonb text (keys in jsonb's order: score, channel, lastContact, responseRate,
    /// totalTouches) and engagement_score. The response rate is the share of the channel's touches answered at least once.
    /// Per channel: score = 0.7 × min(100, 2.5 × response rate %) + 0.3 × min(100,
    /// 5 × touches), rounded to 1 decimal; rate rounded to 2; both the integer 0 without touches. The overall score is the
    /// touch-weighted mean of the channel scores, rounded to 1 decimal.
    /// </summary>
    public (string ChannelEngagements, double EngagementScore) Engagements()
    {
        var text = new StringBuilder(600).Append('[');
        decimal weighted = 0;
        long touches = 0;
        for (var c = 0; c < Channels.Length; c++)
        {
            var t = _touches[c];
            var r = _answered[c];
            string score, rate, last;
            if (t == 0)
            {
                (score, rate, last) = ("0", "0", "null");
            }
            else
            {
                var s = Math.Round(0.7m * Math.Min(100m, 250m * r / t) + 0.3m * Math.Min(100m, 5m * t), 1, MidpointRounding.AwayFromZero);
                score = s.ToString("F1", CultureInfo.InvariantCulture);
                rate = Math.Round(100m * r / t, 2, MidpointRounding.AwayFromZero).ToString("F2", CultureInfo.InvariantCulture);
                last = "\"" + _lastContact[c].ToString("yyyy-MM-dd", CultureInfo.InvariantCulture) + "\"";
                weighted += s * t;
                touches += t;
            }
            text.Append(c == 0 ? "" : ", ")
                .Append("{\"score\": ").Append(score)
                .Append(", \"channel\": \"").Append(Channels[c])
                .Append("\", \"lastContact\": ").Append(last)
                .Append(", \"responseRate\": ").Append(rate)
                .Append(", \"totalTouches\": ").Append(t.ToString(CultureInfo.InvariantCulture)).Append('}');
        }
        text.Append(']');
        // numeric → double precision goes through numeric's text: parse the same text.
        var overall = touches == 0 ? 0 : double.Parse(
            Math.Round(weighted / touches, 1, MidpointRounding.AwayFromZero).ToString(CultureInfo.InvariantCulture), CultureInfo.InvariantCulture);
        return (text.ToString(), overall);
    }
}
