using HcpPlatform.Engine.Model;
using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Metadata.Builders;

namespace HcpPlatform.Data.Configurations;

// One configuration per dataset table (schema "hcp"); Migrations/V001__initial_schema.sql creates the same.

internal sealed class HcpProfileConfiguration : IEntityTypeConfiguration<HcpProfile>
{
    public void Configure(EntityTypeBuilder<HcpProfile> b)
    {
        b.ToTable("hcp_profiles", HcpDbContext.DatasetSchema);
        b.HasKey(x => x.Id).HasName("pk_hcp_profiles");
        b.Property(x => x.Npi).HasMaxLength(10);
        b.Property(x => x.FirstName).HasMaxLength(100);
        b.Property(x => x.LastName).HasMaxLength(100);
        b.Property(x => x.Credential).HasMaxLength(10);
        b.Property(x => x.Specialty).HasMaxLength(50);
        b.Property(x => x.TaxonomyCode).HasMaxLength(10);
        b.Property(x => x.Tier).HasMaxLength(10);
        b.Property(x => x.Segment).HasMaxLength(50);
        b.Property(x => x.State).HasMaxLength(2);
        b.Property(x => x.City).HasMaxLength(100);
        b.Property(x => x.Region).HasMaxLength(20);
        b.Property(x => x.TimeZone).HasMaxLength(40); // added by V005
        b.Property(x => x.Organization).HasMaxLength(200);
        b.Property(x => x.ChannelAffinities).HasColumnType("jsonb");
        b.Property(x => x.PreferredChannel).HasMaxLength(20);
        b.Property(x => x.PreferredContent).HasMaxLength(50);
        b.Property(x => x.ChannelEngagements).HasColumnType("jsonb").HasDefaultValueSql("'[]'::jsonb");
        b.Property(x => x.EngagementScore).HasDefaultValue(0d);
        b.Property(x => x.IsFixture).HasDefaultValue(false);
        b.Property(x => x.CreatedAt).HasDefaultValueSql("now()");
        // Added by V004 (after created_at): defaults for the rows of a dataset generated before them.
        b.Property(x => x.AddressLine).HasMaxLength(200).HasDefaultValue("");
        b.Property(x => x.Zip).HasMaxLength(5).HasDefaultValue("");
        b.Property(x => x.PatientVolume).HasDefaultValue(0);
        b.HasIndex(x => x.Npi).IsUnique().HasDatabaseName("ix_hcp_profiles_npi");
        b.HasIndex(x => x.HcpIndex).IsUnique().HasDatabaseName("ix_hcp_profiles_hcp_index");
        b.HasIndex(x => new { x.Specialty, x.Tier }).HasDatabaseName("ix_hcp_profiles_specialty_tier");
        b.HasIndex(x => new { x.State, x.City }).HasDatabaseName("ix_hcp_profiles_state_city");
        b.HasIndex(x => x.Zip).HasDatabaseName("ix_hcp_profiles_zip");
    }
}

internal sealed class CampaignConfiguration : IEntityTypeConfiguration<Campaign>
{
    public void Configure(EntityTypeBuilder<Campaign> b)
    {
        b.ToTable("campaigns", HcpDbContext.DatasetSchema);
        b.HasKey(x => x.Id).HasName("pk_campaigns");
        b.Property(x => x.Name).HasMaxLength(200);
        b.Property(x => x.Description).HasColumnType("text");
        b.Property(x => x.CampaignType).HasMaxLength(50);
        b.Property(x => x.Channels).HasColumnType("jsonb");
        b.Property(x => x.TargetSegments).HasColumnType("jsonb");
        b.Property(x => x.Status).HasMaxLength(20);
        b.Property(x => x.CreatedAt).HasDefaultValueSql("now()");
        b.HasIndex(x => new { x.StartDate, x.EndDate }).HasDatabaseName("ix_campaigns_start_date_end_date");
    }
}

internal sealed class PrescribingHistoryConfiguration : IEntityTypeConfiguration<PrescribingHistory>
{
    public void Configure(EntityTypeBuilder<PrescribingHistory> b)
    {
        b.ToTable("prescribing_history", HcpDbContext.DatasetSchema);
        b.HasKey(x => x.Id).HasName("pk_prescribing_history");
        b.Property(x => x.ProductMix).HasColumnType("jsonb").IsRequired(false);
        b.Property(x => x.DataSource).HasMaxLength(50).HasDefaultValue("synthetic");
        b.Property(x => x.CreatedAt).HasDefaultValueSql("now()");
        b.HasOne<HcpProfile>().WithMany().HasForeignKey(x => x.HcpId)
            .HasConstraintName("fk_prescribing_history_hcp_profiles_hcp_id").OnDelete(DeleteBehavior.Cascade);
        b.HasIndex(x => new { x.HcpId, x.Month }).IsUnique().HasDatabaseName("ix_prescribing_history_hcp_id_month");
        b.HasIndex(x => x.Month).HasDatabaseName("ix_prescribing_history_month");
    }
}

internal sealed class TerritoryAssignmentConfiguration : IEntityTypeConfiguration<TerritoryAssignment>
{
    public void Configure(EntityTypeBuilder<TerritoryAssignment> b)
    {
        b.ToTable("territory_assignments", HcpDbContext.DatasetSchema);
        b.HasKey(x => x.Id).HasName("pk_territory_assignments");
        b.Property(x => x.RepId).HasMaxLength(100);
        b.Property(x => x.RepName).HasMaxLength(200);
        b.Property(x => x.Territory).HasMaxLength(100);
        b.Property(x => x.Region).HasMaxLength(100);
        b.Property(x => x.IsPrimary).HasDefaultValue(true);
        b.Property(x => x.CreatedAt).HasDefaultValueSql("now()");
        b.HasOne<HcpProfile>().WithMany().HasForeignKey(x => x.HcpId)
            .HasConstraintName("fk_territory_assignments_hcp_profiles_hcp_id").OnDelete(DeleteBehavior.Cascade);
        b.HasIndex(x => x.HcpId).HasDatabaseName("ix_territory_assignments_hcp_id");
        b.HasIndex(x => x.RepId).HasDatabaseName("ix_territory_assignments_rep_id");
    }
}

internal sealed class CampaignParticipationConfiguration : IEntityTypeConfiguration<CampaignParticipation>
{
    public void Configure(EntityTypeBuilder<CampaignParticipation> b)
    {
        b.ToTable("campaign_participation", HcpDbContext.DatasetSchema);
        b.HasKey(x => x.Id).HasName("pk_campaign_participation");
        b.Property(x => x.Status).HasMaxLength(20);
        b.Property(x => x.TouchCount).HasDefaultValue(0);
        b.Property(x => x.ResponseCount).HasDefaultValue(0);
        b.Property(x => x.CreatedAt).HasDefaultValueSql("now()");
        b.HasOne<Campaign>().WithMany().HasForeignKey(x => x.CampaignId)
            .HasConstraintName("fk_campaign_participation_campaigns_campaign_id").OnDelete(DeleteBehavior.Cascade);
        b.HasOne<HcpProfile>().WithMany().HasForeignKey(x => x.HcpId)
            .HasConstraintName("fk_campaign_participation_hcp_profiles_hcp_id").OnDelete(DeleteBehavior.Cascade);
        b.HasIndex(x => new { x.CampaignId, x.HcpId }).IsUnique().HasDatabaseName("ix_campaign_participation_campaign_id_hcp_id");
        b.HasIndex(x => x.HcpId).HasDatabaseName("ix_campaign_participation_hcp_id");
    }
}

internal sealed class StimulusEventConfiguration : IEntityTypeConfiguration<StimulusEvent>
{
    public void Configure(EntityTypeBuilder<StimulusEvent> b)
    {
        b.ToTable("stimuli_events", HcpDbContext.DatasetSchema);
        b.HasKey(x => x.Id).HasName("pk_stimuli_events");
        b.Property(x => x.Channel).HasMaxLength(20);
        b.Property(x => x.StimulusType).HasMaxLength(50);
        b.Property(x => x.ContentCategory).HasMaxLength(50);
        b.Property(x => x.RepId).HasMaxLength(100);
        b.Property(x => x.DeliveryStatus).HasMaxLength(20).HasDefaultValue("delivered");
        b.Property(x => x.Metadata).HasColumnType("jsonb");
        b.Property(x => x.CreatedAt).HasDefaultValueSql("now()");
        b.HasOne<HcpProfile>().WithMany().HasForeignKey(x => x.HcpId)
            .HasConstraintName("fk_stimuli_events_hcp_profiles_hcp_id").OnDelete(DeleteBehavior.Cascade);
        b.HasOne<Campaign>().WithMany().HasForeignKey(x => x.CampaignId)
            .HasConstraintName("fk_stimuli_events_campaigns_campaign_id").OnDelete(DeleteBehavior.NoAction);
        b.HasIndex(x => new { x.HcpId, x.EventDate }).HasDatabaseName("ix_stimuli_events_hcp_id_event_date");
        b.HasIndex(x => x.EventDate).HasDatabaseName("ix_stimuli_events_event_date");
        b.HasIndex(x => x.CampaignId).HasDatabaseName("ix_stimuli_events_campaign_id").HasFilter("campaign_id IS NOT NULL");
        b.HasIndex(x => x.InterventionId).HasDatabaseName("ix_stimuli_events_intervention_id").HasFilter("intervention_id IS NOT NULL"); // V006
    }
}

internal sealed class OutcomeEventConfiguration : IEntityTypeConfiguration<OutcomeEvent>
{
    public void Configure(EntityTypeBuilder<OutcomeEvent> b)
    {
        b.ToTable("outcome_events", HcpDbContext.DatasetSchema);
        b.HasKey(x => x.Id).HasName("pk_outcome_events");
        b.Property(x => x.OutcomeType).HasMaxLength(50);
        b.Property(x => x.Metadata).HasColumnType("jsonb");
        b.Property(x => x.CreatedAt).HasDefaultValueSql("now()");
        b.HasOne<HcpProfile>().WithMany().HasForeignKey(x => x.HcpId)
            .HasConstraintName("fk_outcome_events_hcp_profiles_hcp_id").OnDelete(DeleteBehavior.Cascade);
        b.HasOne<StimulusEvent>().WithMany().HasForeignKey(x => x.StimulusId)
            .HasConstraintName("fk_outcome_events_stimuli_events_stimulus_id").OnDelete(DeleteBehavior.Cascade);
        b.HasIndex(x => new { x.HcpId, x.EventDate }).HasDatabaseName("ix_outcome_events_hcp_id_event_date");
        b.HasIndex(x => x.StimulusId).HasDatabaseName("ix_outcome_events_stimulus_id");
        b.HasIndex(x => x.EventDate).HasDatabaseName("ix_outcome_events_event_date");
    }
}

internal sealed class ChannelCapacityConfiguration : IEntityTypeConfiguration<ChannelCapacity>
{
    public void Configure(EntityTypeBuilder<ChannelCapacity> b)
    {
        b.ToTable("channel_capacity", HcpDbContext.DatasetSchema);
        b.HasKey(x => x.Id).HasName("pk_channel_capacity");
        b.Property(x => x.Channel).HasMaxLength(20);
        b.Property(x => x.CapacityType).HasMaxLength(20);
        b.Property(x => x.Period).HasMaxLength(20);
        b.Property(x => x.CreatedAt).HasDefaultValueSql("now()");
        b.HasIndex(x => x.Channel).HasDatabaseName("ix_channel_capacity_channel");
    }
}

internal sealed class HcpContactLimitConfiguration : IEntityTypeConfiguration<HcpContactLimit>
{
    public void Configure(EntityTypeBuilder<HcpContactLimit> b)
    {
        b.ToTable("hcp_contact_limits", HcpDbContext.DatasetSchema);
        b.HasKey(x => x.Id).HasName("pk_hcp_contact_limits");
        b.Property(x => x.Channel).HasMaxLength(20);
        b.Property(x => x.PreferredDays).HasColumnType("jsonb");
        b.Property(x => x.BlackoutDates).HasColumnType("jsonb");
        b.Property(x => x.CreatedAt).HasDefaultValueSql("now()");
        b.HasOne<HcpProfile>().WithMany().HasForeignKey(x => x.HcpId)
            .HasConstraintName("fk_hcp_contact_limits_hcp_profiles_hcp_id").OnDelete(DeleteBehavior.Cascade);
        b.HasIndex(x => new { x.HcpId, x.Channel }).IsUnique().HasDatabaseName("ix_hcp_contact_limits_hcp_id_channel");
    }
}

internal sealed class GroundTruthParameterConfiguration : IEntityTypeConfiguration<GroundTruthParameter>
{
    public void Configure(EntityTypeBuilder<GroundTruthParameter> b)
    {
        b.ToTable("ground_truth", HcpDbContext.DatasetSchema);
        b.HasKey(x => x.Id).HasName("pk_ground_truth");
        b.Property(x => x.Parameter).HasMaxLength(100);
        b.Property(x => x.Channel).HasMaxLength(20);
        b.Property(x => x.Tier).HasMaxLength(10);
        b.Property(x => x.Segment).HasMaxLength(50);
        b.Property(x => x.OutcomeType).HasMaxLength(50);
        b.Property(x => x.Period).HasMaxLength(20);
        b.Property(x => x.Details).HasColumnType("jsonb");
        b.HasIndex(x => x.Parameter).HasDatabaseName("ix_ground_truth_parameter");
    }
}

internal sealed class DatasetInfoConfiguration : IEntityTypeConfiguration<DatasetInfo>
{
    public void Configure(EntityTypeBuilder<DatasetInfo> b)
    {
        b.ToTable("dataset_info", HcpDbContext.DatasetSchema);
        b.HasKey(x => x.Id).HasName("pk_dataset_info");
        b.Property(x => x.Scenario).HasMaxLength(50);
        b.Property(x => x.EngineVersion).HasMaxLength(50);
        b.Property(x => x.Parameters).HasColumnType("jsonb");
        b.Property(x => x.CreatedAt).HasDefaultValueSql("now()");
        b.Property(x => x.UpdatedAt).HasDefaultValueSql("now()");
    }
}

// V006: interventions.

internal sealed class InterventionAssignmentConfiguration : IEntityTypeConfiguration<InterventionAssignment>
{
    public void Configure(EntityTypeBuilder<InterventionAssignment> b)
    {
        b.ToTable("intervention_assignments", HcpDbContext.DatasetSchema);
        b.HasKey(x => new { x.InterventionId, x.HcpId }).HasName("pk_intervention_assignments");
        b.Property(x => x.Arm).HasMaxLength(10);
        b.HasOne<HcpProfile>().WithMany().HasForeignKey(x => x.HcpId)
            .HasConstraintName("fk_intervention_assignments_hcp_profiles_hcp_id").OnDelete(DeleteBehavior.Cascade);
        b.HasIndex(x => x.HcpId).HasDatabaseName("ix_intervention_assignments_hcp_id");
    }
}

internal sealed class InterventionTruthConfiguration : IEntityTypeConfiguration<InterventionTruth>
{
    public void Configure(EntityTypeBuilder<InterventionTruth> b)
    {
        b.ToTable("intervention_truth", HcpDbContext.DatasetSchema);
        b.HasKey(x => new { x.InterventionId, x.HcpId, x.Outcome, x.Month }).HasName("pk_intervention_truth");
        b.Property(x => x.Arm).HasMaxLength(10);
        b.Property(x => x.Outcome).HasMaxLength(40);
        b.HasOne<HcpProfile>().WithMany().HasForeignKey(x => x.HcpId)
            .HasConstraintName("fk_intervention_truth_hcp_profiles_hcp_id").OnDelete(DeleteBehavior.Cascade);
        b.HasIndex(x => x.HcpId).HasDatabaseName("ix_intervention_truth_hcp_id");
    }
}

internal sealed class PlannedTouchResultConfiguration : IEntityTypeConfiguration<PlannedTouchResult>
{
    public void Configure(EntityTypeBuilder<PlannedTouchResult> b)
    {
        b.ToTable("planned_touch_results", HcpDbContext.DatasetSchema);
        b.HasKey(x => x.PlannedTouchId).HasName("pk_planned_touch_results");
        b.Property(x => x.Status).HasMaxLength(10);
        b.Property(x => x.Reason).HasMaxLength(30);
        b.HasOne<HcpProfile>().WithMany().HasForeignKey(x => x.HcpId)
            .HasConstraintName("fk_planned_touch_results_hcp_profiles_hcp_id").OnDelete(DeleteBehavior.Cascade);
        b.HasIndex(x => x.InterventionId).HasDatabaseName("ix_planned_touch_results_intervention_id");
        b.HasIndex(x => x.HcpId).HasDatabaseName("ix_planned_touch_results_hcp_id");
    }
}

internal sealed class UpliftModelConfiguration : IEntityTypeConfiguration<UpliftModel>
{
    public void Configure(EntityTypeBuilder<UpliftModel> b)
    {
        b.ToTable("uplift_models", HcpDbContext.DatasetSchema);
        b.HasKey(x => x.ModelId).HasName("pk_uplift_models");
        b.Property(x => x.Outcome).HasMaxLength(40);
        b.Property(x => x.ModelType).HasMaxLength(50);
        b.Property(x => x.ModelPath).HasColumnType("text");
        b.Property(x => x.FeatureImportance).HasColumnType("jsonb");
        b.Property(x => x.Hyperparameters).HasColumnType("jsonb");
        b.Property(x => x.Metrics).HasColumnType("jsonb");
        b.Property(x => x.IsActive).HasDefaultValue(false);
        b.HasIndex(x => x.InterventionId).HasDatabaseName("ix_uplift_models_intervention_id");
    }
}
