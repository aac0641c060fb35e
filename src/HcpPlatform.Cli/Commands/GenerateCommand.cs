using System.CommandLine;
using System.Globalization;
using HcpPlatform.Data.Loading;
using HcpPlatform.Data.Platform;
using HcpPlatform.Data.Validation;
using HcpPlatform.Engine.Config;
using HcpPlatform.Engine.Generators;
using Npgsql;
using Spectre.Console;

namespace HcpPlatform.Cli.Commands;

/// <summary><c>hcp generate</c>: backfill a dataset at a scale, atomically (000 Task 12, seeds/001).</summary>
internal static class GenerateCommand
{
    public static Command Create()
    {
        var seed = CliOptions.Seed();
        var hcps = CliOptions.Int("--hcps", "Number of HCP profiles (default: the scenario's, 2,000 for development).", 1, Scenario.MaxHcps);
        var months = CliOptions.Int("--months", "Months of history ending on --as-of (default: the scenario's, 12 for development).", 1, Scenario.MaxMonths);
        var scenario = CliOptions.ScenarioOption();
        var wipe = CliOptions.Flag("--wipe", "Replace the existing dataset (asks first on a terminal; needs --yes otherwise).");
        var yes = CliOptions.Flag("--yes", "Confirm --wipe without asking.");
        var asOf = CliOptions.AsOf();
        var parallelism = CliOptions.Int("--parallelism", "Engine threads (default: all cores); the data does not depend on it.", 1, 256);
        var fixtures = new Option<FileInfo?>("--fixtures") { Description = "JSON file of known HCPs that take the first slots." };
        var json = CliOptions.Json();
        var validateOnly = CliOptions.Flag("--validate-only", "Only validate the existing dataset (same as 'hcp validate').");
        var format = new Option<string>("--format") { Description = "Where the dataset goes: postgres (the database, default) or parquet (files in --out, no database).", DefaultValueFactory = _ => "postgres" };
        format.AcceptOnlyFromAmong("postgres", "parquet");
        var outDir = ParquetCommands.Out("Parquet only: a new or empty folder to write the dataset (or the shard) into.");
        var shard = new Option<string?>("--shard") { Description = "Parquet only: write shard I of N (I/N, a slice of the HCPs); needs --as-of, so that every shard simulates the same days." };
        var uuidType = ParquetCommands.UuidType();

        var command = new Command("generate", "Generate (backfill) the dataset: profiles, territories, campaigns, touches, responses, prescribing.")
        {
            seed, hcps, months, scenario, wipe, yes, asOf, parallelism, fixtures, json, validateOnly, format, outDir, shard, uuidType,
        };
        command.Validators.Add(r =>
        {
            if (r.GetValue(validateOnly) && r.GetValue(wipe))
            {
                r.AddError("--validate-only checks the existing dataset and cannot be combined with --wipe, which replaces it.");
            }
            if (r.GetValue(format) == "parquet")
            {
                if (r.GetValue(outDir) is null)
                {
                    r.AddError("--format=parquet needs --out=DIR, a new or empty folder to write into.");
                }
                foreach (var (given, name) in new[] { (r.GetValue(wipe), "--wipe"), (r.GetValue(yes), "--yes"), (r.GetValue(validateOnly), "--validate-only") })
                {
                    if (given)
                    {
                        r.AddError($"{name} applies to the database and cannot be combined with --format=parquet, which writes files to --out.");
                    }
                }
                if (r.GetValue(shard) is not null && r.GetValue(asOf) is null)
                {
                    r.AddError("--shard needs --as-of=YYYY-MM-DD: every shard of a run must simulate the same days, whenever and wherever it runs.");
                }
            }
            else
            {
                foreach (var (given, name) in new[] { (r.GetValue(outDir) is not null, "--out"), (r.GetValue(shard) is not null, "--shard"), (r.GetValue(uuidType) is not null, "--uuid-type") })
                {
                    if (given)
                    {
                        r.AddError($"{name} applies to --format=parquet only.");
                    }
                }
            }
        });
        command.SetAction(async (r, ct) =>
        {
            var output = new CliOutput(r.GetValue(json));
            if (r.GetValue(validateOnly))
            {
                return await ValidateCommand.RunAsync(output, ct);
            }
            var preset = r.GetValue(scenario);
            var parameters = new GenerationParameters
            {
                Seed = r.GetValue(seed) ?? 42,
                Hcps = r.GetValue(hcps) ?? (preset ?? Scenario.Development).Hcps,
                Months = r.GetValue(months) ?? (preset ?? Scenario.Development).Months,
                AsOf = r.GetValue(asOf) ?? DateOnly.FromDateTime(DateTime.UtcNow),
                Parallelism = r.GetValue(parallelism) ?? Environment.ProcessorCount,
            };
            if (SupportedDates.WindowProblem("--months", parameters.AsOf, parameters.Months) is { } windowProblem)
            {
                throw new UsageException(windowProblem);
            }
            parameters = parameters with
            {
                Scenario = ScenarioName(preset, parameters.Hcps, parameters.Months),
                Fixtures = LoadFixtures(r.GetValue(fixtures), parameters.Config, parameters.Hcps),
            };
            if (r.GetValue(format) == "parquet")
            {
                var part = Parquet.ShardNumber.Whole;
                if (r.GetValue(shard) is { } text && !Parquet.ShardNumber.TryParse(text, parameters.Hcps, out part, out var error))
                {
                    throw new UsageException($"--shard {error}");
                }
                return await ParquetCommands.GenerateAsync(output, parameters, r.GetValue(outDir)!, part, ParquetCommands.ParseUuidType(r.GetValue(uuidType)), ct);
            }
            return await RunAsync(output, parameters, r.GetValue(wipe), r.GetValue(yes), ct);
        });
        return command;
    }

    private static string ScenarioName(Scenario? preset, int hcps, int months)
    {
        var match = Scenario.All.FirstOrDefault(s => s.Hcps == hcps && s.Months == months);
        return preset is not null && preset.Hcps == hcps && preset.Months == months ? preset.Name : match?.Name ?? "custom";
    }

    private static IReadOnlyList<FixtureHcp> LoadFixtures(FileInfo? file, SimulationConfig config, int hcps)
    {
        if (file is null)
        {
            return [];
        }
        if (Directory.Exists(file.FullName))
        {
            throw new UsageException($"--fixtures '{file.FullName}' is a folder; give a JSON file holding an array of HCPs (npi, firstName, lastName, …).");
        }
        if (!file.Exists)
        {
            throw new UsageException($"--fixtures file '{file.FullName}' does not exist; give a JSON array of HCPs (npi, firstName, lastName, …).");
        }
        try
        {
            var list = Fixtures.Parse(File.ReadAllText(file.FullName), config, file.Name);
            if (FixtureColumns.Problem(list, file.Name) is { } tooLong)
            {
                throw new UsageException(tooLong);
            }
            if (list.Count > hcps)
            {
                throw new UsageException($"--fixtures has {list.Count} HCPs but --hcps is {hcps}; --hcps must be at least the number of fixtures.");
            }
            return list;
        }
        catch (FixtureException e)
        {
            throw new UsageException(e.Message);
        }
    }

    private static async Task<int> RunAsync(CliOutput output, GenerationParameters p, bool wipe, bool yes, CancellationToken ct)
    {
        await using var dataSource = await CliDatabase.ConnectAsync(output.Note, ct);
        var existing = await DatasetState.ReadAsync(dataSource, ct);
        if (existing is not null && !wipe)
        {
            if (existing.HcpCount >= p.Hcps)
            {
                output.Note($"Data already exists: {existing.Describe()}. Nothing generated; use --wipe to regenerate.");
                if (output.Json)
                {
                    output.WriteJson(new { status = "exists", dataset = existing });
                }
                return ExitCodes.Success;
            }
            throw new UsageException($"A smaller dataset exists ({existing.Describe()}); regenerate at {p.Hcps:N0} HCPs with --wipe (seeds/001: regenerate at the new scale, never add).");
        }
        if (existing is not null && wipe && !yes)
        {
            if (!CliOutput.CanPrompt)
            {
                throw new UsageException($"--wipe would replace the existing dataset ({existing.Describe()}); add --yes to confirm when not running on a terminal.");
            }
            if (!AnsiConsole.Confirm($"Replace the existing dataset ({existing.Describe()})?", defaultValue: false))
            {
                output.Note("Nothing changed.");
                return ExitCodes.Failure;
            }
        }

        output.Note($"Generating {p.Hcps:N0} HCPs × {p.Months} months through {p.AsOf:yyyy-MM-dd} (seed {p.Seed}, scenario {p.Scenario}, {p.Parallelism} threads)…");
        BackfillResult result;
        try
        {
            result = output.Interactive
                ? await WithProgressBarsAsync(dataSource, p, ct)
                : await Backfill.RunAsync(dataSource, p, new PlainProgress(output), ct);
        }
        catch (ValidationFailedException e)
        {
            ValidateCommand.Print(output, e.Report);
            throw new CliFailureException(e.Message);
        }
        catch (OperationCanceledException)
        {
            throw new CliFailureException("Cancelled; the previous dataset is unchanged.");
        }
        Print(output, result);
        return ExitCodes.Success;
    }

    private static async Task<BackfillResult> WithProgressBarsAsync(NpgsqlDataSource dataSource, GenerationParameters p, CancellationToken ct)
    {
        BackfillResult? result = null;
        await AnsiConsole.Progress()
            .Columns(new TaskDescriptionColumn(), new ProgressBarColumn(), new PercentageColumn(), new ElapsedTimeColumn(), new SpinnerColumn())
            .StartAsync(async ctx =>
            {
                var tasks = new Dictionary<string, ProgressTask>(StringComparer.Ordinal);
                var gate = new object();
                var progress = new CallbackProgress<TableProgress>(t =>
                {
                    lock (gate)
                    {
                        if (!tasks.TryGetValue(t.Table, out var task))
                        {
                            task = ctx.AddTask(t.Table, maxValue: Math.Max(1, t.Expected));
                            tasks[t.Table] = task;
                        }
                        if (t.Done)
                        {
                            task.MaxValue = Math.Max(1, t.Rows);
                        }
                        else if (t.Rows > task.MaxValue)
                        {
                            task.MaxValue = t.Rows * 1.05;
                        }
                        task.Value = t.Rows;
                        task.Description = $"{t.Table} {t.Rows:N0}";
                    }
                });
                result = await Backfill.RunAsync(dataSource, p, progress, ct);
            });
        return result!;
    }

    private static void Print(CliOutput output, BackfillResult r)
    {
        var copySeconds = r.StageSeconds.GetValueOrDefault("generate_and_copy");
        var totalRows = r.Counts.Values.Sum();
        if (output.Json)
        {
            output.WriteJson(new
            {
                status = "succeeded",
                runId = r.RunId,
                parameters = new { r.Parameters.Seed, r.Parameters.Hcps, r.Parameters.Months, r.Parameters.Scenario, asOf = r.Parameters.AsOf, windowStart = r.Parameters.WindowStart, fixtures = r.Parameters.Fixtures.Count },
                counts = r.Counts,
                checksums = r.Checksums,
                stageSeconds = r.StageSeconds,
                totalSeconds = Math.Round(r.TotalSeconds, 3),
                rowsPerSecond = Math.Round(totalRows / Math.Max(0.001, r.TotalSeconds)),
                validation = new { passed = r.Validation.Passed, checks = r.Validation.Checks },
            });
            return;
        }
        output.Table(["table", "rows", "rows/s (load)", "checksum"], r.Counts.Select(c => new[]
        {
            c.Key, c.Value.ToString("N0", CultureInfo.InvariantCulture),
            (c.Value / Math.Max(0.001, copySeconds)).ToString("N0", CultureInfo.InvariantCulture), r.Checksums.TryGetValue(c.Key, out var sum) ? sum[..Math.Min(8, sum.Length)] : "-",
        }));
        var stages = string.Join(", ", r.StageSeconds.Select(s => $"{s.Key} {s.Value:0.00}s"));
        output.Result($"Total {totalRows:N0} rows in {r.TotalSeconds:0.00}s ({totalRows / Math.Max(0.001, r.TotalSeconds):N0} rows/s). Stages: {stages}.");
        output.Result($"Validation before the swap: passed ({r.Validation.Checks.Count} integrity and structure checks). Run {r.RunId}. "
            + "'hcp validate' adds the volume, fidelity and query-time checks.");
    }

    /// <summary>Plain progress lines for logs and pipes: one line per table when it completes.</summary>
    private sealed class PlainProgress(CliOutput output) : IProgress<TableProgress>
    {
        public void Report(TableProgress value)
        {
            if (value.Done)
            {
                output.Note($"  {value.Table}: {value.Rows:N0} rows");
            }
        }
    }
}

/// <summary>An IProgress that calls back on the reporting thread (Progress&lt;T&gt; would post to the thread pool out of order).</summary>
internal sealed class CallbackProgress<T>(Action<T> callback) : IProgress<T>
{
    public void Report(T value) => callback(value);
}
