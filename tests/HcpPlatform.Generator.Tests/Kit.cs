using System.Globalization;
using HcpPlatform.Data.Loading;
using HcpPlatform.Data.Platform;
using HcpPlatform.Engine.Config;
using HcpPlatform.Testing;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Options;
using Npgsql;

namespace HcpPlatform.Generator.Tests;

/// <summary>A clock the test moves by hand (the runner's notion of "today").</summary>
public sealed class ManualClock(DateTimeOffset now) : TimeProvider
{
    private long _ticks = now.UtcTicks;

    public DateTimeOffset Now
    {
        get => new(Interlocked.Read(ref _ticks), TimeSpan.Zero);
        set => Interlocked.Exchange(ref _ticks, value.UtcTicks);
    }

    public override DateTimeOffset GetUtcNow() => Now;

    /// <summary>02:00 UTC on a day: when the nightly job fires.</summary>
    public static ManualClock At(DateOnly day) => new(new DateTimeOffset(day.ToDateTime(new TimeOnly(2, 0)), TimeSpan.Zero));
}

/// <summary>Datasets, desired state and observations for the generator tests (small datasets: 80 HCPs × 2 months).</summary>
internal static class Kit
{
    /// <summary>Small and quick; the statistical checks' thresholds follow the sample size, so any seed and size validates.</summary>
    public const int Hcps = 80;
    public const int Months = 2;
    public const long Seed = 7;
    /// <summary>How long a test waits for the worker to do something (polling with <see cref="Poll"/>).</summary>
    public static readonly TimeSpan Deadline = TimeSpan.FromSeconds(45);

    public static GenerationParameters Parameters(DateOnly asOf, SimulationConfig? config = null) => new()
    {
        Seed = Seed,
        Hcps = Hcps,
        Months = Months,
        Scenario = "demo",
        AsOf = asOf,
        Parallelism = 2,
        Config = config ?? new SimulationConfig(),
    };

    /// <summary>
    /// A fresh database with a backfilled dataset through <paramref name="asOf"/>. Without a config the dataset is
    /// backfilled once per day into a template database and each test gets a copy (PostgresFixture.CloneAsync).
    /// </summary>
    public static async Task<string> DatasetAsync(PostgresFixture postgres, DateOnly asOf, SimulationConfig? config = null)
    {
        if (config is not null)
        {
            var connectionString = await postgres.CreateMigratedDatabaseAsync();
            await Backfill.RunAsync(DataSources.For(connectionString), Parameters(asOf, config), null, CancellationToken.None);
            return connectionString;
        }
        return await postgres.CloneAsync("generator-" + Iso(asOf), db => Backfill.RunAsync(DataSources.For(db), Parameters(asOf), null, CancellationToken.None));
    }

    /// <summary>A runner on its own data sources, its sessions named for the worker as the service names them.</summary>
    public static SimulationRunner Runner(string connectionString, TimeProvider clock, string workerId, GeneratorOptions? options = null)
    {
        var o = options ?? new GeneratorOptions();
        o.WorkerId = workerId;
        var named = new NpgsqlConnectionStringBuilder(connectionString) { ApplicationName = SimulationRunner.ApplicationNameFor(workerId) };
        var sessions = new NpgsqlConnectionStringBuilder(named.ConnectionString) { Pooling = false };
        return new SimulationRunner(DataSources.For(named.ConnectionString), DataSources.For(sessions.ConnectionString), clock, Options.Create(o),
            NullLogger<SimulationRunner>.Instance);
    }

    /// <summary>
    /// The generator worker (its Program.cs) on a database, polling every 0.2 s; <paramref name="clock"/> replaces the
    /// nightly schedule's clock, <paramref name="configureServices"/> anything else.
    /// </summary>
    public static ServiceHost<Program> Worker(string connectionString, string workerId, TimeProvider? clock = null,
        Action<IServiceCollection>? configureServices = null, IReadOnlyDictionary<string, string?>? settings = null)
    {
        var all = new Dictionary<string, string?>
        {
            ["Generator:WorkerId"] = workerId,
            ["Generator:PollInterval"] = "00:00:00.2",
            ["Generator:RetryDelay"] = "00:00:00.5",
        };
        foreach (var (key, value) in settings ?? new Dictionary<string, string?>())
        {
            all[key] = value;
        }
        return new ServiceHost<Program>(connectionString, all, services =>
        {
            if (clock is not null)
            {
                services.AddKeyedSingleton(SimulationRunner.ClockKey, clock);
            }
            configureServices?.Invoke(services);
        });
    }

    /// <summary>Writes the desired state as the admin API does, and NOTIFYs the worker.</summary>
    public static async Task SetStateAsync(string connectionString, string mode, double? secondsPerDay = null, string? configJson = null)
    {
        await using var connection = new NpgsqlConnection(connectionString);
        await connection.OpenAsync();
        await using var cmd = new NpgsqlCommand($"""
            UPDATE platform.simulation_state
            SET desired_mode = @mode, seconds_per_simulated_day = @speed, config = coalesce(@config::jsonb, config), updated_at = now()
            WHERE id = 1;
            NOTIFY {SimulationControl.Channel};
            """, connection);
        cmd.Parameters.AddWithValue("mode", mode);
        cmd.Parameters.AddWithValue("speed", NpgsqlTypes.NpgsqlDbType.Double, (object?)secondsPerDay ?? DBNull.Value);
        cmd.Parameters.AddWithValue("config", NpgsqlTypes.NpgsqlDbType.Text, (object?)configJson ?? DBNull.Value);
        await cmd.ExecuteNonQueryAsync();
    }

    public static Task<DateOnly> WatermarkAsync(string connectionString) =>
        Sql.ScalarAsync<DateOnly>(connectionString, "SELECT simulated_through FROM hcp.dataset_info");

    /// <summary>The days appended by increments (lineage), in the order they were appended, with their status.</summary>
    public static Task<List<(DateOnly Day, string Status)>> IncrementsAsync(string connectionString) =>
        Sql.ListAsync(connectionString, "SELECT as_of, status FROM platform.generation_runs WHERE kind = 'increment' ORDER BY started_at, id",
            r => (r.GetFieldValue<DateOnly>(0), r.GetString(1)));

    /// <summary>Rows per simulated day of the event tables (stimuli by their day, outcomes by theirs).</summary>
    public static Task<List<(DateOnly Day, long Stimuli, long Outcomes)>> RowsPerDayAsync(string connectionString, DateOnly from) =>
        Sql.ListAsync(connectionString, $"""
            SELECT d, (SELECT count(*) FROM hcp.stimuli_events WHERE (event_date AT TIME ZONE 'UTC')::date = d),
                      (SELECT count(*) FROM hcp.outcome_events WHERE (event_date AT TIME ZONE 'UTC')::date = d)
            FROM generate_series('{from:yyyy-MM-dd}'::date, (SELECT simulated_through FROM hcp.dataset_info), interval '1 day') AS g(x),
                 LATERAL (SELECT x::date AS d) AS dd
            ORDER BY d
            """, r => (r.GetFieldValue<DateOnly>(0), r.GetInt64(1), r.GetInt64(2)));

    /// <summary>Order-independent digest of a query's rows.</summary>
    public static Task<string> DigestAsync(string connectionString, string sql) =>
        Sql.ScalarAsync<string>(connectionString, $"SELECT count(*)::text || ':' || coalesce(md5(string_agg(x::text, '|' ORDER BY x::text)), '') FROM ({sql}) x");

    public static string Iso(DateOnly day) => day.ToString("yyyy-MM-dd", CultureInfo.InvariantCulture);
}
