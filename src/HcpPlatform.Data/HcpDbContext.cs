using System.Text;
using HcpPlatform.Data.Platform;
using HcpPlatform.Engine.Model;
using Microsoft.EntityFrameworkCore;

namespace HcpPlatform.Data;

/// <summary>
/// The EF Core model of both schemas. The DbContext is the repository: hosts query it directly.
/// The tables themselves are created by the hand-written SQL in Migrations/, which must match this model.
/// </summary>
public sealed class HcpDbContext(DbContextOptions<HcpDbContext> options) : DbContext(options)
{
    public const string DatasetSchema = "hcp";
    public const string PlatformSchema = "platform";

    public DbSet<HcpProfile> HcpProfiles => Set<HcpProfile>();
    public DbSet<PrescribingHistory> PrescribingHistory => Set<PrescribingHistory>();
    public DbSet<TerritoryAssignment> TerritoryAssignments => Set<TerritoryAssignment>();
    public DbSet<Campaign> Campaigns => Set<Campaign>();
    public DbSet<CampaignParticipation> CampaignParticipation => Set<CampaignParticipation>();
    public DbSet<StimulusEvent> StimuliEvents => Set<StimulusEvent>();
    public DbSet<OutcomeEvent> OutcomeEvents => Set<OutcomeEvent>();
    public DbSet<ChannelCapacity> ChannelCapacity => Set<ChannelCapacity>();
    public DbSet<HcpContactLimit> HcpContactLimits => Set<HcpContactLimit>();
    public DbSet<GroundTruthParameter> GroundTruth => Set<GroundTruthParameter>();
    public DbSet<DatasetInfo> DatasetInfo => Set<DatasetInfo>();
    public DbSet<InterventionAssignment> InterventionAssignments => Set<InterventionAssignment>();
    public DbSet<InterventionTruth> InterventionTruth => Set<InterventionTruth>();
    public DbSet<PlannedTouchResult> PlannedTouchResults => Set<PlannedTouchResult>();
    public DbSet<UpliftModel> UpliftModels => Set<UpliftModel>();

    public DbSet<GenerationRun> GenerationRuns => Set<GenerationRun>();
    public DbSet<SimulationState> SimulationState => Set<SimulationState>();
    public DbSet<ValidationResult> ValidationResults => Set<ValidationResult>();
    public DbSet<ApiKey> ApiKeys => Set<ApiKey>();
    public DbSet<PrivacyRequest> PrivacyRequests => Set<PrivacyRequest>();
    public DbSet<InterventionDefinition> Interventions => Set<InterventionDefinition>();
    public DbSet<PlannedTouchRequest> PlannedTouches => Set<PlannedTouchRequest>();

    protected override void OnModelCreating(ModelBuilder modelBuilder)
    {
        modelBuilder.ApplyConfigurationsFromAssembly(typeof(HcpDbContext).Assembly);

        // Every column is the snake_case form of its property; keys and indexes are named in the SQL style.
        foreach (var entity in modelBuilder.Model.GetEntityTypes())
        {
            foreach (var property in entity.GetProperties())
            {
                property.SetColumnName(ToSnakeCase(property.Name));
            }
        }
    }

    public static string ToSnakeCase(string name)
    {
        var builder = new StringBuilder(name.Length + 8);
        for (var i = 0; i < name.Length; i++)
        {
            var c = name[i];
            if (char.IsUpper(c))
            {
                if (i > 0)
                {
                    builder.Append('_');
                }
                builder.Append(char.ToLowerInvariant(c));
            }
            else
            {
                builder.Append(c);
            }
        }
        return builder.ToString();
    }
}
