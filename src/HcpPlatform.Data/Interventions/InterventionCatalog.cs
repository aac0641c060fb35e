using System.Globalization;
using System.Security.Cryptography;
using System.Text;
using HcpPlatform.Data.Loading;
using HcpPlatform.Data.Platform;
using HcpPlatform.Engine.Config;
using HcpPlatform.Engine.Interventions;
using HcpPlatform.Engine.Randomness;
using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Storage;
using Npgsql;

namespace HcpPlatform.Data.Interventions;

/// <summary>
/// An intervention as the surfaces show it. <paramref name="Status"/> is derived from the dates and the dataset's last
/// simulated day: scheduled (not started yet), running, completed (its last day is simulated) or stopped.
/// </summary>
public sealed record InterventionView(Guid Id, string Name, string Type, string Schedule, string Status, DateOnly Start, DateOnly End,
    IReadOnlyList<string> Channels, double TreatedShare, DateTime CreatedAt, string? CreatedBy, DateTime? StoppedAt, Intervention Definition);

/// <summary>What the dataset holds about an intervention so far: its arms, its exposures and its planned touches.</summary>
public sealed record InterventionCounts(long Treatment, long Control, long Exposures, long PlannedTouches, long Realized, long Rejected);

/// <summary>The result of an add: the intervention, and whether it was new (false: the same definition was already stored).</summary>
public sealed record AddResult(InterventionView Intervention, bool Created);

/// <summary>Bad input (400 / exit 2): every problem names the field and what is allowed; nothing was written.</summary>
public sealed class InterventionInputException(IReadOnlyList<string> problems) : Exception(string.Join(" ", problems))
{
    public IReadOnlyList<string> Problems { get; } = problems;
}

/// <summary>The request conflicts with what is stored (409 / exit 1), e.g. another definition under the same id.</summary>
public sealed class InterventionConflictException(string message) : Exception(message);

/// <summary>
/// The interventions users define (platform.interventions, seeds/004). They survive regeneration; the dataset adopts them
/// going forward only, like scenario events, so a definition must start after the dataset's last simulated day. Adding
/// and stopping take the generation lock (waiting for a day being appended to finish), so a day is simulated either with
/// or without the change, never with half of it.
/// </summary>
public static class InterventionCatalog
{
    public const string Scheduled = "scheduled";
    public const string Running = "running";
    public const string Completed = "completed";
    public const string Stopped = InterventionDefinition.Stopped;

    /// <summary>How long an add or a stop waits for a generation in progress before it answers busy.</summary>
    public static readonly TimeSpan LockWait = TimeSpan.FromSeconds(20);

    /// <summary>
    /// A context on <paramref name="dataSource"/>, for hosts that have a data source and no DI container (the CLI), retrying
    /// transient failures as the services' contexts do.
    /// </summary>
    public static HcpDbContext Context(NpgsqlDataSource dataSource) =>
        new(new DbContextOptionsBuilder<HcpDbContext>().UseNpgsql(dataSource, npgsql => npgsql.EnableRetryOnFailure()).Options);

    /// <summary>
    /// The id of a definition without one: derived from its name and start, so adding the same file twice gives the same
    /// id (and the second add finds the first).
    /// </summary>
    public static Guid DeterministicIdFor(string? name, DateOnly start)
    {
        var hash = SHA256.HashData(Encoding.UTF8.GetBytes(name ?? ""));
        return DeterministicId.Create(0, StreamKind.Intervention, BitConverter.ToInt64(hash, 0) & long.MaxValue, start.DayNumber);
    }

    /// <summary>
    /// Validates <paramref name="intervention"/> against the dataset's configuration (the defaults without a dataset) and
    /// the rule that it starts after the last simulated day, and stores it as active. The same definition added again is
    /// found, not duplicated; another definition under a stored id is a conflict.
    /// </summary>
    /// <exception cref="InterventionInputException">The definition is not valid (nothing stored).</exception>
    /// <exception cref="InterventionConflictException">Another definition has this id.</exception>
    /// <exception cref="GenerationBusyException">A generation held the lock for longer than <see cref="LockWait"/>.</exception>
    public static Task<AddResult> AddAsync(HcpDbContext db, Intervention intervention, string? createdBy, CancellationToken ct)
    {
        ArgumentNullException.ThrowIfNull(db);
        ArgumentNullException.ThrowIfNull(intervention);
        return Retried(db, () => AddOnceAsync(db, intervention, createdBy, ct));
    }

    private static async Task<AddResult> AddOnceAsync(HcpDbContext db, Intervention intervention, string? createdBy, CancellationToken ct)
    {
        var definition = intervention.Clone();
        if (definition.Id == Guid.Empty)
        {
            definition.Id = DeterministicIdFor(definition.Name, definition.Start);
        }
        if (createdBy is { Length: > 100 })
        {
            throw new InterventionInputException(["createdBy needs at most 100 characters."]);
        }
        await using var tx = await BeginLockedAsync(db, ct);
        var dataset = await DatasetState.ReadAsync(Connection(db), ct, Transaction(tx));
        var problems = Intervention.Validate(definition, ConfigOf(dataset)).ToList();
        if (definition.Name.Any(char.IsControl))
        {
            // PostgreSQL's text cannot hold NUL (it was a 500), and a line break would split the list's lines.
            problems.Add("name cannot hold control characters (NUL, tab, line breaks).");
        }
        if (dataset is not null && definition.Start <= dataset.SimulatedThrough)
        {
            problems.Add(string.Create(CultureInfo.InvariantCulture,
                $"start must be after the last simulated day {dataset.SimulatedThrough:yyyy-MM-dd} (got {definition.Start:yyyy-MM-dd}): days already simulated never change."));
        }
        if (problems.Count > 0)
        {
            throw new InterventionInputException(problems);
        }
        var json = definition.ToJson();
        var existing = await db.Interventions.AsNoTracking().FirstOrDefaultAsync(i => i.Id == definition.Id, ct);
        if (existing is not null)
        {
            if (Intervention.FromJson(existing.Definition).ToJson() == json)
            {
                return new AddResult(ToView(existing, dataset?.SimulatedThrough), Created: false);
            }
            throw new InterventionConflictException(
                $"An intervention with id {definition.Id} (\"{InputEcho.Of(existing.Name)}\") is already defined with another definition; give this one another id, or another name or start.");
        }
        var row = new InterventionDefinition
        {
            Id = definition.Id,
            Name = definition.Name,
            Type = definition.Type,
            Schedule = definition.Schedule,
            Status = InterventionDefinition.Active,
            Definition = json,
            StartDate = definition.Start,
            EndDate = definition.End,
            CreatedAt = Now(),
            CreatedBy = createdBy,
        };
        db.Interventions.Add(row);
        await db.SaveChangesAsync(ct);
        await tx.CommitAsync(ct);
        db.ChangeTracker.Clear();
        return new AddResult(ToView(row, dataset?.SimulatedThrough), Created: true);
    }

    /// <summary>Every intervention, by start then id.</summary>
    public static async Task<IReadOnlyList<InterventionView>> ListAsync(HcpDbContext db, CancellationToken ct)
    {
        ArgumentNullException.ThrowIfNull(db);
        var through = await SimulatedThroughAsync(db, ct);
        var rows = await db.Interventions.AsNoTracking().OrderBy(i => i.StartDate).ThenBy(i => i.Id).ToListAsync(ct);
        return rows.Select(r => ToView(r, through)).ToList();
    }

    /// <summary>One intervention, or null.</summary>
    public static async Task<InterventionView?> GetAsync(HcpDbContext db, Guid id, CancellationToken ct)
    {
        ArgumentNullException.ThrowIfNull(db);
        var row = await db.Interventions.AsNoTracking().FirstOrDefaultAsync(i => i.Id == id, ct);
        return row is null ? null : ToView(row, await SimulatedThroughAsync(db, ct));
    }

    /// <summary>The dataset's assignments, exposures and planned touches of one intervention (zeros before it is adopted).</summary>
    public static async Task<InterventionCounts> CountsAsync(HcpDbContext db, Guid id, CancellationToken ct)
    {
        ArgumentNullException.ThrowIfNull(db);
        await db.Database.OpenConnectionAsync(ct);
        try
        {
            await using var cmd = new NpgsqlCommand("""
                SELECT (SELECT count(*) FROM hcp.intervention_assignments WHERE intervention_id = @id AND arm = 'treatment'),
                       (SELECT count(*) FROM hcp.intervention_assignments WHERE intervention_id = @id AND arm = 'control'),
                       (SELECT count(*) FROM hcp.stimuli_events WHERE intervention_id = @id),
                       (SELECT count(*) FROM platform.planned_touches WHERE intervention_id = @id),
                       (SELECT count(*) FROM hcp.planned_touch_results WHERE intervention_id = @id AND status = 'realized'),
                       (SELECT count(*) FROM hcp.planned_touch_results WHERE intervention_id = @id AND status = 'rejected')
                """, Connection(db));
            cmd.Parameters.AddWithValue("id", id);
            await using var reader = await cmd.ExecuteReaderAsync(ct);
            await reader.ReadAsync(ct);
            return new InterventionCounts(reader.GetInt64(0), reader.GetInt64(1), reader.GetInt64(2), reader.GetInt64(3), reader.GetInt64(4), reader.GetInt64(5));
        }
        finally
        {
            await db.Database.CloseConnectionAsync();
        }
    }

    /// <summary>
    /// Stops an intervention: status stopped, and its end (column and definition) brought back to the last simulated day
    /// when that is earlier, so no day not yet simulated gets its touches. Ended before its start, it never ran and is not
    /// adopted. Stopping a stopped intervention changes nothing. Null when there is no such intervention.
    /// </summary>
    public static Task<InterventionView?> StopAsync(HcpDbContext db, Guid id, CancellationToken ct)
    {
        ArgumentNullException.ThrowIfNull(db);
        return Retried(db, () => StopOnceAsync(db, id, ct));
    }

    private static async Task<InterventionView?> StopOnceAsync(HcpDbContext db, Guid id, CancellationToken ct)
    {
        await using var tx = await BeginLockedAsync(db, ct);
        var row = await db.Interventions.FirstOrDefaultAsync(i => i.Id == id, ct);
        if (row is null)
        {
            return null;
        }
        var dataset = await DatasetState.ReadAsync(Connection(db), ct, Transaction(tx));
        if (row.Status != InterventionDefinition.Stopped)
        {
            // Without a dataset nothing is simulated yet: the intervention ends before it starts.
            var lastDay = dataset?.SimulatedThrough ?? row.StartDate.AddDays(-1);
            if (lastDay < row.EndDate)
            {
                var definition = Intervention.FromJson(row.Definition);
                definition.End = lastDay;
                row.EndDate = lastDay;
                row.Definition = definition.ToJson();
            }
            row.Status = InterventionDefinition.Stopped;
            row.StoppedAt = Now();
            await db.SaveChangesAsync(ct);
            await tx.CommitAsync(ct);
        }
        db.ChangeTracker.Clear();
        return ToView(row, dataset?.SimulatedThrough);
    }

    /// <summary>scheduled | running | completed | stopped, from the stored status, the dates and the last simulated day.</summary>
    public static string StatusOf(InterventionDefinition row, DateOnly? simulatedThrough)
    {
        ArgumentNullException.ThrowIfNull(row);
        if (row.Status == InterventionDefinition.Stopped)
        {
            return Stopped;
        }
        if (simulatedThrough is not { } through || through < row.StartDate)
        {
            return Scheduled;
        }
        return through >= row.EndDate ? Completed : Running;
    }

    internal static InterventionView ToView(InterventionDefinition row, DateOnly? simulatedThrough)
    {
        var definition = Intervention.FromJson(row.Definition);
        return new InterventionView(row.Id, row.Name, row.Type, row.Schedule, StatusOf(row, simulatedThrough), row.StartDate, row.EndDate,
            definition.Channels, definition.EffectiveTreatedShare, row.CreatedAt, row.CreatedBy, row.StoppedAt, definition);
    }

    /// <summary>The dataset's configuration (validation of categories and segments), or the defaults without a dataset.</summary>
    internal static SimulationConfig ConfigOf(DatasetState? dataset) =>
        dataset is null ? new SimulationConfig() : GenerationParameters.FromJson(dataset.ParametersJson).Config;

    internal static async Task<DateOnly?> SimulatedThroughAsync(HcpDbContext db, CancellationToken ct) =>
        await db.DatasetInfo.AsNoTracking().Select(d => (DateOnly?)d.SimulatedThrough).FirstOrDefaultAsync(ct);

    /// <summary>Now, to PostgreSQL's precision (microseconds), so what is returned equals what is read back.</summary>
    internal static DateTime Now()
    {
        var ticks = DateTime.UtcNow.Ticks;
        return new DateTime(ticks - ticks % 10, DateTimeKind.Utc);
    }

    internal static NpgsqlConnection Connection(HcpDbContext db) => (NpgsqlConnection)db.Database.GetDbConnection();

    internal static NpgsqlTransaction Transaction(IDbContextTransaction tx) => (NpgsqlTransaction)tx.GetDbTransaction();

    /// <summary>
    /// Runs <paramref name="work"/> (which begins and commits its own transaction) under the context's execution strategy:
    /// the services' contexts retry transient failures, which needs the whole transaction to be the retried unit.
    /// </summary>
    internal static Task<T> Retried<T>(HcpDbContext db, Func<Task<T>> work) =>
        db.Database.CreateExecutionStrategy().ExecuteAsync(async () =>
        {
            db.ChangeTracker.Clear();
            return await work();
        });

    /// <summary>
    /// A transaction holding the generation lock: waits up to <see cref="LockWait"/> for a day being appended (or a
    /// backfill) to finish, then answers busy.
    /// </summary>
    internal static async Task<IDbContextTransaction> BeginLockedAsync(HcpDbContext db, CancellationToken ct)
    {
        var tx = await db.Database.BeginTransactionAsync(ct);
        try
        {
            await GenerationLock.WaitTransactionAsync(Connection(db), Transaction(tx), LockWait, ct);
            return tx;
        }
        catch
        {
            await tx.DisposeAsync();
            throw;
        }
    }
}
