using System.CommandLine;
using System.Globalization;
using System.Runtime.InteropServices;
using HcpPlatform.Data.Export;
using HcpPlatform.Data.Loading;
using HcpPlatform.Parquet;
using Spectre.Console;

namespace HcpPlatform.Cli.Commands;

/// <summary>
/// The Parquet side of <c>hcp generate</c> and <c>hcp export</c>: output folder checks (exit 2 before any work), progress,
/// and the summary. Generation needs no database; export reads the one in place.
/// </summary>
internal static class ParquetCommands
{
    public static Option<string?> UuidType() => new("--uuid-type")
    {
        Description = "Parquet only: uuid columns as the Parquet UUID type (uuid, the default) or as 36-character text (text, for Spark).",
    };

    public static Option<string?> Out(string description) => new("--out") { Description = description };

    public static UuidType ParseUuidType(string? text) => text switch
    {
        null or "uuid" => Parquet.UuidType.Uuid,
        "text" => Parquet.UuidType.Text,
        _ => throw new UsageException($"--uuid-type '{text}' is not allowed; use uuid (the Parquet UUID type) or text (for Spark, which rejects the UUID type)."),
    };

    public static async Task<int> GenerateAsync(CliOutput output, GenerationParameters p, string outDir, ShardNumber shard, UuidType uuids, CancellationToken cancel)
    {
        using var target = Prepare(outDir);
        using var interruption = new Interruption(cancel);
        var ct = interruption.Token;
        output.Note($"Generating shard {shard} of {p.Hcps:N0} HCPs × {p.Months} months through {p.AsOf:yyyy-MM-dd} (seed {p.Seed}, scenario {p.Scenario}, {p.Parallelism} threads) as Parquet, no database…");
        var request = new ParquetGenerationRequest
        {
            Seed = p.Seed,
            Hcps = p.Hcps,
            Months = p.Months,
            Scenario = p.Scenario,
            AsOf = p.AsOf,
            Fixtures = p.Fixtures,
            Config = p.Config,
            ParametersJson = p.ToJson(),
            Parallelism = p.Parallelism,
            Shard = shard,
            Uuids = uuids,
        };
        // The shard's share of the expected volumes, for the progress bars.
        var share = (double)Engine.Simulation.HcpSlice.ForShard(shard.Index, shard.Count, p.Hcps).Count / p.Hcps;
        var expected = ExpectedVolumes.For(p).ToDictionary(x => x.Key, x => (long)(x.Value * share), StringComparer.Ordinal);
        var result = await RunAsync(output, expected, progress => Task.Run(() => ParquetGeneration.Write(request, target.Working, progress, ct), ct));
        target.Commit();
        Print(output, result, target.Target);
        return ExitCodes.Success;
    }

    public static async Task<int> ExportAsync(CliOutput output, string outDir, UuidType uuids, CancellationToken cancel)
    {
        using var target = Prepare(outDir);
        using var interruption = new Interruption(cancel);
        var ct = interruption.Token;
        await using var dataSource = await CliDatabase.ConnectAsync(output.Note, ct);
        var result = await RunAsync(output, new Dictionary<string, long>(StringComparer.Ordinal),
            progress => ParquetExport.WriteAsync(dataSource, target.Working, uuids, progress, ct))
            ?? throw new CliFailureException("There is no dataset to export yet; run 'hcp generate' first.");
        target.Commit();
        Print(output, result, target.Target);
        return ExitCodes.Success;
    }

    /// <summary>
    /// A token cancelled by Ctrl-C or SIGTERM as well as by <paramref name="ct"/>: the files written so far are then removed
    /// before the process exits (without it, the signal ends the process at once and the next run removes them).
    /// </summary>
    private sealed class Interruption : IDisposable
    {
        private readonly CancellationTokenSource _source;
        private readonly PosixSignalRegistration[] _signals;

        public Interruption(CancellationToken ct)
        {
            _source = CancellationTokenSource.CreateLinkedTokenSource(ct);
            _signals = [PosixSignalRegistration.Create(PosixSignal.SIGINT, Cancel), PosixSignalRegistration.Create(PosixSignal.SIGTERM, Cancel)];
        }

        public CancellationToken Token => _source.Token;

        private void Cancel(PosixSignalContext context)
        {
            context.Cancel = true;
            try
            {
                _source.Cancel();
            }
            catch (ObjectDisposedException)
            {
                // A signal whose handler was already running when the run ended (disposing a registration does not wait
                // for it): there is nothing left to cancel, and it must not end the process with a stack trace.
            }
        }

        public void Dispose()
        {
            foreach (var signal in _signals)
            {
                signal.Dispose();
            }
            _source.Dispose();
        }
    }

    private static OutputDirectory Prepare(string outDir)
    {
        try
        {
            return OutputDirectory.Prepare(outDir);
        }
        catch (OutputDirectoryException e)
        {
            throw new UsageException(e.Message);
        }
    }

    private static async Task<T> RunAsync<T>(CliOutput output, IReadOnlyDictionary<string, long> expected, Func<IProgress<ParquetProgress>, Task<T>> work)
    {
        if (!output.Interactive)
        {
            return await work(new CallbackProgress<ParquetProgress>(t =>
            {
                if (t.Done)
                {
                    output.Note($"  {t.Table}: {t.Rows:N0} rows");
                }
            }));
        }
        T result = default!;
        await AnsiConsole.Progress()
            .Columns(new TaskDescriptionColumn(), new ProgressBarColumn(), new PercentageColumn(), new ElapsedTimeColumn(), new SpinnerColumn())
            .StartAsync(async ctx =>
            {
                var tasks = new Dictionary<string, ProgressTask>(StringComparer.Ordinal);
                var gate = new object();
                result = await work(new CallbackProgress<ParquetProgress>(t =>
                {
                    lock (gate)
                    {
                        if (!tasks.TryGetValue(t.Table, out var task))
                        {
                            var max = expected.GetValueOrDefault(t.Table);
                            task = ctx.AddTask(t.Table, maxValue: Math.Max(1, max));
                            task.IsIndeterminate = max == 0 && !t.Done;
                            tasks[t.Table] = task;
                        }
                        if (t.Done)
                        {
                            task.IsIndeterminate = false;
                            task.MaxValue = Math.Max(1, t.Rows);
                        }
                        else if (t.Rows > task.MaxValue)
                        {
                            task.MaxValue = t.Rows * 1.05;
                        }
                        task.Value = t.Rows;
                        task.Description = $"{t.Table} {t.Rows:N0}";
                    }
                }));
            });
        return result;
    }

    private static void Print(CliOutput output, ParquetOutput r, string directory)
    {
        var rows = r.Counts.Values.Sum();
        var rate = rows / Math.Max(0.001, r.TotalSeconds);
        if (output.Json)
        {
            output.WriteJson(new
            {
                status = "succeeded",
                directory,
                format = "parquet",
                shard = r.Manifest.Shard,
                counts = r.Counts,
                files = r.Manifest.Files.Count,
                bytes = r.Manifest.Files.Sum(f => new FileInfo(Path.Combine(directory, f.File)).Length),
                stageSeconds = r.StageSeconds,
                totalSeconds = Math.Round(r.TotalSeconds, 3),
                rowsPerSecond = Math.Round(rate),
                manifest = r.Manifest,
            });
            return;
        }
        output.Table(["table", "rows", "files"], r.Counts.Select(c => new[]
        {
            c.Key, c.Value.ToString("N0", CultureInfo.InvariantCulture),
            r.Manifest.Files.Count(f => f.Table == c.Key).ToString(CultureInfo.InvariantCulture),
        }));
        var stages = string.Join(", ", r.StageSeconds.Select(s => $"{s.Key} {s.Value:0.00}s"));
        output.Result($"Total {rows:N0} rows in {r.TotalSeconds:0.00}s ({rate:N0} rows/s). Stages: {stages}.");
        output.Result($"Written to {directory} ({r.Manifest.Files.Count} files, {ParquetManifest.FileName} lists their rows and SHA-256).");
    }
}
