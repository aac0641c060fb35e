using System.Buffers;
using System.Globalization;
using System.Text;
using System.Text.Encodings.Web;
using System.Text.Json;
using HcpPlatform.Engine.Calendar;
using HcpPlatform.Engine.Dynamics;
using HcpPlatform.Engine.Model;
using HcpPlatform.Engine.Randomness;
using HcpPlatform.Engine.Reference;
using HcpPlatform.Engine.Simulation;

namespace HcpPlatform.Engine.Generators;

/// <summary>
/// A stimulus row with what its outcomes need to know: the webinar it invites to, the brand it promotes, and for a rep visit
/// its call type and the HCP's reaction (indexes into <see cref="StimulusDetails.CallTypes"/> and
/// <see cref="StimulusDetails.Reactions"/>; -1 for other channels, and the reaction -1 for a "Sample Only" call, which
/// carries no key message). The row's metadata is written only when the row is emitted (<see cref="StimulusDetails.Metadata"/>),
/// from the values drawn with the plan (<see cref="Drawn"/>).
/// </summary>
public readonly record struct PlannedStimulus(StimulusEvent Row, DateOnly? WebinarDay, string? Product, int CallType, int Reaction, StimulusDraws Drawn);

/// <summary>
/// The values a stimulus's metadata shows, drawn with its plan: by channel, email (bounce reason or -1, send batch or 0),
/// rep visit (duration, sample units), phone (disposition, duration), digital ad (placement, format, creative version),
/// webinar invitation (bounce reason or -1), conference (activity); and from the touch, its planned (local) day, the launch
/// product, the event day, the campaign's batch prefix and, for a hard bounce, until when the address is suppressed.
/// </summary>
public readonly record struct StimulusDraws(int A, int B, int C, DateOnly Day, string? Launch, DateOnly? EventDay, string? CampaignBatchPrefix,
    DateOnly? SuppressedUntil = null);

/// <summary>
/// The details of a planned touch (000 Task 7's rows): id, content, campaign, rep, delivery status and the values of the
/// metadata document, drawn from the touch's own keyed stream; the document itself is written by <see cref="Utf8JsonWriter"/>
/// (every value escaped) only for the rows that are emitted, since the engine plans months it does not emit (the Rx carryover
/// and the outcomes of a range reach back before it). Products follow the HCP: a touch promotes the HCP's brand (<see cref="HcpTraits.Product"/>), which is also its
/// campaign's (campaigns enrol only the HCPs their brand is for), unless it is a scenario launch touch.
/// </summary>
internal sealed class StimulusDetails(Population population, ScenarioDynamics dynamics)
{
    /// <summary>Veeva call types of a rep visit.</summary>
    public static readonly string[] CallTypes = ["Detail Only", "Detail with Sample", "Group Detail", "Sample Only"];

    /// <summary>How often each call type is drawn.</summary>
    public static readonly double[] CallTypeWeights = [0.45, 0.35, 0.10, 0.10];

    /// <summary>An HCP's reaction to a key message.</summary>
    public static readonly string[] Reactions = ["Positive", "Neutral", "Negative"];

    /// <summary>How often each reaction is drawn.</summary>
    public static readonly double[] ReactionWeights = [0.5, 0.4, 0.1];

    /// <summary>The call types that leave samples (their metadata lists them).</summary>
    public static bool LeavesSamples(int callType) => callType is 1 or 3;

    /// <summary>A "Sample Only" call details nothing: no key message, no reaction.</summary>
    public static bool HasKeyMessage(int callType) => callType != 3;

    private static readonly string[] Placements = ["Medscape", "Doximity", "Epocrates", "EHR banner", "Specialty journal site"];
    private static readonly string[] BounceReasons = ["mailbox_full", "invalid_address", "blocked_by_filter", "domain_unreachable"];
    private static readonly string[] ConferenceActivities = ["booth_visit", "symposium", "medical_information_desk"];

    // Values from fixed lists, escaped once.
    private static readonly JsonEncodedText[] EncodedPlacements = Encode(Placements);
    private static readonly JsonEncodedText[] EncodedFormats = Encode(["display", "native", "video"]);
    private static readonly JsonEncodedText[] EncodedBounceReasons = Encode(BounceReasons);
    private static readonly JsonEncodedText[] EncodedActivities = Encode(ConferenceActivities);
    private static readonly JsonEncodedText[] EncodedCallTypes = Encode(CallTypes);
    private static readonly JsonEncodedText[] EncodedReactions = Encode(Reactions);
    private static readonly JsonEncodedText[] EncodedDispositions = Encode(["connected", "voicemail", "no_answer"]);
    private static readonly JsonEncodedText Soft = JsonEncodedText.Encode("soft");
    private static readonly JsonEncodedText Hard = JsonEncodedText.Encode("hard");
    private static readonly JsonEncodedText Submitted = JsonEncodedText.Encode("Submitted");
    private static readonly JsonEncodedText Cancelled = JsonEncodedText.Encode("Cancelled");

    private static JsonEncodedText[] Encode(string[] values) => values.Select(v => JsonEncodedText.Encode(v)).ToArray();

    private static readonly JsonEncodedText Subject = JsonEncodedText.Encode("subject");
    private static readonly JsonEncodedText Product = JsonEncodedText.Encode("product");
    private static readonly JsonEncodedText SendBatch = JsonEncodedText.Encode("send_batch");
    private static readonly JsonEncodedText BatchNumber = JsonEncodedText.Encode("batch_number");
    private static readonly JsonEncodedText BounceReason = JsonEncodedText.Encode("bounce_reason");
    private static readonly JsonEncodedText BounceType = JsonEncodedText.Encode("bounce_type");
    private static readonly JsonEncodedText SuppressedUntil = JsonEncodedText.Encode("suppressed_until");
    private static readonly JsonEncodedText LaunchProduct = JsonEncodedText.Encode("launch_product");
    private static readonly JsonEncodedText CallType = JsonEncodedText.Encode("call_type");
    private static readonly JsonEncodedText CallStatus = JsonEncodedText.Encode("call_status");
    private static readonly JsonEncodedText City = JsonEncodedText.Encode("city");
    private static readonly JsonEncodedText DurationMinutes = JsonEncodedText.Encode("duration_minutes");
    private static readonly JsonEncodedText KeyMessages = JsonEncodedText.Encode("key_messages");
    private static readonly JsonEncodedText Category = JsonEncodedText.Encode("category");
    private static readonly JsonEncodedText Reaction = JsonEncodedText.Encode("reaction");
    private static readonly JsonEncodedText Samples = JsonEncodedText.Encode("samples");
    private static readonly JsonEncodedText Units = JsonEncodedText.Encode("units");
    private static readonly JsonEncodedText Disposition = JsonEncodedText.Encode("disposition");
    private static readonly JsonEncodedText DurationSeconds = JsonEncodedText.Encode("duration_seconds");
    private static readonly JsonEncodedText WebinarId = JsonEncodedText.Encode("webinar_id");
    private static readonly JsonEncodedText EventDate = JsonEncodedText.Encode("event_date");
    private static readonly JsonEncodedText Topic = JsonEncodedText.Encode("topic");
    private static readonly JsonEncodedText Placement = JsonEncodedText.Encode("placement");
    private static readonly JsonEncodedText Format = JsonEncodedText.Encode("format");
    private static readonly JsonEncodedText Creative = JsonEncodedText.Encode("creative");
    private static readonly JsonEncodedText Congress = JsonEncodedText.Encode("congress");
    private static readonly JsonEncodedText CongressStart = JsonEncodedText.Encode("congress_start");
    private static readonly JsonEncodedText Activity = JsonEncodedText.Encode("activity");

    // One buffer, writer and set of caches per thread, found once per document (a thread-static read is not free): a
    // stimulus is built millions of times.
    [ThreadStatic]
    private static Writing? PerThread;

    private sealed class Writing
    {
        public Writing()
        {
            Writer = new Utf8JsonWriter(Buffer, new JsonWriterOptions { SkipValidation = true, Encoder = JavaScriptEncoder.UnsafeRelaxedJsonEscaping });
        }

        public ArrayBufferWriter<byte> Buffer { get; } = new(512);
        public Utf8JsonWriter Writer { get; }
        public StringBuilder Text { get; } = new(64);
        // Values of few distinct texts (products, categories, cities, subjects, creatives), escaped once per thread.
        public Dictionary<string, JsonEncodedText> EncodedTexts { get; } = new(ReferenceEqualityComparer.Instance);
        public Dictionary<(string, string), JsonEncodedText> EncodedPairs { get; } = new(SamePair.Instance);
    }

    private readonly SimulationModel _model = population.Model;
    private readonly long _seed = population.Seed;

    /// <summary>
    /// The row of the <paramref name="ordinal"/>-th touch of an HCP-month (its metadata not yet written), with what its outcomes
    /// need; <paramref name="enrolledCampaigns"/> are the month's active campaigns the HCP is enrolled in.
    /// </summary>
    public PlannedStimulus Materialize(HcpTraits hcp, int monthNumber, int ordinal, in Touch t, List<CampaignPlan> enrolledCampaigns) =>
        Build(hcp, new KeyedRandom(_seed, StreamKind.Stimulus, hcp.Index, monthNumber, ordinal),
            DeterministicId.Create(_seed, StreamKind.Stimulus, hcp.Index, monthNumber, ordinal), t, enrolledCampaigns, null, null, new StimulusEvent());

    /// <summary>
    /// As <see cref="Materialize(HcpTraits, int, int, in Touch, List{CampaignPlan})"/>, the same draws and fields written into
    /// <paramref name="row"/> (a row that is never emitted), without an id.
    /// </summary>
    public PlannedStimulus Materialize(HcpTraits hcp, int monthNumber, int ordinal, in Touch t, List<CampaignPlan> enrolledCampaigns, StimulusEvent row) =>
        Build(hcp, new KeyedRandom(_seed, StreamKind.Stimulus, hcp.Index, monthNumber, ordinal), Guid.Empty, t, enrolledCampaigns, null, null, row);

    /// <summary>
    /// An intervention's exposure: drawn from its own stream and id key (never a regular touch's), linked to no campaign,
    /// with the intervention's content (else the HCP's preferred) and carrying the intervention's id.
    /// </summary>
    public PlannedStimulus MaterializeExposure(HcpTraits hcp, in Touch t, long day, long purpose, string content, Guid interventionId) =>
        Build(hcp, new KeyedRandom(_seed, StreamKind.Intervention, hcp.Index, day, purpose),
            DeterministicId.Create(_seed, StreamKind.Intervention, hcp.Index, day, purpose), t, [], content, interventionId, new StimulusEvent());

    private PlannedStimulus Build(HcpTraits hcp, KeyedRandom rng, Guid id, in Touch t, List<CampaignPlan> enrolledCampaigns,
        string? contentOverride, Guid? interventionId, StimulusEvent row)
    {
        var content = _model.Content.Names[rng.Choose(_model.Content.Weights)];
        content = contentOverride ?? content;
        var campaign = t.Campaign;
        if (campaign is null && t.Channel != Channel.Email && t.Launch is null)
        {
            foreach (var candidate in enrolledCampaigns)
            {
                if (candidate.HasChannel[t.Channel] && candidate.IsActive(t.Day))
                {
                    campaign = candidate;
                    break;
                }
            }
        }
        var product = t.Launch ?? campaign?.Product ?? hcp.Product;
        // Rep visits name the rep who made them; phone calls come from the rep working the HCP's territory that day
        // (scenario dynamics, territory_change).
        var rep = t.Rep ?? population.Reps[dynamics.RepOn(hcp.PrimaryRep, t.Day)];
        string status;
        int callType = -1, reaction = -1, a = 0, b = 0, c = 0;
        switch (t.Channel)
        {
            case Channel.Email:
            {
                a = Bounce(ref rng, t);
                status = a >= 0 ? "bounced" : "delivered";
                b = campaign is null ? 0 : t.Detail / _model.Config.EmailBatchSize + 1;
                break;
            }
            case Channel.RepVisit:
            {
                var cancelled = rng.Chance(0.05);
                status = cancelled ? "failed" : "delivered";
                callType = rng.Choose(CallTypeWeights);
                a = rng.NextInt(5, 30);
                var drawnReaction = rng.Choose(ReactionWeights);
                reaction = HasKeyMessage(callType) ? drawnReaction : -1;
                b = LeavesSamples(callType) ? rng.NextInt(2, 8) : 0;
                break;
            }
            case Channel.Phone:
            {
                a = rng.Choose([0.7, 0.18, 0.12]);
                status = a == 0 ? "delivered" : "failed";
                b = a == 0 ? rng.NextInt(60, 900) : rng.NextInt(5, 40);
                break;
            }
            case Channel.Webinar:
                a = Bounce(ref rng, t);
                status = a >= 0 ? "bounced" : "delivered";
                break;
            case Channel.DigitalAd:
                status = "delivered";
                a = rng.NextInt(Placements.Length);
                b = rng.Choose([0.6, 0.3, 0.1]);
                c = rng.NextInt(1, 4);
                break;
            default:
                status = "delivered";
                a = Math.Min(t.Detail, ConferenceActivities.Length - 1);
                break;
        }
        row.Id = id;
        row.HcpId = hcp.Id;
        row.CampaignId = campaign?.Id;
        row.Channel = Channel.Names[t.Channel];
        row.StimulusType = Channel.StimulusTypes[t.Channel];
        row.ContentCategory = content;
        row.EventDate = t.At;
        row.RepId = t.Channel is Channel.RepVisit or Channel.Phone ? rep.Id : null;
        row.DeliveryStatus = status;
        row.Metadata = null;
        row.CreatedAt = default;
        row.InterventionId = interventionId;
        return new PlannedStimulus(row, t.Channel == Channel.Webinar ? t.EventDay : null, product, callType, reaction,
            new StimulusDraws(a, b, c, t.Day, t.Launch, t.EventDay, campaign?.BatchPrefix, t.SuppressedUntil));
    }

    /// <summary>
    /// The bounce of an email or invitation, as an index into the bounce reasons (-1: delivered). A hard bounce is planned (an
    /// address lapse, <see cref="Touch.SuppressedUntil"/>); a soft one (mailbox full, index 0) is drawn here.
    /// </summary>
    private static int Bounce(ref KeyedRandom rng, in Touch t)
    {
        var hard = t.SuppressedUntil is not null;
        if (!hard && !rng.Chance(StimuliGenerator.SoftBounceRate))
        {
            return -1;
        }
        return hard ? 1 + rng.NextInt(BounceReasons.Length - 1) : 0;
    }

    private static void WriteBounce(Utf8JsonWriter w, in StimulusDraws d)
    {
        w.WriteString(BounceReason, EncodedBounceReasons[d.A]);
        w.WriteString(BounceType, d.A == 0 ? Soft : Hard);
        if (d.SuppressedUntil is { } until)
        {
            Span<byte> date = stackalloc byte[10];
            w.WriteString(SuppressedUntil, IsoDate(date, until));
        }
    }

    /// <summary>The metadata document of a planned stimulus of <paramref name="hcp"/>, written by <see cref="Utf8JsonWriter"/>.</summary>
    public static string Metadata(HcpTraits hcp, in PlannedStimulus planned)
    {
        var t = PerThread ??= new Writing();
        var buffer = t.Buffer;
        buffer.ResetWrittenCount();
        // Relaxed escaping: quotes, backslashes and control characters are escaped, other text is written as UTF-8 (jsonb stores it so).
        var w = t.Writer;
        w.Reset(buffer);
        var s = planned.Row;
        var d = planned.Drawn;
        var product = planned.Product!;
        w.WriteStartObject();
        switch (Channel.IndexOf(s.Channel))
        {
            case Channel.Email:
                w.WriteString(Subject, Pair(t, s.ContentCategory!, product, static (content, brand, t) => SubjectLine(t, content, brand)));
                w.WriteString(Product, Encoded(t, product));
                if (d.CampaignBatchPrefix is { } prefix)
                {
                    // {prefix}-{yyyyMMdd}-b{batch}, written as UTF-8 without a string in between.
                    Span<byte> batch = stackalloc byte[64];
                    var n = Encoding.UTF8.GetBytes(prefix, batch);
                    batch[n++] = (byte)'-';
                    n += CompactDate(batch[n..], d.Day).Length;
                    batch[n++] = (byte)'-';
                    batch[n++] = (byte)'b';
                    d.B.TryFormat(batch[n..], out var digits, default, CultureInfo.InvariantCulture);
                    w.WriteString(SendBatch, batch[..(n + digits)]);
                    w.WriteNumber(BatchNumber, d.B);
                }
                else
                {
                    w.WriteNull(SendBatch);
                }
                if (d.A >= 0)
                {
                    WriteBounce(w, d);
                }
                break;
            case Channel.RepVisit:
                w.WriteString(CallType, EncodedCallTypes[planned.CallType]);
                w.WriteString(CallStatus, s.DeliveryStatus == "delivered" ? Submitted : Cancelled);
                w.WriteString(City, Encoded(t, hcp.City));
                w.WriteNumber(DurationMinutes, d.A);
                w.WriteStartArray(KeyMessages);
                if (planned.Reaction >= 0)
                {
                    w.WriteStartObject();
                    w.WriteString(Product, Encoded(t, product));
                    w.WriteString(Category, Encoded(t, s.ContentCategory!));
                    w.WriteString(Reaction, EncodedReactions[planned.Reaction]);
                    w.WriteEndObject();
                }
                w.WriteEndArray();
                if (LeavesSamples(planned.CallType))
                {
                    w.WriteStartArray(Samples);
                    w.WriteStartObject();
                    w.WriteString(Product, Encoded(t, product));
                    w.WriteNumber(Units, d.B);
                    w.WriteEndObject();
                    w.WriteEndArray();
                }
                break;
            case Channel.Phone:
                w.WriteString(Disposition, EncodedDispositions[d.A]);
                w.WriteNumber(DurationSeconds, d.B);
                break;
            case Channel.Webinar:
            {
                var eventDay = d.EventDay!.Value;
                Span<byte> text = stackalloc byte[12];
                "WEB-"u8.CopyTo(text);
                w.WriteString(WebinarId, text[..(4 + CompactDate(text[4..], eventDay).Length)]); // WebinarCalendar.Id
                w.WriteString(EventDate, IsoDate(text, eventDay));
                w.WriteString(Topic, Encoded(t, TopicOf(s.ContentCategory!)));
                if (d.A >= 0)
                {
                    WriteBounce(w, d);
                }
                break;
            }
            case Channel.DigitalAd:
                w.WriteString(Placement, EncodedPlacements[d.A]);
                w.WriteString(Format, EncodedFormats[d.B]);
                w.WriteString(Creative, Pair(t, s.ContentCategory!, Versions[d.C], static (content, version, _) => content + "-v" + version));
                w.WriteString(Product, Encoded(t, product));
                break;
            default:
                w.WriteString(Congress, Encoded(t, Specialties.CongressFor(hcp.Specialty).Name));
                Span<byte> date = stackalloc byte[10];
                w.WriteString(CongressStart, IsoDate(date, d.EventDay!.Value));
                w.WriteString(Activity, EncodedActivities[d.A]);
                break;
        }
        if (d.Launch is not null)
        {
            // Scenario dynamics (product_launch): launch touches name their product.
            w.WriteString(LaunchProduct, d.Launch);
        }
        w.WriteEndObject();
        w.Flush();
        return Encoding.UTF8.GetString(buffer.WrittenSpan);
    }

    private static readonly string[] Versions = ["0", "1", "2", "3", "4"];

    /// <summary>A day as yyyy-MM-dd in UTF-8 (the invariant format: a DateOnly's year always has four digits).</summary>
    private static ReadOnlySpan<byte> IsoDate(Span<byte> into, DateOnly day)
    {
        Digits(into[..4], day.Year);
        into[4] = (byte)'-';
        Digits(into.Slice(5, 2), day.Month);
        into[7] = (byte)'-';
        Digits(into.Slice(8, 2), day.Day);
        return into[..10];
    }

    /// <summary>A day as yyyyMMdd in UTF-8.</summary>
    private static ReadOnlySpan<byte> CompactDate(Span<byte> into, DateOnly day)
    {
        Digits(into[..4], day.Year);
        Digits(into.Slice(4, 2), day.Month);
        Digits(into.Slice(6, 2), day.Day);
        return into[..8];
    }

    /// <summary>Writes <paramref name="value"/> in exactly <c>into.Length</c> decimal digits, zero-padded.</summary>
    private static void Digits(Span<byte> into, int value)
    {
        for (var i = into.Length - 1; i >= 0; i--)
        {
            into[i] = (byte)('0' + value % 10);
            value /= 10;
        }
    }

    // The caches are keyed by the strings' identity, not their text (hashing the text was a tenth of writing a document):
    // the values come from a few shared strings (configuration, reference tables). A text seen as two strings is simply
    // cached twice, and a cache that grows past its bound (strings made afresh) starts over; either way the value is the same.
    private const int MaxCached = 4096;

    private static JsonEncodedText Encoded(Writing t, string text)
    {
        var cache = t.EncodedTexts;
        if (!cache.TryGetValue(text, out var encoded))
        {
            if (cache.Count >= MaxCached)
            {
                cache.Clear();
            }
            cache[text] = encoded = JsonEncodedText.Encode(text, JavaScriptEncoder.UnsafeRelaxedJsonEscaping);
        }
        return encoded;
    }

    private static JsonEncodedText Pair(Writing t, string a, string b, Func<string, string, Writing, string> text)
    {
        var cache = t.EncodedPairs;
        if (!cache.TryGetValue((a, b), out var encoded))
        {
            if (cache.Count >= MaxCached)
            {
                cache.Clear();
            }
            cache[(a, b)] = encoded = JsonEncodedText.Encode(text(a, b, t), JavaScriptEncoder.UnsafeRelaxedJsonEscaping);
        }
        return encoded;
    }

    /// <summary>Two strings compared by identity.</summary>
    private sealed class SamePair : IEqualityComparer<(string, string)>
    {
        public static readonly SamePair Instance = new();

        public bool Equals((string, string) x, (string, string) y) => ReferenceEquals(x.Item1, y.Item1) && ReferenceEquals(x.Item2, y.Item2);

        public int GetHashCode((string, string) obj) =>
            HashCode.Combine(System.Runtime.CompilerServices.RuntimeHelpers.GetHashCode(obj.Item1), System.Runtime.CompilerServices.RuntimeHelpers.GetHashCode(obj.Item2));
    }

    private static string SubjectLine(Writing t, string content, string product)
    {
        var sb = t.Text;
        sb.Clear();
        _ = content switch
        {
            "clinical_data" => sb.Append("New phase III data for ").Append(product),
            "patient_outcomes" => sb.Append("Real-world outcomes with ").Append(product),
            "access_savings" => sb.Append(product).Append(" savings and coverage update"),
            "peer_perspective" => sb.Append("How your peers use ").Append(product),
            _ => sb.Append(product).Append(": prescribing information update"),
        };
        return sb.ToString();
    }

    private static string TopicOf(string content) => content switch
    {
        "clinical_data" => "Interpreting the latest trial results",
        "patient_outcomes" => "Patient outcomes in practice",
        "access_savings" => "Navigating access and affordability",
        "peer_perspective" => "Peer case discussion",
        _ => "What is new in the label",
    };
}
