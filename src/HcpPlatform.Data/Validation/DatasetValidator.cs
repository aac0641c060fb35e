using System.Diagnostics;
using Npgsql;

namespace HcpPlatform.Data.Validation;

/// <summary>
/// Set-based SQL checks of a dataset schema (the live "hcp" or a build schema before its swap).
/// Every check is one query (a few related checks share one scan); nothing loops over rows in C#.
/// The checks and their thresholds are listed in <see cref="IntegrityChecks"/>, <see cref="StructureChecks"/>,
/// <see cref="VolumeChecks"/>, <see cref="FidelityChecks"/>, <see cref="PrescribingChecks"/> and <see cref="PerformanceChecks"/>.
/// </summary>
public static class DatasetValidator
{
    /// <summary>How many offending rows a failed check reports.</summary>
    public const int ExampleCount = 5;

    /// <summary>Validates on the caller's connection, one query at a time.</summary>
    public static Task<ValidationReport> RunAsync(NpgsqlConnection connection, string schema, ValidationScope scope, CancellationToken ct) =>
        RunAsync(connection, schema, scope, null, ct);

    /// <summary>Validates on <paramref name="connections"/> connections from <paramref name="dataSource"/>.</summary>
    public static async Task<ValidationReport> RunAsync(NpgsqlDataSource dataSource, string schema, ValidationScope scope, int connections, CancellationToken ct)
    {
        ArgumentNullException.ThrowIfNull(dataSource);
        await using var connection = await dataSource.OpenConnectionAsync(ct);
        return await RunAsync(connection, schema, scope, ValidationConnections.FromDataSource(dataSource, connections), ct);
    }

    /// <summary>
    /// Validates on the caller's connection and, when <paramref name="more"/> is given, on more connections at once:
    /// the checks are independent read-only queries, so they are spread over the connections (the report keeps their
    /// declared order). The timed performance checks run afterwards on the caller's connection alone, so that other
    /// checks do not slow them down.
    /// </summary>
    public static async Task<ValidationReport> RunAsync(NpgsqlConnection connection, string schema, ValidationScope scope, ValidationConnections? more, CancellationToken ct)
    {
        ArgumentNullException.ThrowIfNull(connection);
        var started = DateTimeOffset.UtcNow;
        var clock = Stopwatch.StartNew();
        var (context, problem) = await ValidationContext.LoadAsync(connection, schema, ct);
        if (context is null)
        {
            CheckResult missing = new("dataset_described", "integrity", false, null, "exactly one readable dataset_info row",
                "The schema describes its dataset (seed, scale, window, generation parameters) in dataset_info.", [problem!]);
            return new ValidationReport([missing], clock.ElapsedMilliseconds) { StartedAt = started };
        }

        var parts = new List<CheckPart>();
        if (scope.HasFlag(ValidationScope.Integrity))
        {
            parts.AddRange(IntegrityChecks.Parts());
        }
        if (scope.HasFlag(ValidationScope.StoredAggregates))
        {
            parts.AddRange(IntegrityChecks.StoredAggregateParts());
        }
        if (scope.HasFlag(ValidationScope.Structure))
        {
            parts.AddRange(StructureChecks.Parts());
        }
        if (scope.HasFlag(ValidationScope.Volumes))
        {
            parts.Add(new(VolumeChecks.RunAsync));
        }
        if (scope.HasFlag(ValidationScope.Fidelity))
        {
            parts.AddRange(FidelityChecks.Parts());
        }
        var results = parts.Select(_ => new List<CheckResult>()).ToList();
        // The heaviest parts start first, so that no connection is left with a long one at the end (the report
        // keeps the declared order).
        var schedule = Enumerable.Range(0, parts.Count).OrderByDescending(i => parts[i].Weight).ToArray();
        var next = -1;

        // Settings for analytical queries on a connection for the time of the work, then the previous ones back.
        async Task TunedAsync(NpgsqlConnection c, Func<Task> work)
        {
            var saved = await CheckRun.TuneSessionAsync(c, ct);
            try
            {
                await work();
            }
            finally
            {
                await CheckRun.RestoreSessionAsync(c, saved);
            }
        }

        // Each worker owns one connection and takes the next part until none is left.
        async Task WorkAsync(NpgsqlConnection worker)
        {
            for (var n = Interlocked.Increment(ref next); n < schedule.Length; n = Interlocked.Increment(ref next))
            {
                var i = schedule[n];
                await parts[i].Run(new CheckRun(worker, context, results[i], ct));
            }
        }

        async Task HelperAsync(ValidationConnections helpers)
        {
            await using var own = await helpers.Open(ct);
            if (helpers.Snapshot is null)
            {
                await TunedAsync(own, () => WorkAsync(own));
                return;
            }
            // The caller validates inside a snapshot: see exactly the data it sees.
            await using var tx = await own.BeginTransactionAsync(System.Data.IsolationLevel.RepeatableRead, ct);
            await using (var set = new NpgsqlCommand($"SET TRANSACTION READ ONLY; SET TRANSACTION SNAPSHOT '{helpers.Snapshot.Replace("'", "''", StringComparison.Ordinal)}'", own, tx))
            {
                await set.ExecuteNonQueryAsync(ct);
            }
            await TunedAsync(own, () => WorkAsync(own));
            await tx.CommitAsync(ct);
        }

        var extra = more is null ? 0 : Math.Min(more.Count, parts.Count) - 1;
        var checks = new List<CheckResult>();
        await TunedAsync(connection, async () =>
        {
            await Task.WhenAll(Enumerable.Range(0, Math.Max(0, extra)).Select(_ => HelperAsync(more!)).Prepend(WorkAsync(connection)));
            checks.AddRange(results.SelectMany(r => r));
            if (scope.HasFlag(ValidationScope.Performance))
            {
                await PerformanceChecks.RunAsync(new CheckRun(connection, context, checks, ct));
            }
        });
        return new ValidationReport(checks, clock.ElapsedMilliseconds) { StartedAt = started };
    }

    /// <summary>A check that passes when <paramref name="offendersSql"/> returns no rows; up to five offenders are reported.</summary>
    internal static async Task<CheckResult> CountCheckAsync(NpgsqlConnection connection, string name, string category, string description, string offendersSql, CancellationToken ct,
        Action<NpgsqlParameterCollection>? parameters = null)
    {
        var sql = $"SELECT count(*) OVER (), x::text FROM ({offendersSql}) x LIMIT {ExampleCount}";
        var examples = new List<string>();
        long count = 0;
        await using var cmd = new NpgsqlCommand(sql, connection) { CommandTimeout = 0 };
        parameters?.Invoke(cmd.Parameters);
        await using var reader = await cmd.ExecuteReaderAsync(ct);
        while (await reader.ReadAsync(ct))
        {
            count = reader.GetInt64(0);
            examples.Add(reader.GetString(1));
        }
        return new CheckResult(name, category, count == 0, count, "0 offending rows", description, examples);
    }
}

/// <summary>
/// One independent piece of a validation (a query, or a few sharing a scan) and its rough cost relative to the
/// others (how many times it reads the event tables, about): the basis for spreading parts over connections.
/// </summary>
internal sealed record CheckPart(Func<CheckRun, Task> Run, int Weight = 1);

/// <summary>
/// More connections for one validation: how to open one, how many to use in all (the caller's included), and, when the
/// caller validates inside a REPEATABLE READ transaction, the snapshot it exported (pg_export_snapshot()) for the others to share.
/// </summary>
public sealed record ValidationConnections(Func<CancellationToken, Task<NpgsqlConnection>> Open, int Count, string? Snapshot = null)
{
    /// <summary>Connections to run a validation on by default: one per core, at least two.</summary>
    public static int DefaultCount => Math.Max(2, Environment.ProcessorCount);

    public static ValidationConnections FromDataSource(NpgsqlDataSource dataSource, int count, string? snapshot = null)
    {
        ArgumentNullException.ThrowIfNull(dataSource);
        ArgumentOutOfRangeException.ThrowIfLessThan(count, 1);
        return new(async ct => await dataSource.OpenConnectionAsync(ct), count, snapshot);
    }
}

/// <summary>One validation in progress: the connection, the dataset's context, and the results so far.</summary>
internal sealed class CheckRun(NpgsqlConnection connection, ValidationContext context, List<CheckResult> results, CancellationToken ct)
{
    public NpgsqlConnection Connection { get; } = connection;
    public ValidationContext C { get; } = context;
    public CancellationToken Ct { get; } = ct;

    public void Add(CheckResult result) => results.Add(result with { Measured = Finite(result.Measured) });

    private static double? Finite(double? value) => value is { } v && (double.IsNaN(v) || double.IsInfinity(v)) ? null : value;

    public NpgsqlCommand Command(string sql, Action<NpgsqlParameterCollection>? parameters = null)
    {
        var cmd = new NpgsqlCommand(sql, Connection) { CommandTimeout = 0 };
        parameters?.Invoke(cmd.Parameters);
        return cmd;
    }

    /// <summary>Rows of a (small, aggregated) result.</summary>
    public async Task<List<T>> QueryAsync<T>(string sql, Func<NpgsqlDataReader, T> map, Action<NpgsqlParameterCollection>? parameters = null)
    {
        var rows = new List<T>();
        await using var cmd = Command(sql, parameters);
        await using var reader = await cmd.ExecuteReaderAsync(Ct);
        while (await reader.ReadAsync(Ct))
        {
            rows.Add(map(reader));
        }
        return rows;
    }

    /// <summary>Rows of a query behind the named checks; null (and the checks recorded as failed) when the query fails.</summary>
    public async Task<List<T>?> TryQueryAsync<T>(IReadOnlyList<(string Name, string Description)> checks, string category, string sql,
        Func<NpgsqlDataReader, T> map, Action<NpgsqlParameterCollection>? parameters = null)
    {
        List<T>? rows = null;
        await GuardAsync(checks, category, async () => rows = await QueryAsync(sql, map, parameters));
        return rows;
    }

    /// <summary>A check that passes when the offenders query returns no rows.</summary>
    public Task OffendersAsync(string name, string category, string description, string offendersSql, Action<NpgsqlParameterCollection>? parameters = null) =>
        GuardAsync([(name, description)], category, async () =>
            Add(await DatasetValidator.CountCheckAsync(Connection, name, category, description, offendersSql, Ct, parameters)));

    /// <summary>
    /// Several checks answered by one scan: <paramref name="offendersSql"/> returns (check, example) for every
    /// offending row of every check; a check with no rows passes.
    /// </summary>
    public Task TaggedOffendersAsync(string category, IReadOnlyList<(string Name, string Description)> checks, string offendersSql,
        Action<NpgsqlParameterCollection>? parameters = null) =>
        GuardAsync(checks, category, async () =>
        {
            var sql = $"""
                SELECT check_name, n, example FROM (
                    SELECT check_name, example, count(*) OVER (PARTITION BY check_name) AS n,
                           row_number() OVER (PARTITION BY check_name ORDER BY example) AS rn
                    FROM ({offendersSql}) x
                ) y WHERE rn <= {DatasetValidator.ExampleCount}
                """;
            var rows = await QueryAsync(sql, r => (Check: r.GetString(0), Count: r.GetInt64(1), Example: r.GetString(2)), parameters);
            foreach (var (name, description) in checks)
            {
                var mine = rows.Where(r => r.Check == name).ToList();
                var count = mine.Count == 0 ? 0 : mine[0].Count;
                Add(new CheckResult(name, category, count == 0, count, "0 offending rows", description, mine.Select(r => r.Example).ToList()));
            }
        });

    /// <summary>Runs a check; a query error becomes a failed check carrying the error, not an aborted validation.</summary>
    public async Task GuardAsync(IReadOnlyList<(string Name, string Description)> checks, string category, Func<Task> work)
    {
        try
        {
            await work();
        }
        catch (PostgresException e)
        {
            foreach (var (name, description) in checks)
            {
                Add(new CheckResult(name, category, false, null, "query succeeds", description, [$"error {e.SqlState}: {e.MessageText}"]));
            }
        }
    }

    /// <summary>
    /// Settings for a few analytical queries: more sort memory (no spills at development scale) and no JIT
    /// (compiling costs more than these sub-second queries save). Returns the previous values.
    /// </summary>
    public static async Task<(string WorkMem, string Jit)?> TuneSessionAsync(NpgsqlConnection connection, CancellationToken ct)
    {
        try
        {
            (string, string) saved;
            await using (var read = new NpgsqlCommand("SELECT current_setting('work_mem'), current_setting('jit')", connection))
            await using (var reader = await read.ExecuteReaderAsync(ct))
            {
                await reader.ReadAsync(ct);
                saved = (reader.GetString(0), reader.GetString(1));
            }
            await using var cmd = new NpgsqlCommand("""
                SELECT set_config('work_mem', CASE WHEN pg_size_bytes(current_setting('work_mem')) < pg_size_bytes('64MB') THEN '64MB' ELSE current_setting('work_mem') END, false),
                       set_config('jit', 'off', false)
                """, connection);
            await cmd.ExecuteNonQueryAsync(ct);
            return saved;
        }
        catch (PostgresException)
        {
            return null;
        }
    }

    public static async Task RestoreSessionAsync(NpgsqlConnection connection, (string WorkMem, string Jit)? saved)
    {
        if (saved is not { } s)
        {
            return;
        }
        try
        {
            await using var cmd = new NpgsqlCommand("SELECT set_config('work_mem', @w, false), set_config('jit', @j, false)", connection);
            cmd.Parameters.AddWithValue("w", s.WorkMem);
            cmd.Parameters.AddWithValue("j", s.Jit);
            await cmd.ExecuteNonQueryAsync(CancellationToken.None);
        }
        catch (Exception e) when (e is PostgresException or NpgsqlException or InvalidOperationException)
        {
            // The caller's transaction is aborted (its rollback undoes the settings too) or the connection is gone.
        }
    }
}
