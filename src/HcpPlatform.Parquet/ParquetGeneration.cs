using System.Collections.Concurrent;
using System.Diagnostics;
using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;
using HcpPlatform.Engine.Calendar;
using HcpPlatform.Engine.Config;
using HcpPlatform.Engine.Generators;
using HcpPlatform.Engine.Model;
using HcpPlatform.Engine.Randomness;
using HcpPlatform.Engine.Simulation;

namespace HcpPlatform.Parquet;

/// <summary>What a dataset is a function of (the data layer's GenerationParameters), and which shard of it to write how.</summary>
public sealed record ParquetGenerationRequest
{
    public required long Seed { get; init; }
    public required int Hcps { get; init; }
    public required int Months { get; init; }
    public required string Scenario { get; init; }
    public required DateOnly AsOf { get; init; }
    public required IReadOnlyList<FixtureHcp> Fixtures { get; init; }
    public required SimulationConfig Config { get; init; }
    /// <summary>The parameters as stored in dataset_info.parameters.</summary>
    public required string ParametersJson { get; init; }
    public int Parallelism { get; init; } = Environment.ProcessorCount;
    public ShardNumber Shard { get; init; } = ShardNumber.Whole;
    public UuidType Uuids { get; init; } = UuidType.Uuid;

    public DateOnly WindowStart => SimDate.WindowStart(AsOf, Months);
}

public sealed record ParquetOutput(ParquetManifest Manifest, IReadOnlyDictionary<string, long> Counts, IReadOnlyDictionary<string, double> StageSeconds, double TotalSeconds);

/// <summary>
/// Generation straight to Parquet, without a database: the engine's rows for one shard (a slice of the HCPs) with the
/// derived columns computed per HCP as the events stream (<see cref="EngagementTotals"/>), written by
/// <see cref="ParquetDatasetWriter"/>. The union of the shards 1..N of a run is the dataset a single run (and the PostgreSQL
/// backfill) gives: the same rows with the same ids. Memory: every HCP's traits (territories and campaign enrollment span the
/// population), the shard's profiles, a few blocks of events in flight and one compressed row group per open file.
/// </summary>
public static class ParquetGeneration
{
    /// <summary>HCPs per engine block, as the PostgreSQL loader streams them.</summary>
    private const int EngineBlockSize = 32;
    private const int QueueDepth = 4;

    /// <summary>Writes the shard into <paramref name="directory"/> (which should be empty), manifest included.</summary>
    public static ParquetOutput Write(ParquetGenerationRequest r, string directory, IProgress<ParquetProgress>? progress, CancellationToken ct)
    {
        var total = Stopwatch.StartNew();
        var stages = new SortedDictionary<string, double>(StringComparer.Ordinal);
        var clock = Stopwatch.StartNew();
        var slice = HcpSlice.ForShard(r.Shard.Index, r.Shard.Count, r.Hcps);
        var population = new Population(new SimulationModel(r.Config), r.Seed, r.Hcps, r.Fixtures, r.Parallelism, slice);
        stages["population"] = Lap(clock);
        ct.ThrowIfCancellationRequested();
        var windowStart = r.WindowStart;
        var campaigns = population.Campaigns.ForWindow(windowStart, r.AsOf);
        var info = new DatasetInfo
        {
            // As the PostgreSQL loader makes it (no HCP is erased here: erasure requests live in a database).
            Id = DeterministicId.Create(r.Seed, StreamKind.Dynamics, r.Hcps, r.AsOf.DayNumber, r.Months),
            Seed = r.Seed,
            HcpCount = r.Hcps,
            Months = r.Months,
            Scenario = r.Scenario,
            WindowStart = windowStart,
            SimulatedThrough = r.AsOf,
            EngineVersion = SimulationModel.EngineVersion,
            Parameters = JsonbText.Normalize(r.ParametersJson)!,
        };

        using var output = new ParquetDatasetWriter(directory, r.Shard, r.Uuids, progress);
        if (r.Shard.IsFirst)
        {
            output.Table(ParquetTables.Info).Add(info);
            output.Table(ParquetTables.Campaigns).AddRange(campaigns.Select(c => Json(CampaignCalendar.ToRow(c, r.AsOf))));
            output.Table(ParquetTables.Capacity).AddRange(ContactLimitGenerator.Capacity(r.Seed, r.Hcps, r.Config, windowStart));
            output.Table(ParquetTables.GroundTruth).AddRange(GroundTruth.Build(population.Model, r.Seed).Select(g => { g.Details = JsonbText.Normalize(g.Details); return g; }));
        }
        var stimuli = output.Table(ParquetTables.Stimuli);
        var outcomes = output.Table(ParquetTables.Outcomes);
        var rx = output.Table(ParquetTables.Rx);
        var totals = new EngagementTotals[slice.Count];
        for (var i = 0; i < totals.Length; i++)
        {
            totals[i] = new EngagementTotals();
        }
        // An outcome comes at most this long after its touch (the longest attribution window), perhaps in the next three months.
        var answerableDays = r.Config.AttributionWindowDays.Values.Max() + 1;

        // The events three months at a time: a row group is held in memory until complete, so the months open at once set the
        // memory (the engine's events come HCP by HCP, each with all its months). Each evaluation plans the months before
        // its first (outcomes reach back up to two, an Rx month's carryover three), which costs the engine about two thirds more work
        // than one pass over the window; the engine is the smaller part of the work here (encoding, compression, JSON text).
        //
        // Touches of the previous three months an outcome of these three months may answer, and those of these three months
        // the next ones may (only this writer's thread uses them).
        var earlier = new Dictionary<Guid, EngagementTotals.Touch>();
        foreach (var (from, to) in Quarters(windowStart, r.AsOf))
        {
            // About as many as the quarter before kept (the touches are values: growing the map copies them).
            var later = new Dictionary<Guid, EngagementTotals.Touch>(earlier.Count);
            var answerableFrom = to.AddDays(1 - answerableDays).DayNumber;
            // Four writers, one per kind of row, each on its own thread, while the engine evaluates the next blocks.
            Action<EventBlock>[] writers =
            [
                block =>
                {
                    // A block's events come HCP by HCP, in HCP order. An outcome answers a touch of its block, or one of the
                    // last days of the three months before, kept from then.
                    var h = block.HcpFrom;
                    var touches = new Dictionary<Guid, EngagementTotals.Touch>(block.Stimuli.Count);
                    foreach (var x in block.Stimuli)
                    {
                        touches[x.Id] = totals[Advance(ref h, x.HcpId, block) - slice.From].AddStimulus(x);
                    }
                    foreach (var x in block.Outcomes)
                    {
                        if (x.StimulusId is not { } answered)
                        {
                            continue;
                        }
                        ref var touch = ref CollectionsMarshal.GetValueRefOrNullRef(touches, answered);
                        if (Unsafe.IsNullRef(ref touch))
                        {
                            touch = ref CollectionsMarshal.GetValueRefOrNullRef(earlier, answered);
                            if (Unsafe.IsNullRef(ref touch))
                            {
                                throw new InvalidOperationException($"Outcome {x.Id} answers touch {answered}, which was not seen (or was forgotten too early).");
                            }
                        }
                        touch.Hcp.AddResponse(ref touch);
                    }
                    foreach (var (id, touch) in touches)
                    {
                        if (touch.Day >= answerableFrom)
                        {
                            later[id] = touch;
                        }
                    }
                },
                block =>
                {
                    foreach (var x in block.Stimuli)
                    {
                        x.Metadata = JsonbText.Normalize(x.Metadata);
                        stimuli.Add(x);
                    }
                },
                block =>
                {
                    foreach (var x in block.Outcomes)
                    {
                        x.Metadata = JsonbText.Normalize(x.Metadata);
                        outcomes.Add(x);
                    }
                },
                block =>
                {
                    foreach (var x in block.Rx)
                    {
                        x.ProductMix = JsonbText.Normalize(x.ProductMix)!;
                        rx.Add(x);
                    }
                },
            ];
            Pipeline(new Simulator(population).Evaluate(windowStart, from, to, slice, r.Parallelism, EngineBlockSize, ct), writers, ct);
            stimuli.CloseMonths();
            outcomes.CloseMonths();
            rx.CloseMonths();
            earlier = later;
        }
        stages["events"] = Lap(clock);

        // The HCPs' own tables, once their totals are complete: two writers side by side.
        var profiles = output.Table(ParquetTables.Profiles);
        var participation = output.Table(ParquetTables.Participation);
        var territories = output.Table(ParquetTables.Territories);
        var limits = output.Table(ParquetTables.ContactLimits);
        Parallel.Invoke(new ParallelOptions { CancellationToken = ct },
            () =>
            {
                for (var h = slice.From; h < slice.To; h++)
                {
                    var hcp = totals[h - slice.From];
                    var profile = population.Profiles[h - population.FirstProfile];
                    (profile.ChannelEngagements, profile.EngagementScore) = hcp.Engagements();
                    profile.ChannelAffinities = JsonbText.Normalize(profile.ChannelAffinities)!;
                    profiles.Add(profile);
                    // Not needed any more: let it go once written (its engagements text is most of this phase's memory).
                    population.Profiles[h - population.FirstProfile] = null!;
                    foreach (var p in population.ParticipationRowsOf(h, campaigns, r.AsOf))
                    {
                        (p.TouchCount, p.ResponseCount) = hcp.InCampaign(p.CampaignId);
                        participation.Add(p);
                    }
                }
            },
            () =>
            {
                for (var h = slice.From; h < slice.To; h++)
                {
                    var traits = population.Traits[h];
                    territories.AddRange(population.TerritoryRows(traits));
                    foreach (var l in ContactLimitGenerator.Rows(r.Seed, traits))
                    {
                        l.PreferredDays = JsonbText.Normalize(l.PreferredDays);
                        l.BlackoutDates = JsonbText.Normalize(l.BlackoutDates);
                        limits.Add(l);
                    }
                }
            });

        int Advance(ref int h, Guid hcp, EventBlock block)
        {
            while (h < block.HcpTo && population.Traits[h].Id != hcp)
            {
                h++;
            }
            return h < block.HcpTo ? h : throw new InvalidOperationException($"An event of HCP {hcp} is out of HCP order in the block of HCPs {block.HcpFrom}–{block.HcpTo}.");
        }
        ct.ThrowIfCancellationRequested();
        stages["hcp_tables"] = Lap(clock);

        var files = output.Close(ct);
        var manifest = new ParquetManifest("parquet", info.Id, info.Seed, info.HcpCount, info.SimulatedThrough, r.Shard.ToString(), ToText(r.Uuids), files);
        File.WriteAllText(Path.Combine(directory, ParquetManifest.FileName), manifest.ToJson());
        stages["close_and_hash"] = Lap(clock);
        var counts = new SortedDictionary<string, long>(files.GroupBy(f => f.Table).ToDictionary(g => g.Key, g => g.Sum(f => f.Rows)), StringComparer.Ordinal);
        return new ParquetOutput(manifest, counts, stages, total.Elapsed.TotalSeconds);
    }

    /// <summary>
    /// Feeds every block to each writer on its own thread, in order, a few blocks ahead at most. The first failure (or a
    /// cancel) stops the writers and is thrown once they have stopped; the engine's thread, which holds no file, is not
    /// waited for then (it stops at its next HCP, which can take a while in a population's first block).
    /// </summary>
    private static void Pipeline(IEnumerable<EventBlock> blocks, Action<EventBlock>[] writers, CancellationToken ct)
    {
        var stop = CancellationTokenSource.CreateLinkedTokenSource(ct);
        var queues = writers.Select(_ => new BlockingCollection<EventBlock>(QueueDepth)).ToArray();
        var consumers = writers.Select((write, i) => Task.Factory.StartNew(() =>
        {
            foreach (var block in queues[i].GetConsumingEnumerable(stop.Token))
            {
                write(block);
            }
        }, stop.Token, TaskCreationOptions.LongRunning, TaskScheduler.Default)).ToList();
        var producer = Task.Factory.StartNew(() =>
        {
            try
            {
                foreach (var block in blocks)
                {
                    foreach (var queue in queues)
                    {
                        queue.Add(block, stop.Token);
                    }
                }
            }
            finally
            {
                foreach (var queue in queues)
                {
                    queue.CompleteAdding();
                }
            }
        }, stop.Token, TaskCreationOptions.LongRunning, TaskScheduler.Default);

        var pending = new List<Task>(consumers) { producer };
        while (pending.Count > 0)
        {
            var done = Task.WhenAny(pending).GetAwaiter().GetResult();
            pending.Remove(done);
            if (done.IsFaulted || done.IsCanceled)
            {
                stop.Cancel();
                break;
            }
        }
        Task.WhenAll(consumers).ContinueWith(_ => { }, TaskScheduler.Default).Wait(CancellationToken.None);
        ct.ThrowIfCancellationRequested();
        var failure = consumers.Append(producer).Where(t => t.IsFaulted).Select(t => t.Exception!.GetBaseException())
            .FirstOrDefault(e => e is not OperationCanceledException);
        if (failure is not null)
        {
            System.Runtime.ExceptionServices.ExceptionDispatchInfo.Throw(failure);
        }
        // Left to the collector while an abandoned engine thread may still use them.
        if (producer.IsCompleted)
        {
            stop.Dispose();
            foreach (var queue in queues)
            {
                queue.Dispose();
            }
        }
    }

    /// <summary>The window three calendar months at a time, from the window's first month, clipped to the window.</summary>
    internal static IEnumerable<(DateOnly From, DateOnly To)> Quarters(DateOnly windowStart, DateOnly asOf)
    {
        for (var month = SimDate.MonthNumber(windowStart); SimDate.MonthStart(month) <= asOf; month += 3)
        {
            var from = SimDate.MonthStart(month);
            var to = SimDate.MonthStart(month + 3).AddDays(-1);
            yield return (from < windowStart ? windowStart : from, to > asOf ? asOf : to);
        }
    }

    public static string ToText(UuidType uuids) => uuids == UuidType.Text ? "text" : "uuid";

    private static Campaign Json(Campaign c)
    {
        c.Channels = JsonbText.Normalize(c.Channels)!;
        c.TargetSegments = JsonbText.Normalize(c.TargetSegments);
        return c;
    }

    private static double Lap(Stopwatch clock)
    {
        var seconds = Math.Round(clock.Elapsed.TotalSeconds, 3);
        clock.Restart();
        return seconds;
    }
}
