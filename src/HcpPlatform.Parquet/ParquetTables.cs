using HcpPlatform.Engine.Model;
using static HcpPlatform.Parquet.Columns;

namespace HcpPlatform.Parquet;

/// <summary>How the rows of one table are laid out in Parquet, and whether its files are split by month.</summary>
public sealed class ParquetTable<T>(string name, ParquetColumn<T>[] columns, Func<T, DateTime>? monthOf = null, bool global = false, int rowGroupRows = ParquetTables.RowGroupRows)
{
    /// <summary>Rows per row group (the last one of a file may have fewer).</summary>
    public int RowGroupRows { get; } = rowGroupRows;

    public string Name { get; } = name;
    public IReadOnlyList<ParquetColumn<T>> Columns { get; } = columns;

    /// <summary>The instant whose UTC month names the row's partition folder (<c>event_month=YYYY-MM</c>), for the event tables.</summary>
    public Func<T, DateTime>? MonthOf { get; } = monthOf;

    /// <summary>Dataset-wide: the same whichever HCPs a shard covers, so written once (by shard 1).</summary>
    public bool Global { get; } = global;
}

/// <summary>
/// The Parquet layout of every dataset table: PostgreSQL's columns in PostgreSQL's order (Migrations/V001), less the
/// load-time stamps (created_at, updated_at), which say when rows were loaded into a database, not what the dataset is.
/// Types: uuid → UUID (or text, <see cref="UuidType"/>), timestamptz → TIMESTAMP(UTC, µs), date → DATE, integer → INT32,
/// bigint → INT64, double precision → DOUBLE, boolean → BOOLEAN, text/varchar → STRING, jsonb → JSON (PostgreSQL's text
/// of the value). No dataset column is numeric, so none is a DECIMAL.
/// </summary>
public static class ParquetTables
{
    /// <summary>
    /// Rows per row group: DuckDB's own (122,880), large enough for statistics and parallel scans to pay off. A row group
    /// is held in memory until complete (about 1.8 times its raw size in the writer's buffers, measured), so a generation
    /// keeps few month files open at once (three months, see ParquetGeneration).
    /// </summary>
    public const int RowGroupRows = 122_880;

    /// <summary>hcp_profiles rows are wide (about 1 KB, the engagements JSON most of it): a quarter of the rows per group.</summary>
    public const int ProfileRowGroupRows = 30_720;

    /// <summary>The name of the Hive-style partition folder level of the event tables.</summary>
    public const string MonthPartition = "event_month";

    public static readonly ParquetTable<HcpProfile> Profiles = new("hcp_profiles",
    [
        Uuid<HcpProfile>("id", r => r.Id).AsUnique(), Int<HcpProfile>("hcp_index", r => r.HcpIndex), Text<HcpProfile>("npi", r => r.Npi),
        Text<HcpProfile>("first_name", r => r.FirstName), Text<HcpProfile>("last_name", r => r.LastName),
        Text<HcpProfile>("credential", r => r.Credential), Text<HcpProfile>("specialty", r => r.Specialty),
        Text<HcpProfile>("taxonomy_code", r => r.TaxonomyCode), Text<HcpProfile>("tier", r => r.Tier), Text<HcpProfile>("segment", r => r.Segment),
        Text<HcpProfile>("state", r => r.State), Text<HcpProfile>("city", r => r.City), Text<HcpProfile>("region", r => r.Region),
        Text<HcpProfile>("organization", r => r.Organization), Json<HcpProfile>("channel_affinities", r => r.ChannelAffinities),
        Text<HcpProfile>("preferred_channel", r => r.PreferredChannel), Text<HcpProfile>("preferred_content", r => r.PreferredContent),
        Double<HcpProfile>("response_latency_factor", r => r.ResponseLatencyFactor), Double<HcpProfile>("engagement_volatility", r => r.EngagementVolatility),
        Double<HcpProfile>("base_conversion_rate", r => r.BaseConversionRate), Json<HcpProfile>("channel_engagements", r => r.ChannelEngagements),
        Double<HcpProfile>("engagement_score", r => r.EngagementScore), Bool<HcpProfile>("is_fixture", r => r.IsFixture),
        Text<HcpProfile>("address_line", r => r.AddressLine), Text<HcpProfile>("zip", r => r.Zip), Int<HcpProfile>("patient_volume", r => r.PatientVolume),
        Text<HcpProfile>("time_zone", r => r.TimeZone),
    ], rowGroupRows: ProfileRowGroupRows);

    public static readonly ParquetTable<Campaign> Campaigns = new("campaigns",
    [
        Uuid<Campaign>("id", r => r.Id).AsUnique(), Text<Campaign>("name", r => r.Name), Text<Campaign>("description", r => r.Description),
        Text<Campaign>("campaign_type", r => r.CampaignType), Json<Campaign>("channels", r => r.Channels),
        Json<Campaign>("target_segments", r => r.TargetSegments), Timestamp<Campaign>("start_date", r => r.StartDate),
        Timestamp<Campaign>("end_date", r => r.EndDate), NullableDouble<Campaign>("budget", r => r.Budget), Text<Campaign>("status", r => r.Status),
    ], global: true);

    public static readonly ParquetTable<CampaignParticipation> Participation = new("campaign_participation",
    [
        Uuid<CampaignParticipation>("id", r => r.Id).AsUnique(), Uuid<CampaignParticipation>("campaign_id", r => r.CampaignId),
        Uuid<CampaignParticipation>("hcp_id", r => r.HcpId), Timestamp<CampaignParticipation>("enrolled_at", r => r.EnrolledAt),
        Text<CampaignParticipation>("status", r => r.Status), Int<CampaignParticipation>("touch_count", r => r.TouchCount),
        Int<CampaignParticipation>("response_count", r => r.ResponseCount),
    ]);

    public static readonly ParquetTable<TerritoryAssignment> Territories = new("territory_assignments",
    [
        Uuid<TerritoryAssignment>("id", r => r.Id).AsUnique(), Text<TerritoryAssignment>("rep_id", r => r.RepId), Text<TerritoryAssignment>("rep_name", r => r.RepName),
        Uuid<TerritoryAssignment>("hcp_id", r => r.HcpId), Text<TerritoryAssignment>("territory", r => r.Territory),
        Text<TerritoryAssignment>("region", r => r.Region), Timestamp<TerritoryAssignment>("assigned_at", r => r.AssignedAt),
        Bool<TerritoryAssignment>("is_primary", r => r.IsPrimary),
    ]);

    public static readonly ParquetTable<HcpContactLimit> ContactLimits = new("hcp_contact_limits",
    [
        Uuid<HcpContactLimit>("id", r => r.Id).AsUnique(), Uuid<HcpContactLimit>("hcp_id", r => r.HcpId), Text<HcpContactLimit>("channel", r => r.Channel),
        Int<HcpContactLimit>("max_contacts_per_month", r => r.MaxContactsPerMonth), Int<HcpContactLimit>("min_days_between_contacts", r => r.MinDaysBetweenContacts),
        Json<HcpContactLimit>("preferred_days", r => r.PreferredDays), Json<HcpContactLimit>("blackout_dates", r => r.BlackoutDates),
    ]);

    public static readonly ParquetTable<ChannelCapacity> Capacity = new("channel_capacity",
    [
        Uuid<ChannelCapacity>("id", r => r.Id).AsUnique(), Text<ChannelCapacity>("channel", r => r.Channel), Text<ChannelCapacity>("capacity_type", r => r.CapacityType),
        Int<ChannelCapacity>("limit_value", r => r.LimitValue), Text<ChannelCapacity>("period", r => r.Period),
        Timestamp<ChannelCapacity>("effective_date", r => r.EffectiveDate),
    ], global: true);

    public static readonly ParquetTable<StimulusEvent> Stimuli = new("stimuli_events",
    [
        Uuid<StimulusEvent>("id", r => r.Id).AsUnique(), Uuid<StimulusEvent>("hcp_id", r => r.HcpId), NullableUuid<StimulusEvent>("campaign_id", r => r.CampaignId),
        Text<StimulusEvent>("channel", r => r.Channel), Text<StimulusEvent>("stimulus_type", r => r.StimulusType),
        Text<StimulusEvent>("content_category", r => r.ContentCategory), Timestamp<StimulusEvent>("event_date", r => r.EventDate),
        Text<StimulusEvent>("rep_id", r => r.RepId), Text<StimulusEvent>("delivery_status", r => r.DeliveryStatus),
        Json<StimulusEvent>("metadata", r => r.Metadata).AsUnique(), NullableUuid<StimulusEvent>("intervention_id", r => r.InterventionId),
    ], monthOf: r => r.EventDate);

    public static readonly ParquetTable<OutcomeEvent> Outcomes = new("outcome_events",
    [
        Uuid<OutcomeEvent>("id", r => r.Id).AsUnique(), Uuid<OutcomeEvent>("hcp_id", r => r.HcpId), NullableUuid<OutcomeEvent>("stimulus_id", r => r.StimulusId),
        Text<OutcomeEvent>("outcome_type", r => r.OutcomeType), NullableDouble<OutcomeEvent>("outcome_value", r => r.OutcomeValue),
        Timestamp<OutcomeEvent>("event_date", r => r.EventDate), NullableDouble<OutcomeEvent>("attribution_confidence", r => r.AttributionConfidence),
        Json<OutcomeEvent>("metadata", r => r.Metadata).AsUnique(),
    ], monthOf: r => r.EventDate);

    public static readonly ParquetTable<PrescribingHistory> Rx = new("prescribing_history",
    [
        Uuid<PrescribingHistory>("id", r => r.Id).AsUnique(), Uuid<PrescribingHistory>("hcp_id", r => r.HcpId), Timestamp<PrescribingHistory>("month", r => r.Month),
        Int<PrescribingHistory>("rx_count", r => r.RxCount), Double<PrescribingHistory>("market_share", r => r.MarketShare),
        Json<PrescribingHistory>("product_mix", r => r.ProductMix), Text<PrescribingHistory>("data_source", r => r.DataSource),
    ], monthOf: r => r.Month);

    public static readonly ParquetTable<GroundTruthParameter> GroundTruth = new("ground_truth",
    [
        Uuid<GroundTruthParameter>("id", r => r.Id).AsUnique(), Text<GroundTruthParameter>("parameter", r => r.Parameter),
        Text<GroundTruthParameter>("channel", r => r.Channel), Text<GroundTruthParameter>("tier", r => r.Tier),
        Text<GroundTruthParameter>("segment", r => r.Segment), Text<GroundTruthParameter>("outcome_type", r => r.OutcomeType),
        Text<GroundTruthParameter>("period", r => r.Period), Double<GroundTruthParameter>("value", r => r.Value),
        Json<GroundTruthParameter>("details", r => r.Details),
    ], global: true);

    public static readonly ParquetTable<DatasetInfo> Info = new("dataset_info",
    [
        Uuid<DatasetInfo>("id", r => r.Id).AsUnique(), Long<DatasetInfo>("seed", r => r.Seed), Int<DatasetInfo>("hcp_count", r => r.HcpCount),
        Int<DatasetInfo>("months", r => r.Months), Text<DatasetInfo>("scenario", r => r.Scenario), Date<DatasetInfo>("window_start", r => r.WindowStart),
        Date<DatasetInfo>("simulated_through", r => r.SimulatedThrough), Text<DatasetInfo>("engine_version", r => r.EngineVersion),
        Json<DatasetInfo>("parameters", r => r.Parameters),
    ], global: true);

    /// <summary>Every table's name and column names, parents before children (as in PostgreSQL).</summary>
    public static IReadOnlyList<(string Table, IReadOnlyList<string> Columns, bool PartitionedByMonth, bool Global)> All { get; } =
    [
        Describe(Profiles), Describe(Campaigns), Describe(Participation), Describe(Territories), Describe(ContactLimits),
        Describe(Capacity), Describe(Stimuli), Describe(Outcomes), Describe(Rx), Describe(GroundTruth), Describe(Info),
    ];

    private static (string, IReadOnlyList<string>, bool, bool) Describe<T>(ParquetTable<T> t) =>
        (t.Name, t.Columns.Select(c => c.Name).ToArray(), t.MonthOf is not null, t.Global);
}
