namespace HcpPlatform.MigrationService;

/// <summary>Settings of the migration worker, from the configuration section <c>Migrations</c>.</summary>
public sealed class MigrationOptions
{
    public const string SectionName = "Migrations";

    /// <summary>Retries of transient failures (server still starting, connection refused...). Default 5 (≈ 6 s in all).</summary>
    public int RetryAttempts { get; set; } = 5;

    /// <summary>Create the target database first when it does not exist (needs CREATEDB; skipped with a warning otherwise).</summary>
    public bool CreateDatabase { get; set; } = true;
}
