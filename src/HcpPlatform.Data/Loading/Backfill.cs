using System.Collections.Concurrent;
using System.Diagnostics;
using HcpPlatform.Data.Hosting;
using HcpPlatform.Data.Validation;
using HcpPlatform.Engine.Generators;
using HcpPlatform.Engine.Model;
using HcpPlatform.Engine.Randomness;
using HcpPlatform.Engine.Simulation;
using Npgsql;

namespace HcpPlatform.Data.Loading;

public sealed record TableProgress(string Table, long Rows, long Expected, bool Done);

public sealed record BackfillResult(
    Guid RunId,
    GenerationParameters Parameters,
    IReadOnlyDictionary<string, long> Counts,
    IReadOnlyDictionary<string, string> Checksums,
    IReadOnlyDictionary<string, double> StageSeconds,
    double TotalSeconds,
    ValidationReport Validation);

public sealed class ValidationFailedException(ValidationReport report)
    : Exception($"Validation failed before the swap ({report.Failed} of {report.Checks.Count} checks); the previous dataset is unchanged. Failed: "
        + string.Join(", ", report.Checks.Where(c => !c.Passed).Select(c => $"{c.Name} ({c.Category})")))
{
    public ValidationReport Report { get; } = report;
}

/// <summary>
/// Regenerates the whole dataset (seeds/001's wipe-and-regenerate) atomically, in stages: the engine's rows are
/// streamed by binary COPY into fresh tables of a build schema (<see cref="BackfillPipeline"/>), aggregates are
/// computed in SQL, keys and indexes are built after the load, the result is validated and checksummed, and only then
/// swapped for the live schema in one transaction. A crash, a cancel or a failed validation leaves the previous dataset
/// exactly as it was.
/// </summary>
public static class Backfill
{
    public const string NotifyChannel = "hcp_dataset_changed";

    /// <summary>
    /// HCPs per engine block: small enough that COPY starts early, and that the events in flight (a few blocks per queue)
    /// die young. With 256 HCPs a block, each collection copied ~30 MB of queued events into older generations and the
    /// client paused 1.3 s for collections at analytics scale; with 32, 0.2 s.
    /// </summary>
    public const int EngineBlockSize = 32;

    /// <summary>The stages of a backfill, in order: the names of its lineage stage durations and of its test pause points.</summary>
    public static readonly IReadOnlyList<string> Stages = ["prepare", "population", "generate_and_copy", "aggregate_and_index", "validate_and_checksum", "swap"];

    /// <summary>
    /// Test seam: called with a stage's name at that stage's pause point, so a test can stop a run at a known stage (to
    /// interrupt or kill it there) or fail it there. The pause points: prepare — the build schema exists, nothing loaded;
    /// population — the population is built; generate_and_copy — the first rows are on their way into the build schema's
    /// tables; aggregate_and_index — every row is loaded, no aggregate or index built; validate_and_checksum — keys and
    /// indexes built, nothing validated; swap — inside the swap's transaction, the schemas renamed, before the commit.
    /// Null in production; in a process started with HCP_TEST_PAUSE_AT_STAGE=&lt;stage&gt; (the CLI's tests) it writes
    /// "paused at stage &lt;stage&gt;" to stderr and waits there until the run is cancelled or the process is killed.
    /// </summary>
    internal static Func<string, CancellationToken, Task>? PausePoint { get; set; } = PauseFromEnvironment();

    private static Func<string, CancellationToken, Task>? PauseFromEnvironment()
    {
        var stage = Environment.GetEnvironmentVariable("HCP_TEST_PAUSE_AT_STAGE");
        if (string.IsNullOrEmpty(stage))
        {
            return null;
        }
        return async (name, ct) =>
        {
            if (name == stage)
            {
                await Console.Error.WriteLineAsync($"paused at stage {name} (HCP_TEST_PAUSE_AT_STAGE)");
                await Console.Error.FlushAsync(ct);
                await Task.Delay(Timeout.Infinite, ct);
            }
        };
    }

    internal static Task PauseAsync(string stage, CancellationToken ct) => PausePoint is { } pause ? pause(stage, ct) : Task.CompletedTask;

    /// <summary>
    /// Builds the dataset of <paramref name="p"/> and swaps it in; the database must be migrated. Connections come from
    /// <paramref name="dataSource"/>: one holds the generation lock for the whole run, more load, index and check.
    /// </summary>
    /// <exception cref="GenerationBusyException">Another writer holds the generation lock.</exception>
    /// <exception cref="ValidationFailedException">The new dataset failed a check; the previous one is unchanged.</exception>
    public static async Task<BackfillResult> RunAsync(NpgsqlDataSource dataSource, GenerationParameters p, IProgress<TableProgress>? progress, CancellationToken ct)
    {
        ArgumentNullException.ThrowIfNull(dataSource);
        var total = Stopwatch.StartNew();
        var stages = new Dictionary<string, double>(StringComparer.Ordinal);
        // One trace per backfill, named for what it builds; each stage is a child span.
        using var root = PlatformTelemetry.StartWork(string.Create(System.Globalization.CultureInfo.InvariantCulture,
            $"hcp.backfill {p.Scenario} ({p.Hcps} HCPs, {p.Months} months, seed {p.Seed})"));
        root?.SetTag("hcp.scenario", p.Scenario);
        root?.SetTag("hcp.seed", p.Seed);
        root?.SetTag("hcp.hcps", p.Hcps);
        root?.SetTag("hcp.months", p.Months);
        root?.SetTag("hcp.as_of", p.AsOf.ToString("yyyy-MM-dd", System.Globalization.CultureInfo.InvariantCulture));

        // Interventions (platform.interventions) are inputs of the dataset: a backfill adopts every stored one.
        await AdoptInterventionsAsync(dataSource, p, ct);

        // Work that needs no database starts at once and overlaps the round trips below: the parameters' JSON (the
        // serializer's first use in a process costs ~0.1 s) and the population (awaited in its stage, so that a failure
        // there is recorded like any other).
        var parametersJsonTask = Task.Run(p.ToJson, ct);
        var populationTask = Task.Run(() => new Population(new SimulationModel(p.Config), p.Seed, p.Hcps, p.Fixtures, p.Parallelism), ct);

        await using var main = await dataSource.OpenConnectionAsync(ct);
        if (!await GenerationLock.TryAcquireSessionAsync(main, ct))
        {
            var holder = await GenerationLock.HolderAsync(main, ct);
            throw new GenerationBusyException($"Another writer (PostgreSQL backend pid {holder?.ToString(System.Globalization.CultureInfo.InvariantCulture) ?? "?"}) is generating into this database; wait for it to finish and try again.");
        }
        try
        {
            return await RunLockedAsync(dataSource, main, p, progress, parametersJsonTask, populationTask, root, total, stages, ct);
        }
        finally
        {
            await GenerationLock.ReleaseSessionAsync(main);
        }
    }

    /// <summary>The stages, in order, on the session that holds the generation lock.</summary>
    private static async Task<BackfillResult> RunLockedAsync(NpgsqlDataSource dataSource, NpgsqlConnection main, GenerationParameters p,
        IProgress<TableProgress>? progress, Task<string> parametersJsonTask, Task<Population> populationTask, Activity? root, Stopwatch total,
        Dictionary<string, double> stages, CancellationToken ct)
    {

        var runId = Guid.CreateVersion7();
        var schema = BuildSchema.NameFor(runId);
        var parametersJson = await parametersJsonTask;
        await Lineage.StartAsync(main, runId, "backfill", parametersJson, p.AsOf, ct);
        var counts = new SortedDictionary<string, long>(StringComparer.Ordinal);
        // Each table's checksum from its COPY stream (those the aggregates rewrite are checksummed again as stored).
        var streamed = new ConcurrentDictionary<string, string>(StringComparer.Ordinal);
        // Work that runs beside the main connection's (the loaders, the event tables' index builds): a failure elsewhere
        // stops it before the build schema is dropped.
        using var background = CancellationTokenSource.CreateLinkedTokenSource(ct);
        var pending = new List<Task>();
        try
        {
            await Stage(stages, "prepare", async () =>
            {
                await StaleRuns.RecoverAsync(main, null, ct, except: runId);
                await BuildSchema.CreateSchemaAsync(main, schema, ct);
                await PauseAsync("prepare", ct);
                // No JIT: compiling the aggregate queries costs more than it saves on them (touch totals at load_test scale
                // 4.3 s without, 4.7–5.0 s with).
                await BuildSchema.ExecuteAsync(main, $"{BuildSchema.IndexBuildSettings}; SET work_mem = '256MB'; SET temp_buffers = '256MB'; SET jit = off", ct);
            });

            Population population = null!;
            HashSet<Guid> erased = null!;
            Engine.Interventions.InterventionSchedule? interventions = null;
            List<Engine.Interventions.PlannedTouch> planned = [];
            await Stage(stages, "population", async () =>
            {
                population = await populationTask;
                await PauseAsync("population", ct);
                // HCPs erased on request stay erased, whatever is regenerated.
                var npis = await Privacy.PrivacyRequests.ErasedNpisAsync(main, ct);
                erased = population.Profiles.Where(x => npis.Contains(x.Npi)).Select(x => x.Id).ToHashSet();
                if (p.Config.Interventions is { Count: > 0 } adopted)
                {
                    planned = await Interventions.InterventionData.ReadPlannedAsync(main, adopted, p.AsOf, population, ct);
                    interventions = Engine.Interventions.InterventionSchedule.Compile(population, planned);
                }
            });

            var keys = await BuildSchema.KeysAndIndexesAsync(main, schema, ct);
            var createTables = await BuildSchema.CreateTableStatementsAsync(main, schema, ct);
            IReadOnlyList<string> IndexesOf(string table) =>
                keys.Where(k => k.Table == table && k.Kind == KeyKind.Index).Select(k => k.Sql).ToList();
            // The small tables get their indexes and statistics from their loaders, as soon as they are loaded. The event
            // tables get them on one more connection while the main one computes the aggregates (the work of these two
            // stages is CPU-bound: more at once only slows each down), and the tables the aggregates rewrite after that.
            string[] aggregated = ["hcp_profiles", "campaign_participation"];
            string[] events = ["stimuli_events", "outcome_events", "prescribing_history"];
            var plannedResults = new List<Engine.Interventions.PlannedTouchOutcome>();
            var loading = BackfillPipeline.LoadAsync(dataSource, schema, p, population, interventions, plannedResults, erased, parametersJson, counts, streamed, progress, createTables,
                table => aggregated.Contains(table) || events.Contains(table) ? [] : IndexesOf(table),
                table => aggregated.Contains(table) ? null : BuildSchema.VacuumAnalyzeSql(schema, table), background.Token);
            pending.Add(loading);
            await Stage(stages, "generate_and_copy", () => loading);
            // Live tables that no loader writes (the interventions') are created as well, so the swap keeps every table of the
            // live schema: bare, like the others, and given their indexes once their rows are in.
            var unloaded = createTables.Keys.Where(t => !DatasetTables.All.Contains(t)).Order(StringComparer.Ordinal).ToList();
            var indexed = new HashSet<string>(StringComparer.Ordinal);
            async Task IndexAsync(string table)
            {
                if (indexed.Add(table))
                {
                    foreach (var sql in IndexesOf(table))
                    {
                        await BuildSchema.ExecuteAsync(main, sql, ct);
                    }
                }
            }
            foreach (var table in unloaded)
            {
                await BuildSchema.ExecuteAsync(main, createTables[table], ct);
            }
            if (interventions is not null)
            {
                await Stage(stages, "interventions", () => InterventionsAsync(main, schema, p, population, interventions, planned, plannedResults, erased, counts, IndexAsync, ct));
            }
            foreach (var table in unloaded)
            {
                await IndexAsync(table);
            }
            await Stage(stages, "aggregate_and_index", async () =>
            {
                await PauseAsync("aggregate_and_index", ct);
                var indexing = BuildSchema.BuildIndexesAsync(dataSource, events.SelectMany(IndexesOf), background.Token);
                pending.Add(indexing);
                // One pass over the events gives both aggregates. Each table they complete is rewritten rather than updated:
                // its loaded rows go, with the computed columns, into a fresh table of the same name (see Aggregates).
                await using (var tx = await main.BeginTransactionAsync(ct))
                {
                    async Task Rewrite(string table, Func<string, IReadOnlyList<string>, string> insert)
                    {
                        var loaded = table + "_loaded";
                        var columns = await BuildSchema.ColumnsAsync(main, schema, table, ct, tx);
                        await BuildSchema.ExecuteAsync(main, $"ALTER TABLE \"{schema}\".{table} RENAME TO {loaded}; {createTables[table]}", ct, tx);
                        await BuildSchema.ExecuteAsync(main, insert(loaded, columns), ct, tx);
                        await BuildSchema.ExecuteAsync(main, $"DROP TABLE \"{schema}\".{loaded}", ct, tx);
                    }
                    await BuildSchema.ExecuteAsync(main, Aggregates.CreateTouchTotals(schema, "touch_totals"), ct, tx);
                    await Rewrite("hcp_profiles", (loaded, columns) => Aggregates.InsertProfilesWithEngagements(schema, loaded, columns, "touch_totals"));
                    await Rewrite("campaign_participation", (loaded, columns) => Aggregates.InsertParticipationWithCounts(schema, loaded, columns, "touch_totals"));
                    await tx.CommitAsync(ct);
                }
                await BuildSchema.ExecuteAsync(main, BuildSchema.FlushStatistics, ct);
                foreach (var table in aggregated)
                {
                    await BuildSchema.ExecuteAsync(main, BuildSchema.VacuumAnalyzeSql(schema, table), ct);
                    foreach (var sql in IndexesOf(table))
                    {
                        await BuildSchema.ExecuteAsync(main, sql, ct);
                    }
                }
                // Keys become constraints, and foreign keys are added, once every index is built.
                await indexing;
                await using (var tx = await main.BeginTransactionAsync(ct))
                {
                    foreach (var k in keys.Where(k => k.Kind == KeyKind.KeyConstraint).Concat(keys.Where(k => k.Kind == KeyKind.ForeignKey)))
                    {
                        await BuildSchema.ExecuteAsync(main, k.Sql, ct, tx);
                    }
                    await tx.CommitAsync(ct);
                }
            });

            ValidationReport validation = null!;
            var checksums = new SortedDictionary<string, string>(StringComparer.Ordinal);
            await Stage(stages, "validate_and_checksum", async () =>
            {
                await PauseAsync("validate_and_checksum", ct);
                using (var span = PlatformTelemetry.Source.StartActivity("validate"))
                {
                    // Only what must be exactly right gates the swap: integrity (keys, references, event order) and
                    // structure (the generator's rules). The statistical checks (volumes, fidelity) and the stored-aggregate
                    // comparisons (just computed by the same queries) run after the swap, in the validation service and
                    // in 'hcp validate'.
                    validation = await DatasetValidator.RunAsync(main, schema, ValidationScope.SwapGate,
                        ValidationConnections.FromDataSource(dataSource, ValidationConnections.DefaultCount), ct);
                    span?.SetTag("hcp.checks_failed", validation.Failed);
                }
                // The tables the aggregates rewrote, and the interventions' (copied without a checksummed stream), are
                // checksummed as stored; the others were as they streamed in.
                var asStored = aggregated.Concat(counts.Keys.Where(t => !streamed.ContainsKey(t) && !aggregated.Contains(t) && Checksums.Columns.ContainsKey(t)));
                foreach (var (table, checksum) in await Checksums.ComputeAsync(main, schema, asStored, ct))
                {
                    checksums[table] = checksum;
                }
                foreach (var (table, checksum) in streamed)
                {
                    checksums.TryAdd(table, checksum);
                }
            });
            if (!validation.Passed)
            {
                throw new ValidationFailedException(validation);
            }
            const string verdict = "passed";

            await Stage(stages, "swap", async () =>
            {
                await BuildSchema.SwapAsync(main, schema, async (c, tx) =>
                {
                    // The universal views were dropped with the old tables: re-create them on the new ones.
                    await Universal.UniversalViews.ApplyAsync(c, tx, ct);
                    await Lineage.FinishAsync(c, runId, "succeeded", counts, checksums, stages, verdict, null, ct, tx);
                    await BuildSchema.ExecuteAsync(c, $"NOTIFY {NotifyChannel}, '{runId}'", ct, tx);
                    await PauseAsync("swap", ct);
                }, ct);
            });
            foreach (var (table, rows) in counts)
            {
                root?.SetTag($"hcp.rows.{table}", rows);
            }
            root?.SetTag("hcp.rows", counts.Values.Sum());
            root?.SetTag("hcp.run_id", runId.ToString());
            return new BackfillResult(runId, p, counts, checksums, stages, total.Elapsed.TotalSeconds, validation);
        }
        catch (Exception e)
        {
            root?.SetStatus(ActivityStatusCode.Error, e.Message);
            var status = e is OperationCanceledException ? "cancelled" : "failed";
            var verdict = e is ValidationFailedException ? "failed" : null;
            if (pending.Any(t => !t.IsCompleted))
            {
                await background.CancelAsync();
                await Task.WhenAll(pending).ContinueWith(_ => { }, TaskScheduler.Default);
            }
            // Best effort: the run failed, so leave nothing of it behind but its lineage row.
            try
            {
                await BuildSchema.ExecuteAsync(main, $"DROP SCHEMA IF EXISTS \"{schema}\" CASCADE", CancellationToken.None);
                await Lineage.FinishAsync(main, runId, status, counts, null, stages, verdict, e.Message, CancellationToken.None);
            }
            catch (NpgsqlException)
            {
                // The connection itself is gone; the next run drops the leftover build schema.
            }
            throw;
        }
    }

    /// <summary>
    /// Adopts every stored intervention (active or stopped, end not before start) into the parameters, in (start, id) order;
    /// parameters without stored interventions keep their own (none, normally).
    /// </summary>
    private static async Task AdoptInterventionsAsync(NpgsqlDataSource dataSource, GenerationParameters p, CancellationToken ct)
    {
        await using var connection = await dataSource.OpenConnectionAsync(ct);
        var stored = await Interventions.InterventionData.ReadStoredAsync(connection, ct);
        if (stored.Count > 0)
        {
            p.Config.Interventions = [.. Engine.Interventions.InterventionAdoption.ForBackfill(stored)];
        }
    }

    /// <summary>
    /// The interventions' dataset rows, into the build schema's bare tables: every targeted HCP's arm, what became of each
    /// planned touch and the truth over each intervention's window so far, then (those tables indexed by
    /// <paramref name="index"/>: the oracle reads the truth by intervention) the oracle's uplift_models rows.
    /// </summary>
    private static async Task InterventionsAsync(NpgsqlConnection main, string schema, GenerationParameters p, Population population,
        Engine.Interventions.InterventionSchedule schedule, List<Engine.Interventions.PlannedTouch> planned,
        List<Engine.Interventions.PlannedTouchOutcome> plannedResults, HashSet<Guid> erased, SortedDictionary<string, long> counts,
        Func<string, Task> index, CancellationToken ct)
    {
        var sim = new Simulator(population, schedule);
        long assignments = 0, truth = 0;
        for (var k = 0; k < schedule.Items.Count; k++)
        {
            assignments += CopyWriter.Copy(main, schema, DatasetTables.InterventionAssignments, Interventions.InterventionData.Assignments(schedule, k, erased), freeze: false, ct: ct);
            truth += CopyWriter.Copy(main, schema, DatasetTables.InterventionTruth,
                Interventions.InterventionData.Truth(sim, k, p.WindowStart, p.WindowStart, p.AsOf, p.Parallelism, erased, ct), freeze: false, ct: ct);
        }
        counts["intervention_assignments"] = assignments;
        counts["intervention_truth"] = truth;
        counts["planned_touch_results"] = CopyWriter.Copy(main, schema, DatasetTables.PlannedTouchResults,
            Interventions.InterventionData.Results(plannedResults, planned.ToDictionary(x => x.Id), population, erased), freeze: false, ct: ct);
        foreach (var table in new[] { DatasetTables.InterventionAssignments.Name, DatasetTables.InterventionTruth.Name, DatasetTables.PlannedTouchResults.Name })
        {
            await index(table);
        }
        for (var k = 0; k < schedule.Items.Count; k++)
        {
            await Interventions.InterventionData.WriteOracleAsync(main, null, schema, schedule.Items[k], Engine.Interventions.InterventionTruthCalculator.Outcomes(p.Config), p.AsOf, ct);
        }
    }

    private static async Task Stage(Dictionary<string, double> stages, string name, Func<Task> work)
    {
        var clock = Stopwatch.StartNew();
        using var span = PlatformTelemetry.Source.StartActivity(name);
        await work();
        stages[name] = Math.Round(clock.Elapsed.TotalSeconds, 3);
    }
}
