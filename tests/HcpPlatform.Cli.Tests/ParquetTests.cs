using System.Diagnostics;
using System.Security.Cryptography;
using System.Text.Json;
using HcpPlatform.Testing;

namespace HcpPlatform.Cli.Tests;

/// <summary>
/// Parquet output read by DuckDB, a reader this project did not write: generated without a database, exported from
/// PostgreSQL, and as three shards, each compared table by table with PostgreSQL's rows for the same seed.
/// </summary>
[Collection(PostgresFixture.CollectionName)]
public sealed class ParquetTests(PostgresFixture postgres)
{
    /// <summary>Five months ending mid-month: generation evaluates three months at a time, so outcomes cross from one evaluation into the next.</summary>
    private static readonly string[] Dataset = ["--seed=7", "--hcps=300", "--months=5", "--as-of=2026-03-20"];
    private static readonly string[] EventTables = ["stimuli_events", "outcome_events", "prescribing_history"];
    private static readonly string[] GlobalTables = ["campaigns", "channel_capacity", "ground_truth", "dataset_info"];

    /// <summary>A connection string to a port nothing listens on: a command that tried the database would fail.</summary>
    private const string NoDatabase = "Host=127.0.0.1;Port=1;Username=none;Password=none;Database=none;Timeout=2";

    [Fact]
    public async Task Generated_exported_and_sharded_parquet_hold_postgresqls_rows_with_the_documented_schema()
    {
        var db = await postgres.CreateDatabaseAsync();
        var root = PostgresFixture.CreateScratchDirectory();
        try
        {
            var backfill = await CliProcess.RunAsync(db, ["generate", .. Dataset]);
            Assert.True(backfill.ExitCode == 0, backfill.Stderr);
            string Dir(string name) => Path.Combine(root, name);

            // Generation never touches a database; five runs at once (the machine has two cores: they mostly wait on each other).
            var runs = await Task.WhenAll(
                CliProcess.RunAsync(db, "export", "--format=parquet", $"--out={Dir("export")}", "--json"),
                CliProcess.RunAsync(NoDatabase, ["generate", "--format=parquet", $"--out={Dir("single")}", "--parallelism=1", "--json", .. Dataset]),
                CliProcess.RunAsync(NoDatabase, ["generate", "--format=parquet", $"--out={Dir("shards/1")}", "--shard=1/3", "--parallelism=1", .. Dataset]),
                CliProcess.RunAsync(NoDatabase, ["generate", "--format=parquet", $"--out={Dir("shards/2")}", "--shard=2/3", "--parallelism=1", .. Dataset]),
                CliProcess.RunAsync(NoDatabase, ["generate", "--format=parquet", $"--out={Dir("shards/3")}", "--shard=3/3", "--parallelism=1", .. Dataset]));
            Assert.All(runs, r => Assert.True(r.ExitCode == 0, r.Stderr + r.Stdout));
            var exported = JsonDocument.Parse(runs[0].Stdout).RootElement;
            Assert.Equal(11, exported.GetProperty("counts").EnumerateObject().Count());

            var columns = await Digests.ColumnsAsync(db);
            Assert.Equal(11, columns.Count);
            using var duck = Digests.OpenDuckDb();
            foreach (var (table, cols) in columns)
            {
                var expected = await Digests.PostgresAsync(db, table, cols);
                Assert.True(expected.Rows > 0, table);
                Assert.Equal(expected, Digests.DuckDb(duck, [$"{Dir("export")}/{table}/**/*.parquet"], cols));
                Assert.Equal(expected, Digests.DuckDb(duck, [$"{Dir("single")}/{table}/**/*.parquet"], cols));
                // The union of the shards: every table read across the three folders at once.
                Assert.Equal(expected, Digests.DuckDb(duck, [$"{Dir("shards")}/*/{table}/**/*.parquet"], cols));

                // Schema as documented: PostgreSQL's columns in order, with their logical types.
                var schema = Digests.Query(duck, $"SELECT name, logical_type FROM parquet_schema('{Directory.EnumerateFiles(Dir("single"), "*.parquet", SearchOption.AllDirectories).First(f => f.Contains($"/{table}/", StringComparison.Ordinal))}') WHERE name <> 'schema'");
                Assert.Equal(cols.Select(c => c.Name), schema.Select(r => (string)r[0]!));
                foreach (var (name, type) in cols)
                {
                    var logical = (string?)schema.Single(r => (string)r[0]! == name)[1] ?? "";
                    var expectedLogical = type switch
                    {
                        "uuid" => "UUIDType",
                        "timestamp with time zone" => "TimestampType(isAdjustedToUTC=1, unit=TimeUnit(MILLIS=<null>, MICROS=MicroSeconds()",
                        "date" => "DateType",
                        "jsonb" => "JsonType",
                        "character varying" or "text" => "StringType",
                        _ => "",
                    };
                    Assert.True(logical.StartsWith(expectedLogical, StringComparison.Ordinal), $"{table}.{name} ({type}) is {logical}");
                }
            }

            // Event tables: one Hive-style folder per month, and every row in the folder of its own month (Rx: the months that
            // ended in the window, the running month's row not yet written).
            string[] months = ["2025-10", "2025-11", "2025-12", "2026-01", "2026-02", "2026-03"];
            foreach (var (table, dateColumn, last) in new[] { ("stimuli_events", "event_date", 6), ("outcome_events", "event_date", 6), ("prescribing_history", "month", 5) })
            {
                var folders = Directory.GetDirectories(Path.Combine(Dir("single"), table)).Select(d => Path.GetFileName(d)!).Order(StringComparer.Ordinal).ToArray();
                Assert.Equal(months[..last].Select(m => "event_month=" + m), folders);
                var misplaced = Digests.Query(duck, $"SELECT count(*) FROM read_parquet('{Dir("shards")}/*/{table}/*/*.parquet', hive_partitioning = true) WHERE strftime({dateColumn}, '%Y-%m') <> event_month");
                Assert.Equal(0L, Convert.ToInt64(misplaced[0][0], System.Globalization.CultureInfo.InvariantCulture));
            }
            // The documented check that the shards' derived columns are what the events say (README, "Beyond one machine").
            var shards = Dir("shards");
            var wrong = Digests.Query(duck, $"""
                WITH t AS (
                    SELECT s.campaign_id, s.hcp_id, count(DISTINCT s.id) AS touches, count(o.id) AS responses
                    FROM read_parquet('{shards}/*/stimuli_events/*/*.parquet') s
                    LEFT JOIN read_parquet('{shards}/*/outcome_events/*/*.parquet') o ON o.stimulus_id = s.id
                    WHERE s.campaign_id IS NOT NULL
                    GROUP BY ALL)
                SELECT count(*), sum(p.touch_count)
                FROM read_parquet('{shards}/*/campaign_participation/*.parquet') p
                LEFT JOIN t USING (campaign_id, hcp_id)
                WHERE p.touch_count <> coalesce(t.touches, 0) OR p.response_count <> coalesce(t.responses, 0)
                """);
            Assert.Equal(0L, Convert.ToInt64(wrong[0][0], System.Globalization.CultureInfo.InvariantCulture));

            // The dataset-wide tables come once, from shard 1.
            foreach (var table in GlobalTables)
            {
                Assert.True(File.Exists(Path.Combine(Dir("shards/1"), table, table + ".parquet")), table);
                Assert.False(Directory.Exists(Path.Combine(Dir("shards/2"), table)), table);
            }

            // The manifest: every file with its rows and SHA-256.
            foreach (var output in new[] { "export", "single", "shards/2" })
            {
                using var manifest = JsonDocument.Parse(await File.ReadAllTextAsync(Path.Combine(Dir(output), "manifest.json")));
                var files = manifest.RootElement.GetProperty("files").EnumerateArray().ToList();
                Assert.Equal(Directory.GetFiles(Dir(output), "*.parquet", SearchOption.AllDirectories).Length, files.Count);
                foreach (var f in files)
                {
                    var path = Path.Combine(Dir(output), f.GetProperty("file").GetString()!);
                    Assert.Equal(f.GetProperty("sha256").GetString(), Convert.ToHexStringLower(SHA256.HashData(await File.ReadAllBytesAsync(path))));
                    var rows = Digests.Query(duck, $"SELECT count(*) FROM read_parquet('{path}')");
                    Assert.Equal(f.GetProperty("rows").GetInt64(), Convert.ToInt64(rows[0][0], System.Globalization.CultureInfo.InvariantCulture));
                }
            }

            // Same dataset → byte-identical files, whatever the threads: a second generation (two threads) and a second export.
            var again = await Task.WhenAll(
                CliProcess.RunAsync(NoDatabase, ["generate", "--format=parquet", $"--out={Dir("single-again")}", "--parallelism=2", .. Dataset]),
                CliProcess.RunAsync(db, "export", "--format=parquet", $"--out={Dir("export-again")}"));
            Assert.All(again, r => Assert.True(r.ExitCode == 0, r.Stderr));
            Assert.Equal(await File.ReadAllTextAsync(Path.Combine(Dir("single"), "manifest.json")), await File.ReadAllTextAsync(Path.Combine(Dir("single-again"), "manifest.json")));
            Assert.Equal(await File.ReadAllTextAsync(Path.Combine(Dir("export"), "manifest.json")), await File.ReadAllTextAsync(Path.Combine(Dir("export-again"), "manifest.json")));

            // uuids as text (for Spark): the same rows, read as strings.
            var text = await CliProcess.RunAsync(NoDatabase, ["generate", "--format=parquet", $"--out={Dir("text")}", "--uuid-type=text", .. Dataset]);
            Assert.True(text.ExitCode == 0, text.Stderr);
            var stimuli = columns["stimuli_events"];
            Assert.Equal(await Digests.PostgresAsync(db, "stimuli_events", stimuli), Digests.DuckDb(duck, [$"{Dir("text")}/stimuli_events/**/*.parquet"], stimuli));
            var idType = Digests.Query(duck, $"SELECT typeof(id) FROM read_parquet('{Dir("text")}/stimuli_events/*/*.parquet') LIMIT 1");
            Assert.Equal("VARCHAR", idType[0][0]);
        }
        finally
        {
            Directory.Delete(root, recursive: true);
        }
    }

    [Fact]
    public async Task A_bad_out_folder_is_a_usage_error_and_nothing_is_left_behind()
    {
        var root = PostgresFixture.CreateScratchDirectory();
        try
        {
            var file = Path.Combine(root, "a-file");
            await File.WriteAllTextAsync(file, "x");
            var full = Path.Combine(root, "full");
            Directory.CreateDirectory(full);
            await File.WriteAllTextAsync(Path.Combine(full, "keep.txt"), "x");
            foreach (var (target, says) in new[] { (file, "is a file"), (full, "is not empty"), ("/proc/hcp-parquet", "cannot be written") })
            {
                var run = await CliProcess.RunAsync(NoDatabase, ["generate", "--format=parquet", $"--out={target}", .. Dataset]);
                Assert.True(run.ExitCode == 2, run.Stderr);
                Assert.Contains(says, run.Stderr, StringComparison.Ordinal);
                var export = await CliProcess.RunAsync(NoDatabase, "export", "--format=parquet", $"--out={target}");
                Assert.True(export.ExitCode == 2, export.Stderr);
                Assert.Contains(says, export.Stderr, StringComparison.Ordinal);
            }
            Assert.Equal("x", await File.ReadAllTextAsync(file));
            Assert.Equal(["keep.txt"], Directory.GetFileSystemEntries(full).Select(d => Path.GetFileName(d)!));
            Assert.Equal(["a-file", "full", "owner.pid"], Directory.GetFileSystemEntries(root).Select(d => Path.GetFileName(d)!).Order(StringComparer.Ordinal));
            Assert.Empty(Directory.GetDirectories("/proc", "*hcp-parquet*"));

            foreach (var (args, says) in new (string[], string)[]
            {
                (["--shard=2/3"], "--shard needs --as-of"),
                (["--as-of=2026-03-31", "--shard=4/3"], "names no shard"),
                (["--as-of=2026-03-31", "--shard=two"], "is not I/N"),
                (["--wipe"], "--wipe applies to the database"),
                (["--uuid-type=binary"], "--uuid-type 'binary' is not allowed"),
            })
            {
                var run = await CliProcess.RunAsync(NoDatabase, ["generate", "--format=parquet", $"--out={Path.Combine(root, "never")}", "--hcps=10", .. args]);
                Assert.True(run.ExitCode == 2, run.Stderr);
                Assert.Contains(says, run.Stderr, StringComparison.Ordinal);
            }
            // What a killed run left beside its target goes with the next run for the same target.
            var abandoned = Path.Combine(root, ".small.partial-999999999");
            Directory.CreateDirectory(Path.Combine(abandoned, "hcp_profiles"));
            var small = await CliProcess.RunAsync(NoDatabase, "generate", "--format=parquet", $"--out={Path.Combine(root, "small")}", "--hcps=20", "--months=1");
            Assert.True(small.ExitCode == 0, small.Stderr);
            Assert.False(Directory.Exists(abandoned));
            Assert.True(File.Exists(Path.Combine(root, "small", "manifest.json")));

            var noOut = await CliProcess.RunAsync(NoDatabase, "generate", "--format=parquet");
            Assert.Equal(2, noOut.ExitCode);
            Assert.Contains("needs --out", noOut.Stderr, StringComparison.Ordinal);
            Assert.False(Directory.Exists(Path.Combine(root, "never")));
        }
        finally
        {
            Directory.Delete(root, recursive: true);
        }
    }

    [Fact]
    public async Task An_interrupted_generation_leaves_neither_the_folder_nor_its_partial_files()
    {
        var root = PostgresFixture.CreateScratchDirectory();
        try
        {
            var target = Path.Combine(root, "out");
            await using var process = CliProcess.Start(NoDatabase, ["generate", "--format=parquet", $"--out={target}", "--hcps=50000", "--months=12", "--as-of=2026-03-31"]);
            // Wait until events are being written beside the target, then interrupt (Ctrl-C).
            await Poll.UntilAsync(() =>
            {
                Assert.False(process.HasExited, "the generation ended before the test could interrupt it");
                return Task.FromResult(Directory.EnumerateFiles(root, "*.parquet", SearchOption.AllDirectories).Any(f => f.Contains("stimuli_events", StringComparison.Ordinal)));
            }, "a stimuli_events file being written", TimeSpan.FromSeconds(120));
            await process.InterruptAsync();
            var run = await process.WaitForExitAsync(TimeSpan.FromSeconds(60));
            Assert.True(run.ExitCode == 1, run.Output);
            Assert.Equal(["owner.pid"], Directory.GetFileSystemEntries(root).Select(d => Path.GetFileName(d)!));
        }
        finally
        {
            Directory.Delete(root, recursive: true);
        }
    }
}
