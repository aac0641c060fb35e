namespace HcpPlatform.Testing;

/// <summary>Reads what a test needs to tell whether the dataset changed, and whether a run left anything behind.</summary>
public static class DatasetProbe
{
    public static Task<string> FingerprintAsync(string connectionString) => Sql.ScalarAsync<string>(connectionString, """
        SELECT coalesce((SELECT id::text || '/' || simulated_through FROM hcp.dataset_info), 'none') || '/' ||
               (SELECT count(*) FROM hcp.stimuli_events) || '/' || (SELECT count(*) FROM hcp.outcome_events) || '/' ||
               (SELECT count(*) FROM hcp.hcp_profiles)
        """);

    /// <summary>Build schemas left in the database (a finished or cleaned-up run leaves none).</summary>
    public static Task<long> BuildSchemasAsync(string connectionString) =>
        Sql.ScalarAsync<long>(connectionString, "SELECT count(*) FROM pg_namespace WHERE nspname LIKE 'hcp\\_build\\_%' OR nspname LIKE 'hcp\\_old\\_%'");
}
