using System.Globalization;
using System.Text;
using HcpPlatform.Engine.Model;

namespace HcpPlatform.Parquet;

/// <summary>
/// The derived columns the PostgreSQL loader computes in SQL after the load (Data/Loading/Aggregates.cs), computed here
/// from one HCP's events as they stream: every input is the HCP's own touches and responses, so a shard computes its HCPs'
/// values alone, with no merge step. channel_engagements is written as PostgreSQL gives the jsonb back, and the numbers
/// are rounded as numeric rounds (half away from zero), from exact decimal arithmetic.
/// </summary>
internal sealed class EngagementTotals
{
    /// <summary>The channels of channel_engagements, in their order in the array (as in the SQL).</summary>
    private static readonly string[] Channels = ["email", "rep_visit", "phone", "webinar", "digital_ad", "conference"];

    private readonly int[] _touches = new int[Channels.Length];
    private readonly int[] _responses = new int[Channels.Length];
    private readonly DateTime?[] _lastContact = new DateTime?[Channels.Length];
    private readonly Dictionary<Guid, (int Touches, int Responses)> _byCampaign = [];

    private static readonly EngagementTotals None = new();

    /// <summary>The totals of every HCP with a touch in <paramref name="stimuli"/>, responses counted from <paramref name="outcomes"/>.</summary>
    public static Dictionary<Guid, EngagementTotals> Of(IReadOnlyList<StimulusEvent> stimuli, IReadOnlyList<OutcomeEvent> outcomes)
    {
        var responses = new Dictionary<Guid, int>(outcomes.Count);
        foreach (var o in outcomes)
        {
            if (o.StimulusId is { } s)
            {
                responses[s] = responses.GetValueOrDefault(s) + 1;
            }
        }
        var result = new Dictionary<Guid, EngagementTotals>();
        foreach (var s in stimuli)
        {
            if (!result.TryGetValue(s.HcpId, out var totals))
            {
                totals = new EngagementTotals();
                result[s.HcpId] = totals;
            }
            var channel = Array.IndexOf(Channels, s.Channel);
            var answered = responses.GetValueOrDefault(s.Id);
            if (channel >= 0)
            {
                totals._touches[channel]++;
                totals._responses[channel] += answered;
                if (totals._lastContact[channel] is not { } last || s.EventDate > last)
                {
                    totals._lastContact[channel] = s.EventDate;
                }
            }
            if (s.CampaignId is { } campaign)
            {
                var (t, r) = totals._byCampaign.GetValueOrDefault(campaign);
                totals._byCampaign[campaign] = (t + 1, r + answered);
            }
        }
        return result;
    }

    public static EngagementTotals For(Dictionary<Guid, EngagementTotals> totals, Guid hcp) => totals.GetValueOrDefault(hcp) ?? None;

    /// <summary>Touches and responses of the HCP within a campaign (participation's touch_count and response_count).</summary>
    public (int Touches, int Responses) InCampaign(Guid campaign) => _byCampaign.GetValueOrDefault(campaign);

    /// <summary>
    /// channel_engagements as PostgreSQL's jsonb text (keys in jsonb's order: score, channel, lastContact, responseRate,
    /// totalTouches) and engagement_score. Per channel: score = 0.7 × min(100, 2.5 × response rate %) + 0.3 × min(100,
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
            var r = _responses[c];
            string score, rate;
            if (t == 0)
            {
                (score, rate) = ("0", "0");
            }
            else
            {
                var s = Math.Round(0.7m * Math.Min(100m, 250m * r / t) + 0.3m * Math.Min(100m, 5m * t), 1, MidpointRounding.AwayFromZero);
                score = s.ToString("F1", CultureInfo.InvariantCulture);
                rate = Math.Round(100m * r / t, 2, MidpointRounding.AwayFromZero).ToString("F2", CultureInfo.InvariantCulture);
                weighted += s * t;
                touches += t;
            }
            var last = _lastContact[c] is { } l ? "\"" + l.ToString("yyyy-MM-dd", CultureInfo.InvariantCulture) + "\"" : "null";
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
