namespace HcpPlatform.Data.Migrations;

/// <summary>A migration this run applied, with how long its transaction took.</summary>
public sealed record AppliedMigration(int Version, string Name, string Checksum, TimeSpan Duration);

/// <summary>What <see cref="DatabaseMigrator.MigrateAsync(Npgsql.NpgsqlDataSource, CancellationToken)"/> did.</summary>
/// <param name="Applied">Migrations applied by this run, in version order.</param>
/// <param name="AlreadyApplied">Versions that were already recorded before this run (checksums verified).</param>
/// <param name="Pending">Versions still not applied after the run: empty whenever MigrateAsync returns.</param>
public sealed record MigrationReport(
    IReadOnlyList<AppliedMigration> Applied,
    IReadOnlyList<int> AlreadyApplied,
    IReadOnlyList<int> Pending)
{
    /// <summary>True when the database was already up to date.</summary>
    public bool NothingToDo => Applied.Count == 0;

    /// <summary>Highest version recorded in the database after the run, or null for none.</summary>
    public int? CurrentVersion =>
        Applied.Select(a => (int?)a.Version).Concat(AlreadyApplied.Select(v => (int?)v)).Max();
}
