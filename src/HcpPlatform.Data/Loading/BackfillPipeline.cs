using System.Collections.Concurrent;
using HcpPlatform.Data.Hosting;
using HcpPlatform.Engine.Generators;
using HcpPlatform.Engine.Model;
using HcpPlatform.Engine.Randomness;
using HcpPlatform.Engine.Simulation;
using Npgsql;

namespace HcpPlatform.Data.Loading;

/// <summary>
/// The backfill's load: the engine's rows for the whole window, streamed by binary COPY into a build schema's fresh
/// tables while they are generated (the stages around it are <see cref="Backfill"/>'s). Memory grows with HCPs, not
/// events: a few blocks of HCPs' events are in flight at a time.
/// </summary>
internal static class BackfillPipeline
{
    private const int QueueDepth = 3;

    /// <summary>
    /// Creates and loads every table of the build schema <paramref name="schema"/>: the engine evaluates the window in
    /// blocks of HCPs on its own thread, three queues carry the blocks to one COPY connection per event table, and one
    /// more connection loads the small tables meanwhile. Each table is created and loaded in one transaction (COPY
    /// FREEZE), then vacuumed and analyzed (<paramref name="statisticsOf"/>) and indexed (<paramref name="indexesOf"/>).
    /// The first failure stops every part, so no one blocks on a queue nobody drains.
    /// </summary>
    public static async Task LoadAsync(
        NpgsqlDataSource dataSource, string schema, GenerationParameters p, Population population, Engine.Interventions.InterventionSchedule? interventions,
        List<Engine.Interventions.PlannedTouchOutcome> plannedResults, HashSet<Guid> erased, string parametersJson,
        SortedDictionary<string, long> counts, ConcurrentDictionary<string, string> checksums, IProgress<TableProgress>? progress, IReadOnlyDictionary<string, string> createTables,
        Func<string, IReadOnlyList<string>> indexesOf,
        Func<string, string?> statisticsOf, CancellationToken ct)
    {
        using var linked = CancellationTokenSource.CreateLinkedTokenSource(ct);
        var token = linked.Token;
        var expected = ExpectedVolumes.For(p);
        var stimuli = new BlockingCollection<List<StimulusEvent>>(QueueDepth);
        var outcomes = new BlockingCollection<List<OutcomeEvent>>(QueueDepth);
        var rx = new BlockingCollection<List<PrescribingHistory>>(QueueDepth);

        void Report(string table, long rows, bool done) =>
            progress?.Report(new TableProgress(table, rows, expected.GetValueOrDefault(table), done));

        Task<long> Writer<T>(TableSpec<T> spec, Func<IEnumerable<T>> rows) => Task.Factory.StartNew(() =>
        {
            using var span = PlatformTelemetry.Source.StartActivity("copy");
            span?.SetTag("db.table", spec.Name);
            using var connection = dataSource.OpenConnection();
            void Run(string sql, NpgsqlTransaction? tx = null)
            {
                token.ThrowIfCancellationRequested();
                using var statement = new NpgsqlCommand(sql, connection, tx) { CommandTimeout = 0 };
                using var cancel = token.Register(statement.Cancel);
                statement.ExecuteNonQuery();
            }
            Run(BuildSchema.IndexBuildSettings);
            long n;
            using (var tx = connection.BeginTransaction())
            {
                Run(createTables[spec.Name], tx);
                (n, checksums[spec.Name]) = CopyWriter.CopyWithChecksum(connection, schema, spec, rows(), freeze: true, rows => Report(spec.Name, rows, false), token);
                tx.Commit();
            }
            // Statistics, then indexes (if any), on the committed rows: with wal_level=minimal an index built in its own
            // transaction is written without WAL, like the COPY.
            if (statisticsOf(spec.Name) is { } statistics)
            {
                Run(BuildSchema.FlushStatistics);
                Run(statistics);
            }
            span?.SetTag("db.rows", n);
            Report(spec.Name, n, true);
            foreach (var sql in indexesOf(spec.Name))
            {
                Run(sql);
            }
            return n;
        }, token, TaskCreationOptions.LongRunning, TaskScheduler.Default);

        static IEnumerable<T> Drain<T>(BlockingCollection<List<T>> queue, CancellationToken token)
        {
            foreach (var batch in queue.GetConsumingEnumerable(token))
            {
                foreach (var row in batch)
                {
                    yield return row;
                }
            }
        }

        var windowStart = p.WindowStart;
        var campaigns = population.Campaigns.ForWindow(windowStart, p.AsOf);
        var info = new DatasetInfo
        {
            Id = DeterministicId.Create(p.Seed, StreamKind.Dynamics, p.Hcps, p.AsOf.DayNumber, p.Months),
            Seed = p.Seed,
            HcpCount = p.Hcps - erased.Count,
            Months = p.Months,
            Scenario = p.Scenario,
            WindowStart = windowStart,
            SimulatedThrough = p.AsOf,
            EngineVersion = SimulationModel.EngineVersion,
            Parameters = parametersJson,
        };

        var writers = new List<(string Table, Task<long> Task)>
        {
            ("stimuli_events", Writer(DatasetTables.StimuliFor(p.Config), () => Drain(stimuli, token))),
            ("outcome_events", Writer(DatasetTables.Outcomes, () => Drain(outcomes, token))),
            ("prescribing_history", Writer(DatasetTables.Rx, () => Drain(rx, token))),
        };
        var producer = Task.Factory.StartNew(() =>
        {
            using var span = PlatformTelemetry.Source.StartActivity("generate");
            try
            {
                var sim = new Simulator(population, interventions);
                var first = true;
                foreach (var block in sim.Evaluate(windowStart, windowStart, p.AsOf, p.Parallelism, Backfill.EngineBlockSize, token))
                {
                    if (erased.Count > 0)
                    {
                        block.Stimuli.RemoveAll(x => erased.Contains(x.HcpId));
                        block.Outcomes.RemoveAll(x => erased.Contains(x.HcpId));
                        block.Rx.RemoveAll(x => erased.Contains(x.HcpId));
                    }
                    plannedResults.AddRange(block.PlannedTouches);
                    stimuli.Add(block.Stimuli, token);
                    outcomes.Add(block.Outcomes, token);
                    rx.Add(block.Rx, token);
                    if (first)
                    {
                        first = false;
                        Backfill.PauseAsync("generate_and_copy", token).GetAwaiter().GetResult();
                    }
                }
            }
            finally
            {
                stimuli.CompleteAdding();
                outcomes.CompleteAdding();
                rx.CompleteAdding();
            }
        }, token, TaskCreationOptions.LongRunning, TaskScheduler.Default);

        var kept = population.Traits.Where(t => !erased.Contains(t.Id)).ToArray();
        // The small tables go through one more connection while the events stream.
        var statics = Task.Run(async () =>
        {
            var results = new List<(string, long)>
            {
                ("hcp_profiles", await Writer(DatasetTables.Profiles, () => population.Profiles.Where(x => !erased.Contains(x.Id)))),
                ("campaigns", await Writer(DatasetTables.Campaigns, () => campaigns.Select(c => CampaignCalendar.ToRow(c, p.AsOf)))),
                ("campaign_participation", await Writer(DatasetTables.Participation, () =>
                    campaigns.SelectMany(c => population.ParticipationRows(c, p.AsOf, erased)))),
                ("territory_assignments", await Writer(DatasetTables.Territories, () => kept.SelectMany(population.TerritoryRows))),
                ("hcp_contact_limits", await Writer(DatasetTables.ContactLimits, () => kept.SelectMany(t => ContactLimitGenerator.Rows(p.Seed, t)))),
                ("channel_capacity", await Writer(DatasetTables.Capacity, () => ContactLimitGenerator.Capacity(p.Seed, p.Hcps, p.Config, windowStart))),
                ("ground_truth", await Writer(DatasetTables.GroundTruth, () => GroundTruth.Build(population.Model, p.Seed))),
                ("dataset_info", await Writer(DatasetTables.Info, () => [info])),
            };
            return results;
        }, token);

        var all = new List<Task> { producer, statics };
        all.AddRange(writers.Select(w => (Task)w.Task));
        try
        {
            // Stop everything as soon as any part fails, so no one blocks on a queue nobody drains.
            var pending = new List<Task>(all);
            while (pending.Count > 0)
            {
                var done = await Task.WhenAny(pending);
                pending.Remove(done);
                if (done.IsFaulted || done.IsCanceled)
                {
                    await linked.CancelAsync();
                    break;
                }
            }
            await Task.WhenAll(all).ContinueWith(_ => { }, TaskScheduler.Default);
            var failure = all.Where(t => t.IsFaulted).Select(t => t.Exception!.GetBaseException())
                .FirstOrDefault(e => e is not OperationCanceledException);
            if (failure is not null)
            {
                System.Runtime.ExceptionServices.ExceptionDispatchInfo.Throw(failure);
            }
            ct.ThrowIfCancellationRequested();
            foreach (var (table, task) in writers)
            {
                counts[table] = await task;
            }
            foreach (var (table, n) in await statics)
            {
                counts[table] = n;
            }
        }
        finally
        {
            stimuli.Dispose();
            outcomes.Dispose();
            rx.Dispose();
        }
    }
}
