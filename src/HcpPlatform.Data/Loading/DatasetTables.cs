using HcpPlatform.Engine.Model;
using Npgsql;
using NpgsqlTypes;

namespace HcpPlatform.Data.Loading;

/// <summary>How one dataset table is written by binary COPY: its columns and how a row fills them.</summary>
public sealed class TableSpec<T>(string name, string[] columns, Action<NpgsqlBinaryImporter, T> write)
{
    public string Name { get; } = name;
    public string[] Columns { get; } = columns;
    public Action<NpgsqlBinaryImporter, T> Write { get; } = write;

    public string CopyCommand(string schema, bool freeze) =>
        $"COPY \"{schema}\".{Name} ({string.Join(", ", Columns)}) FROM STDIN (FORMAT BINARY{(freeze ? ", FREEZE" : "")})";
}

/// <summary>
/// The COPY layout of every dataset table (created_at and similar defaults are left to the server).
/// Column lists follow Migrations/V001; a test loads each table and reads it back.
/// </summary>
public static class DatasetTables
{
    /// <summary>Every dataset table, parents before children.</summary>
    public static readonly string[] All =
    [
        "hcp_profiles", "campaigns", "campaign_participation", "territory_assignments", "hcp_contact_limits",
        "channel_capacity", "stimuli_events", "outcome_events", "prescribing_history", "ground_truth", "dataset_info",
    ];

    private static void Text(NpgsqlBinaryImporter w, string? value)
    {
        if (value is null)
        {
            w.WriteNull();
        }
        else
        {
            w.Write(value, NpgsqlDbType.Varchar);
        }
    }

    private static void Json(NpgsqlBinaryImporter w, string? value)
    {
        if (value is null)
        {
            w.WriteNull();
        }
        else
        {
            w.Write(value, NpgsqlDbType.Jsonb);
        }
    }

    private static void Nullable<TValue>(NpgsqlBinaryImporter w, TValue? value, NpgsqlDbType type) where TValue : struct
    {
        if (value is { } v)
        {
            w.Write(v, type);
        }
        else
        {
            w.WriteNull();
        }
    }

    public static readonly TableSpec<HcpProfile> Profiles = new("hcp_profiles",
        ["id", "hcp_index", "npi", "first_name", "last_name", "credential", "specialty", "taxonomy_code", "tier", "segment",
         "state", "city", "region", "organization", "channel_affinities", "preferred_channel", "preferred_content",
         "response_latency_factor", "engagement_volatility", "base_conversion_rate", "channel_engagements", "engagement_score", "is_fixture"],
        (w, r) =>
        {
            w.Write(r.Id, NpgsqlDbType.Uuid);
            w.Write(r.HcpIndex, NpgsqlDbType.Integer);
            Text(w, r.Npi);
            Text(w, r.FirstName);
            Text(w, r.LastName);
            Text(w, r.Credential);
            Text(w, r.Specialty);
            Text(w, r.TaxonomyCode);
            Text(w, r.Tier);
            Text(w, r.Segment);
            Text(w, r.State);
            Text(w, r.City);
            Text(w, r.Region);
            Text(w, r.Organization);
            Json(w, r.ChannelAffinities);
            Text(w, r.PreferredChannel);
            Text(w, r.PreferredContent);
            w.Write(r.ResponseLatencyFactor, NpgsqlDbType.Double);
            w.Write(r.EngagementVolatility, NpgsqlDbType.Double);
            w.Write(r.BaseConversionRate, NpgsqlDbType.Double);
            Json(w, r.ChannelEngagements);
            w.Write(r.EngagementScore, NpgsqlDbType.Double);
            w.Write(r.IsFixture, NpgsqlDbType.Boolean);
        });

    public static readonly TableSpec<Campaign> Campaigns = new("campaigns",
        ["id", "name", "description", "campaign_type", "channels", "target_segments", "start_date", "end_date", "budget", "status"],
        (w, r) =>
        {
            w.Write(r.Id, NpgsqlDbType.Uuid);
            Text(w, r.Name);
            Text(w, r.Description);
            Text(w, r.CampaignType);
            Json(w, r.Channels);
            Json(w, r.TargetSegments);
            w.Write(r.StartDate, NpgsqlDbType.TimestampTz);
            w.Write(r.EndDate, NpgsqlDbType.TimestampTz);
            Nullable(w, r.Budget, NpgsqlDbType.Double);
            Text(w, r.Status);
        });

    public static readonly TableSpec<CampaignParticipation> Participation = new("campaign_participation",
        ["id", "campaign_id", "hcp_id", "enrolled_at", "status", "touch_count", "response_count"],
        (w, r) =>
        {
            w.Write(r.Id, NpgsqlDbType.Uuid);
            w.Write(r.CampaignId, NpgsqlDbType.Uuid);
            w.Write(r.HcpId, NpgsqlDbType.Uuid);
            w.Write(r.EnrolledAt, NpgsqlDbType.TimestampTz);
            Text(w, r.Status);
            w.Write(r.TouchCount, NpgsqlDbType.Integer);
            w.Write(r.ResponseCount, NpgsqlDbType.Integer);
        });

    public static readonly TableSpec<TerritoryAssignment> Territories = new("territory_assignments",
        ["id", "rep_id", "rep_name", "hcp_id", "territory", "region", "assigned_at", "is_primary"],
        (w, r) =>
        {
            w.Write(r.Id, NpgsqlDbType.Uuid);
            Text(w, r.RepId);
            Text(w, r.RepName);
            w.Write(r.HcpId, NpgsqlDbType.Uuid);
            Text(w, r.Territory);
            Text(w, r.Region);
            w.Write(r.AssignedAt, NpgsqlDbType.TimestampTz);
            w.Write(r.IsPrimary, NpgsqlDbType.Boolean);
        });

    public static readonly TableSpec<HcpContactLimit> ContactLimits = new("hcp_contact_limits",
        ["id", "hcp_id", "channel", "max_contacts_per_month", "min_days_between_contacts", "preferred_days", "blackout_dates"],
        (w, r) =>
        {
            w.Write(r.Id, NpgsqlDbType.Uuid);
            w.Write(r.HcpId, NpgsqlDbType.Uuid);
            Text(w, r.Channel);
            w.Write(r.MaxContactsPerMonth, NpgsqlDbType.Integer);
            w.Write(r.MinDaysBetweenContacts, NpgsqlDbType.Integer);
            Json(w, r.PreferredDays);
            Json(w, r.BlackoutDates);
        });

    public static readonly TableSpec<ChannelCapacity> Capacity = new("channel_capacity",
        ["id", "channel", "capacity_type", "limit_value", "period", "effective_date"],
        (w, r) =>
        {
            w.Write(r.Id, NpgsqlDbType.Uuid);
            Text(w, r.Channel);
            Text(w, r.CapacityType);
            w.Write(r.LimitValue, NpgsqlDbType.Integer);
            Text(w, r.Period);
            w.Write(r.EffectiveDate, NpgsqlDbType.TimestampTz);
        });

    public static readonly TableSpec<StimulusEvent> Stimuli = new("stimuli_events",
        ["id", "hcp_id", "campaign_id", "channel", "stimulus_type", "content_category", "event_date", "rep_id", "delivery_status", "metadata"],
        (w, r) =>
        {
            w.Write(r.Id, NpgsqlDbType.Uuid);
            w.Write(r.HcpId, NpgsqlDbType.Uuid);
            Nullable(w, r.CampaignId, NpgsqlDbType.Uuid);
            Text(w, r.Channel);
            Text(w, r.StimulusType);
            Text(w, r.ContentCategory);
            w.Write(r.EventDate, NpgsqlDbType.TimestampTz);
            Text(w, r.RepId);
            Text(w, r.DeliveryStatus);
            Json(w, r.Metadata);
        });

    public static readonly TableSpec<OutcomeEvent> Outcomes = new("outcome_events",
        ["id", "hcp_id", "stimulus_id", "outcome_type", "outcome_value", "event_date", "attribution_confidence", "metadata"],
        (w, r) =>
        {
            w.Write(r.Id, NpgsqlDbType.Uuid);
            w.Write(r.HcpId, NpgsqlDbType.Uuid);
            Nullable(w, r.StimulusId, NpgsqlDbType.Uuid);
            Text(w, r.OutcomeType);
            Nullable(w, r.OutcomeValue, NpgsqlDbType.Double);
            w.Write(r.EventDate, NpgsqlDbType.TimestampTz);
            Nullable(w, r.AttributionConfidence, NpgsqlDbType.Double);
            Json(w, r.Metadata);
        });

    public static readonly TableSpec<PrescribingHistory> Rx = new("prescribing_history",
        ["id", "hcp_id", "month", "rx_count", "market_share", "product_mix", "data_source"],
        (w, r) =>
        {
            w.Write(r.Id, NpgsqlDbType.Uuid);
            w.Write(r.HcpId, NpgsqlDbType.Uuid);
            w.Write(r.Month, NpgsqlDbType.TimestampTz);
            w.Write(r.RxCount, NpgsqlDbType.Integer);
            w.Write(r.MarketShare, NpgsqlDbType.Double);
            Json(w, r.ProductMix);
            Text(w, r.DataSource);
        });

    public static readonly TableSpec<GroundTruthParameter> GroundTruth = new("ground_truth",
        ["id", "parameter", "channel", "tier", "segment", "outcome_type", "period", "value", "details"],
        (w, r) =>
        {
            w.Write(r.Id, NpgsqlDbType.Uuid);
            Text(w, r.Parameter);
            Text(w, r.Channel);
            Text(w, r.Tier);
            Text(w, r.Segment);
            Text(w, r.OutcomeType);
            Text(w, r.Period);
            w.Write(r.Value, NpgsqlDbType.Double);
            Json(w, r.Details);
        });

    public static readonly TableSpec<DatasetInfo> Info = new("dataset_info",
        ["id", "seed", "hcp_count", "months", "scenario", "window_start", "simulated_through", "engine_version", "parameters"],
        (w, r) =>
        {
            w.Write(r.Id, NpgsqlDbType.Uuid);
            w.Write(r.Seed, NpgsqlDbType.Bigint);
            w.Write(r.HcpCount, NpgsqlDbType.Integer);
            w.Write(r.Months, NpgsqlDbType.Integer);
            Text(w, r.Scenario);
            w.Write(r.WindowStart, NpgsqlDbType.Date);
            w.Write(r.SimulatedThrough, NpgsqlDbType.Date);
            Text(w, r.EngineVersion);
            Json(w, r.Parameters);
        });
}
