using HcpPlatform.Engine.Model;

namespace HcpPlatform.Data.Loading;

/// <summary>How one dataset table is written by binary COPY: its columns and how a row fills them, in order.</summary>
public sealed class TableSpec<T>(string name, string[] columns, Action<CopyRowWriter, T> write)
{
    public string Name { get; } = name;
    public string[] Columns { get; } = columns;
    public Action<CopyRowWriter, T> Write { get; } = write;

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

    public static readonly TableSpec<HcpProfile> Profiles = new("hcp_profiles",
        ["id", "hcp_index", "npi", "first_name", "last_name", "credential", "specialty", "taxonomy_code", "tier", "segment",
         "state", "city", "region", "organization", "channel_affinities", "preferred_channel", "preferred_content",
         "response_latency_factor", "engagement_volatility", "base_conversion_rate", "channel_engagements", "engagement_score", "is_fixture",
         "address_line", "zip", "patient_volume", "time_zone"],
        (w, r) =>
        {
            w.Uuid(r.Id);
            w.Int4(r.HcpIndex);
            w.Text(r.Npi);
            w.Text(r.FirstName);
            w.Text(r.LastName);
            w.Text(r.Credential);
            w.Text(r.Specialty);
            w.Text(r.TaxonomyCode);
            w.Text(r.Tier);
            w.Text(r.Segment);
            w.Text(r.State);
            w.Text(r.City);
            w.Text(r.Region);
            w.Text(r.Organization);
            w.Jsonb(r.ChannelAffinities);
            w.Text(r.PreferredChannel);
            w.Text(r.PreferredContent);
            w.Float8(r.ResponseLatencyFactor);
            w.Float8(r.EngagementVolatility);
            w.Float8(r.BaseConversionRate);
            w.Jsonb(r.ChannelEngagements);
            w.Float8(r.EngagementScore);
            w.Bool(r.IsFixture);
            w.Text(r.AddressLine);
            w.Text(r.Zip);
            w.Int4(r.PatientVolume);
            w.Text(r.TimeZone);
        });

    public static readonly TableSpec<Campaign> Campaigns = new("campaigns",
        ["id", "name", "description", "campaign_type", "channels", "target_segments", "start_date", "end_date", "budget", "status"],
        (w, r) =>
        {
            w.Uuid(r.Id);
            w.Text(r.Name);
            w.Text(r.Description);
            w.Text(r.CampaignType);
            w.Jsonb(r.Channels);
            w.Jsonb(r.TargetSegments);
            w.TimestampTz(r.StartDate);
            w.TimestampTz(r.EndDate);
            w.Float8(r.Budget);
            w.Text(r.Status);
        });

    public static readonly TableSpec<CampaignParticipation> Participation = new("campaign_participation",
        ["id", "campaign_id", "hcp_id", "enrolled_at", "status", "touch_count", "response_count"],
        (w, r) =>
        {
            w.Uuid(r.Id);
            w.Uuid(r.CampaignId);
            w.Uuid(r.HcpId);
            w.TimestampTz(r.EnrolledAt);
            w.Text(r.Status);
            w.Int4(r.TouchCount);
            w.Int4(r.ResponseCount);
        });

    public static readonly TableSpec<TerritoryAssignment> Territories = new("territory_assignments",
        ["id", "rep_id", "rep_name", "hcp_id", "territory", "region", "assigned_at", "is_primary"],
        (w, r) =>
        {
            w.Uuid(r.Id);
            w.Text(r.RepId);
            w.Text(r.RepName);
            w.Uuid(r.HcpId);
            w.Text(r.Territory);
            w.Text(r.Region);
            w.TimestampTz(r.AssignedAt);
            w.Bool(r.IsPrimary);
        });

    public static readonly TableSpec<HcpContactLimit> ContactLimits = new("hcp_contact_limits",
        ["id", "hcp_id", "channel", "max_contacts_per_month", "min_days_between_contacts", "preferred_days", "blackout_dates"],
        (w, r) =>
        {
            w.Uuid(r.Id);
            w.Uuid(r.HcpId);
            w.Text(r.Channel);
            w.Int4(r.MaxContactsPerMonth);
            w.Int4(r.MinDaysBetweenContacts);
            w.Jsonb(r.PreferredDays);
            w.Jsonb(r.BlackoutDates);
        });

    public static readonly TableSpec<ChannelCapacity> Capacity = new("channel_capacity",
        ["id", "channel", "capacity_type", "limit_value", "period", "effective_date"],
        (w, r) =>
        {
            w.Uuid(r.Id);
            w.Text(r.Channel);
            w.Text(r.CapacityType);
            w.Int4(r.LimitValue);
            w.Text(r.Period);
            w.TimestampTz(r.EffectiveDate);
        });

    public static readonly TableSpec<StimulusEvent> Stimuli = new("stimuli_events",
        ["id", "hcp_id", "campaign_id", "channel", "stimulus_type", "content_category", "event_date", "rep_id", "delivery_status", "metadata"],
        (w, r) =>
        {
            w.Uuid(r.Id);
            w.Uuid(r.HcpId);
            w.Uuid(r.CampaignId);
            w.Text(r.Channel);
            w.Text(r.StimulusType);
            w.Text(r.ContentCategory);
            w.TimestampTz(r.EventDate);
            w.Text(r.RepId);
            w.Text(r.DeliveryStatus);
            w.Jsonb(r.Metadata);
        });

    /// <summary>
    /// Stimuli with the intervention that caused each (V006): the layout a dataset with interventions is written in; one
    /// without keeps <see cref="Stimuli"/>, so its COPY stream and checksum are exactly what they were.
    /// </summary>
    public static readonly TableSpec<StimulusEvent> StimuliWithInterventions = new("stimuli_events",
        [.. Stimuli.Columns, "intervention_id"],
        (w, r) =>
        {
            Stimuli.Write(w, r);
            w.Uuid(r.InterventionId);
        });

    /// <summary>The stimuli layout of a dataset: with intervention_id when it has interventions.</summary>
    public static TableSpec<StimulusEvent> StimuliFor(Engine.Config.SimulationConfig config) =>
        config.Interventions is { Count: > 0 } ? StimuliWithInterventions : Stimuli;

    public static readonly TableSpec<InterventionAssignment> InterventionAssignments = new("intervention_assignments",
        ["intervention_id", "hcp_id", "arm"],
        (w, r) =>
        {
            w.Uuid(r.InterventionId);
            w.Uuid(r.HcpId);
            w.Text(r.Arm);
        });

    public static readonly TableSpec<InterventionTruth> InterventionTruth = new("intervention_truth",
        ["intervention_id", "hcp_id", "arm", "outcome", "month", "y_treated", "y_control"],
        (w, r) =>
        {
            w.Uuid(r.InterventionId);
            w.Uuid(r.HcpId);
            w.Text(r.Arm);
            w.Text(r.Outcome);
            w.Date(r.Month);
            w.Float8(r.YTreated);
            w.Float8(r.YControl);
        });

    public static readonly TableSpec<PlannedTouchResult> PlannedTouchResults = new("planned_touch_results",
        ["planned_touch_id", "intervention_id", "hcp_id", "day", "status", "reason", "stimulus_id"],
        (w, r) =>
        {
            w.Uuid(r.PlannedTouchId);
            w.Uuid(r.InterventionId);
            w.Uuid(r.HcpId);
            w.Date(r.Day);
            w.Text(r.Status);
            w.Text(r.Reason);
            w.Uuid(r.StimulusId);
        });

    public static readonly TableSpec<UpliftModel> UpliftModels = new("uplift_models",
        ["model_id", "intervention_id", "outcome", "model_type", "training_date", "training_data_start", "training_data_end", "sample_size",
         "ate", "att", "validation_score", "model_path", "feature_importance", "hyperparameters", "metrics", "is_active", "deployed_date"],
        (w, r) =>
        {
            w.Uuid(r.ModelId);
            w.Uuid(r.InterventionId);
            w.Text(r.Outcome);
            w.Text(r.ModelType);
            w.TimestampTz(r.TrainingDate);
            w.Date(r.TrainingDataStart);
            w.Date(r.TrainingDataEnd);
            w.Int4(r.SampleSize);
            w.Float8(r.Ate);
            w.Float8(r.Att);
            w.Float8(r.ValidationScore);
            w.Text(r.ModelPath);
            w.Jsonb(r.FeatureImportance);
            w.Jsonb(r.Hyperparameters);
            w.Jsonb(r.Metrics);
            w.Bool(r.IsActive);
            if (r.DeployedDate is { } deployed)
            {
                w.TimestampTz(deployed);
            }
            else
            {
                w.Null();
            }
        });

    public static readonly TableSpec<OutcomeEvent> Outcomes = new("outcome_events",
        ["id", "hcp_id", "stimulus_id", "outcome_type", "outcome_value", "event_date", "attribution_confidence", "metadata"],
        (w, r) =>
        {
            w.Uuid(r.Id);
            w.Uuid(r.HcpId);
            w.Uuid(r.StimulusId);
            w.Text(r.OutcomeType);
            w.Float8(r.OutcomeValue);
            w.TimestampTz(r.EventDate);
            w.Float8(r.AttributionConfidence);
            w.Jsonb(r.Metadata);
        });

    public static readonly TableSpec<PrescribingHistory> Rx = new("prescribing_history",
        ["id", "hcp_id", "month", "rx_count", "market_share", "product_mix", "data_source"],
        (w, r) =>
        {
            w.Uuid(r.Id);
            w.Uuid(r.HcpId);
            w.TimestampTz(r.Month);
            w.Int4(r.RxCount);
            w.Float8(r.MarketShare);
            w.Jsonb(r.ProductMix);
            w.Text(r.DataSource);
        });

    public static readonly TableSpec<GroundTruthParameter> GroundTruth = new("ground_truth",
        ["id", "parameter", "channel", "tier", "segment", "outcome_type", "period", "value", "details"],
        (w, r) =>
        {
            w.Uuid(r.Id);
            w.Text(r.Parameter);
            w.Text(r.Channel);
            w.Text(r.Tier);
            w.Text(r.Segment);
            w.Text(r.OutcomeType);
            w.Text(r.Period);
            w.Float8(r.Value);
            w.Jsonb(r.Details);
        });

    public static readonly TableSpec<DatasetInfo> Info = new("dataset_info",
        ["id", "seed", "hcp_count", "months", "scenario", "window_start", "simulated_through", "engine_version", "parameters"],
        (w, r) =>
        {
            w.Uuid(r.Id);
            w.BigInt(r.Seed);
            w.Int4(r.HcpCount);
            w.Int4(r.Months);
            w.Text(r.Scenario);
            w.Date(r.WindowStart);
            w.Date(r.SimulatedThrough);
            w.Text(r.EngineVersion);
            w.Jsonb(r.Parameters);
        });
}
