using System.Diagnostics;
using System.Globalization;
using System.Text;
using HcpPlatform.Data.Loading;
using HcpPlatform.Engine.Calendar;
using HcpPlatform.Engine.Config;
using HcpPlatform.Engine.Model;
using HcpPlatform.Engine.Simulation;
using Npgsql;

// Usage:
//   engine <hcps>                      engine events/s, single-threaded and on all cores
//   insert <hcps> <connectionString>   the source documents' approach: 500-row multi-row INSERTs of the same stimuli rows
//   increment <connectionString>       wall time of one daily increment on the dataset in place (run it after a backfill)
//   trace <hcps> <connectionString>    one backfill, printing when each traced step (span) started and how long it took
//   interventions <hcps> [share]       the exact truth's cost: a test treating share (0.25) of every HCP, its truth over the window and over one increment's month
var mode = args.Length > 0 ? args[0] : "engine";
var asOf = new DateOnly(2026, 6, 30);
switch (mode)
{
    case "engine":
    {
        var hcps = int.Parse(args[1], CultureInfo.InvariantCulture);
        var population = new Population(new SimulationModel(new SimulationConfig()), 42, hcps, [], Environment.ProcessorCount);
        var windowStart = SimDate.WindowStart(asOf, 12);
        Evaluate(population, windowStart, 1); // warm-up: JIT, holiday table, campaign lanes
        foreach (var threads in new[] { 1, Environment.ProcessorCount })
        {
            var clock = Stopwatch.StartNew();
            var rows = Evaluate(population, windowStart, threads);
            Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
                $"engine hcps={hcps} threads={threads} rows={rows} seconds={clock.Elapsed.TotalSeconds:0.000} rows_per_second={rows / clock.Elapsed.TotalSeconds:0}"));
        }
        break;
    }
    case "insert":
    {
        var hcps = int.Parse(args[1], CultureInfo.InvariantCulture);
        var population = new Population(new SimulationModel(new SimulationConfig()), 42, hcps, [], Environment.ProcessorCount);
        var windowStart = SimDate.WindowStart(asOf, 12);
        var stimuli = new List<StimulusEvent>();
        foreach (var block in new Simulator(population).Evaluate(windowStart, windowStart, asOf, Environment.ProcessorCount))
        {
            stimuli.AddRange(block.Stimuli);
        }
        await using var connection = new NpgsqlConnection(args[2]);
        await connection.OpenAsync();
        await Execute(connection, "DROP TABLE IF EXISTS public.bench_insert; CREATE TABLE public.bench_insert (LIKE hcp.stimuli_events INCLUDING DEFAULTS); ALTER TABLE public.bench_insert ADD PRIMARY KEY (id)");
        var clock = Stopwatch.StartNew();
        for (var start = 0; start < stimuli.Count; start += 500)
        {
            var batch = stimuli.Skip(start).Take(500).ToList();
            var sql = new StringBuilder("INSERT INTO public.bench_insert (id, hcp_id, campaign_id, channel, stimulus_type, content_category, event_date, rep_id, delivery_status, metadata) VALUES ");
            await using var cmd = new NpgsqlCommand { Connection = connection };
            for (var i = 0; i < batch.Count; i++)
            {
                var s = batch[i];
                sql.Append(i == 0 ? "" : ", ").Append(CultureInfo.InvariantCulture, $"(@a{i}, @b{i}, @c{i}, @d{i}, @e{i}, @f{i}, @g{i}, @h{i}, @i{i}, @j{i}::jsonb)");
                cmd.Parameters.AddWithValue($"a{i}", s.Id);
                cmd.Parameters.AddWithValue($"b{i}", s.HcpId);
                cmd.Parameters.AddWithValue($"c{i}", (object?)s.CampaignId ?? DBNull.Value);
                cmd.Parameters.AddWithValue($"d{i}", s.Channel);
                cmd.Parameters.AddWithValue($"e{i}", s.StimulusType);
                cmd.Parameters.AddWithValue($"f{i}", (object?)s.ContentCategory ?? DBNull.Value);
                cmd.Parameters.AddWithValue($"g{i}", s.EventDate);
                cmd.Parameters.AddWithValue($"h{i}", (object?)s.RepId ?? DBNull.Value);
                cmd.Parameters.AddWithValue($"i{i}", s.DeliveryStatus);
                cmd.Parameters.AddWithValue($"j{i}", (object?)s.Metadata ?? DBNull.Value);
            }
            cmd.CommandText = sql.ToString();
            await cmd.ExecuteNonQueryAsync();
        }
        var seconds = clock.Elapsed.TotalSeconds;
        await Execute(connection, "DROP TABLE public.bench_insert");
        Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
            $"insert500 rows={stimuli.Count} seconds={seconds:0.000} rows_per_second={stimuli.Count / seconds:0}"));
        break;
    }
    case "increment":
    {
        var increment = new DailyIncrement(NpgsqlDataSource.Create(args[1]));
        for (var i = 0; i < 3; i++)
        {
            var clock = Stopwatch.StartNew();
            var result = await increment.RunNextDayAsync(CancellationToken.None) ?? throw new InvalidOperationException("No dataset: run a backfill first.");
            Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
                $"increment day={result.Day:yyyy-MM-dd} rows={result.Counts.Values.Sum()} seconds={clock.Elapsed.TotalSeconds:0.000}{(i == 0 ? " (first: includes building the population)" : "")}"));
        }
        break;
    }
    case "trace":
    {
        var hcps = int.Parse(args[1], CultureInfo.InvariantCulture);
        var origin = Stopwatch.StartNew();
        using var listener = new ActivityListener
        {
            ShouldListenTo = source => source.Name == HcpPlatform.Data.Hosting.PlatformTelemetry.Name,
            Sample = (ref ActivityCreationOptions<ActivityContext> _) => ActivitySamplingResult.AllDataAndRecorded,
            ActivityStopped = a => Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
                $"{(origin.Elapsed - a.Duration).TotalSeconds,7:0.000} +{a.Duration.TotalSeconds,6:0.000}  {a.DisplayName} {a.GetTagItem("db.table")}")),
        };
        ActivitySource.AddActivityListener(listener);
        var p = new GenerationParameters { Hcps = hcps, Months = 12, AsOf = asOf, Scenario = "bench" };
        await using var dataSource = NpgsqlDataSource.Create(args[2]);
        await HcpPlatform.Data.Migrations.DatabaseMigrator.MigrateAsync(dataSource, CancellationToken.None);
        var result = await Backfill.RunAsync(dataSource, p, null, CancellationToken.None);
        Console.WriteLine(string.Join(", ", result.StageSeconds.Select(s => $"{s.Key} {s.Value}")));
        break;
    }
    case "interventions":
    {
        // The truth's cost: a test of TreatedShare over the whole population (every HCP targeted, so its truth covers all
        // of them), 12 months to the as-of day, the intervention the last quarter of it.
        var hcps = int.Parse(args[1], CultureInfo.InvariantCulture);
        var share = args.Length > 2 ? double.Parse(args[2], CultureInfo.InvariantCulture) : 0.25;
        var test = new HcpPlatform.Engine.Interventions.Intervention
        {
            Id = Guid.Parse("be0c4000-0000-4000-8000-000000000001"), Name = "bench test", Type = "test", Channels = ["email", "phone"],
            Start = new DateOnly(2026, 4, 1), End = new DateOnly(2026, 5, 31), MaxExposuresPerHcp = 8, MinDaysBetweenExposures = 7, TreatedShare = share,
        };
        var windowStart = SimDate.WindowStart(asOf, 12);
        var plain = new Population(new SimulationModel(new SimulationConfig()), 42, hcps, [], Environment.ProcessorCount);
        var with = new Population(new SimulationModel(new SimulationConfig { Interventions = [test] }), 42, hcps, [], Environment.ProcessorCount);
        var sim = new Simulator(with);
        Evaluate(plain, windowStart, Environment.ProcessorCount); // warm-up
        var clock = Stopwatch.StartNew();
        var rows = Evaluate(plain, windowStart, Environment.ProcessorCount);
        Console.WriteLine(string.Create(CultureInfo.InvariantCulture, $"events without the intervention: rows={rows} seconds={clock.Elapsed.TotalSeconds:0.000}"));
        clock.Restart();
        rows = Evaluate(with, windowStart, Environment.ProcessorCount);
        Console.WriteLine(string.Create(CultureInfo.InvariantCulture, $"events with it: rows={rows} seconds={clock.Elapsed.TotalSeconds:0.000}"));
        var treated = Enumerable.Range(0, hcps).Count(h => sim.Interventions!.IsTreated(0, h));
        clock.Restart();
        var truth = HcpPlatform.Engine.Interventions.InterventionTruthCalculator.Compute(sim, 0, windowStart, windowStart, asOf, Environment.ProcessorCount);
        var seconds = clock.Elapsed.TotalSeconds;
        Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
            $"truth (backfill): targeted={hcps} treated={treated} rows={truth.Count} seconds={seconds:0.000} ms_per_targeted_hcp={1000 * seconds / hcps:0.000}"));
        clock.Restart();
        var month = HcpPlatform.Engine.Interventions.InterventionTruthCalculator.Compute(sim, 0, windowStart, new DateOnly(2026, 6, 1), new DateOnly(2026, 6, 15), Environment.ProcessorCount);
        Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
            $"truth (one increment, 2026-06-15: its month): rows={month.Count} seconds={clock.Elapsed.TotalSeconds:0.000}"));
        break;
    }
    default:
        Console.Error.WriteLine($"unknown mode '{mode}'; use engine, insert, increment, trace or interventions");
        return 2;
}
return 0;

static long Evaluate(Population population, DateOnly windowStart, int threads)
{
    long rows = 0;
    // Blocks as the loader streams them (larger blocks keep more events alive across collections).
    foreach (var block in new Simulator(population).Evaluate(windowStart, windowStart, new DateOnly(2026, 6, 30), threads, Backfill.EngineBlockSize))
    {
        rows += block.Stimuli.Count + block.Outcomes.Count + block.Rx.Count;
    }
    return rows;
}

static async Task Execute(NpgsqlConnection connection, string sql)
{
    await using var cmd = new NpgsqlCommand(sql, connection) { CommandTimeout = 0 };
    await cmd.ExecuteNonQueryAsync();
}
