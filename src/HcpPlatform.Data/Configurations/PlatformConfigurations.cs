using HcpPlatform.Data.Platform;
using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Metadata.Builders;

namespace HcpPlatform.Data.Configurations;

// One configuration per platform table (schema "platform").

internal sealed class GenerationRunConfiguration : IEntityTypeConfiguration<GenerationRun>
{
    public void Configure(EntityTypeBuilder<GenerationRun> b)
    {
        b.ToTable("generation_runs", HcpDbContext.PlatformSchema);
        b.HasKey(x => x.Id).HasName("pk_generation_runs");
        b.Property(x => x.Kind).HasMaxLength(20);
        b.Property(x => x.Status).HasMaxLength(20);
        b.Property(x => x.Parameters).HasColumnType("jsonb");
        b.Property(x => x.EngineVersion).HasMaxLength(50);
        b.Property(x => x.Counts).HasColumnType("jsonb");
        b.Property(x => x.Checksums).HasColumnType("jsonb");
        b.Property(x => x.StageDurations).HasColumnType("jsonb");
        b.Property(x => x.Verdict).HasMaxLength(20);
        b.Property(x => x.Error).HasColumnType("text");
        b.HasIndex(x => x.StartedAt).HasDatabaseName("ix_generation_runs_started_at");
    }
}

internal sealed class SimulationStateConfiguration : IEntityTypeConfiguration<SimulationState>
{
    public void Configure(EntityTypeBuilder<SimulationState> b)
    {
        b.ToTable("simulation_state", HcpDbContext.PlatformSchema);
        b.HasKey(x => x.Id).HasName("pk_simulation_state");
        b.Property(x => x.Id).ValueGeneratedNever();
        b.Property(x => x.DesiredMode).HasMaxLength(20);
        b.Property(x => x.Scenario).HasMaxLength(50);
        b.Property(x => x.Config).HasColumnType("jsonb");
        // Observed state (V002), written by the generator worker.
        b.Property(x => x.ObservedMode).HasMaxLength(20);
        b.Property(x => x.WorkerId).HasMaxLength(100);
    }
}

internal sealed class ValidationResultConfiguration : IEntityTypeConfiguration<ValidationResult>
{
    public void Configure(EntityTypeBuilder<ValidationResult> b)
    {
        b.ToTable("validation_results", HcpDbContext.PlatformSchema);
        b.HasKey(x => x.Id).HasName("pk_validation_results");
        b.Property(x => x.Trigger).HasMaxLength(20);
        b.Property(x => x.Checks).HasColumnType("jsonb");
        b.HasIndex(x => x.StartedAt).HasDatabaseName("ix_validation_results_started_at");
    }
}

internal sealed class ApiKeyConfiguration : IEntityTypeConfiguration<ApiKey>
{
    public void Configure(EntityTypeBuilder<ApiKey> b)
    {
        b.ToTable("api_keys", HcpDbContext.PlatformSchema);
        b.HasKey(x => x.Id).HasName("pk_api_keys");
        b.Property(x => x.Name).HasMaxLength(100);
        b.Property(x => x.KeyPrefix).HasMaxLength(16);
        b.Property(x => x.KeyHash).HasMaxLength(64);
        b.Property(x => x.Scope).HasMaxLength(10);
        b.HasIndex(x => x.KeyHash).IsUnique().HasDatabaseName("ix_api_keys_key_hash");
    }
}

internal sealed class PrivacyRequestConfiguration : IEntityTypeConfiguration<PrivacyRequest>
{
    public void Configure(EntityTypeBuilder<PrivacyRequest> b)
    {
        b.ToTable("privacy_requests", HcpDbContext.PlatformSchema);
        b.HasKey(x => x.Id).HasName("pk_privacy_requests");
        b.Property(x => x.RequestType).HasMaxLength(20);
        b.Property(x => x.Npi).HasMaxLength(10);
        b.Property(x => x.Regulation).HasMaxLength(20);
        b.Property(x => x.Status).HasMaxLength(20);
        b.Property(x => x.Details).HasColumnType("jsonb");
        b.HasIndex(x => x.Npi).HasDatabaseName("ix_privacy_requests_npi");
    }
}

internal sealed class InterventionDefinitionConfiguration : IEntityTypeConfiguration<InterventionDefinition>
{
    public void Configure(EntityTypeBuilder<InterventionDefinition> b)
    {
        b.ToTable("interventions", HcpDbContext.PlatformSchema);
        b.HasKey(x => x.Id).HasName("pk_interventions");
        b.Property(x => x.Name).HasMaxLength(100);
        b.Property(x => x.Type).HasMaxLength(20);
        b.Property(x => x.Schedule).HasMaxLength(20);
        b.Property(x => x.Status).HasMaxLength(20);
        b.Property(x => x.Definition).HasColumnType("jsonb");
        b.Property(x => x.CreatedAt).HasDefaultValueSql("now()");
        b.Property(x => x.CreatedBy).HasMaxLength(100);
        b.HasIndex(x => x.StartDate).HasDatabaseName("ix_interventions_start_date");
    }
}

internal sealed class PlannedTouchRequestConfiguration : IEntityTypeConfiguration<PlannedTouchRequest>
{
    public void Configure(EntityTypeBuilder<PlannedTouchRequest> b)
    {
        b.ToTable("planned_touches", HcpDbContext.PlatformSchema);
        b.HasKey(x => x.Id).HasName("pk_planned_touches");
        b.Property(x => x.Channel).HasMaxLength(20);
        b.Property(x => x.ContentCategory).HasMaxLength(50);
        b.Property(x => x.Product).HasMaxLength(40);
        b.Property(x => x.ExternalRef).HasMaxLength(100);
        b.Property(x => x.SubmittedAt).HasDefaultValueSql("now()");
        b.Property(x => x.SubmittedBy).HasMaxLength(100);
        b.HasOne<InterventionDefinition>().WithMany().HasForeignKey(x => x.InterventionId)
            .HasConstraintName("fk_planned_touches_interventions_intervention_id").OnDelete(DeleteBehavior.Cascade);
        b.HasIndex(x => x.Day).HasDatabaseName("ix_planned_touches_day");
        b.HasIndex(x => x.InterventionId).HasDatabaseName("ix_planned_touches_intervention_id");
        b.HasIndex(x => new { x.HcpId, x.Day }).HasDatabaseName("ix_planned_touches_hcp_id_day");
    }
}
