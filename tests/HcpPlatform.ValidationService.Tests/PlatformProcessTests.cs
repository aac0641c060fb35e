using System.Diagnostics;
using System.Globalization;
using System.Net;
using System.Net.Http.Json;
using System.Text;
using System.Text.Json;
using HcpPlatform.Data.Postgres;
using HcpPlatform.Testing;
using Npgsql;

namespace HcpPlatform.ValidationService.Tests;

/// <summary>
/// Issue 8 item 5: the platform without Aspire, as separate processes on one database: the migration worker runs to
/// completion, then the generator, the validation service and the admin API start, and a full cycle is driven through
/// the admin API: a backfill, two accelerated simulated days, and the validations that follow them.
/// </summary>
[Collection(PostgresFixture.CollectionName)]
public sealed class PlatformProcessTests(PostgresFixture postgres)
{
    private const string AdminKey = "process-tests-admin-key-0123456789abcdefghij";
    private static readonly TimeSpan Deadline = TimeSpan.FromSeconds(90);

    [Fact]
    public async Task BackfillTwoAcceleratedDaysAndValidationThroughTheAdminApi()
    {
        using var timeout = new CancellationTokenSource(TimeSpan.FromMinutes(4));
        var ct = timeout.Token;
        var connectionString = await postgres.CreateDatabaseAsync(ct: ct);

        using (var migrations = ServiceProcess.Start("HcpPlatform.MigrationService", connectionString, null))
        {
            var exit = await migrations.WaitForExitAsync(ct);
            Assert.True(exit == 0, migrations.Output);
        }

        await using var generator = ServiceProcess.Start("HcpPlatform.Generator", connectionString, LocalPorts.FindFree());
        await using var validation = ServiceProcess.Start("HcpPlatform.ValidationService", connectionString, LocalPorts.FindFree(),
            ("Validation__PollInterval", "00:00:05"), ("Validation__ScheduleInterval", "00:00:00"));
        await using var admin = ServiceProcess.Start("HcpPlatform.AdminApi", connectionString, LocalPorts.FindFree(),
            ("AdminApi__BootstrapKey", AdminKey));
        await Task.WhenAll(generator.WaitHealthyAsync(Deadline, ct), validation.WaitHealthyAsync(Deadline, ct), admin.WaitHealthyAsync(Deadline, ct));
        admin.Client.DefaultRequestHeaders.Add("X-Api-Key", AdminKey);

        // 1. Backfill through the admin API.
        var dataset = ServiceUnderTest.SmallDataset;
        using var accepted = await admin.Client.PostAsJsonAsync(new Uri("/api/admin/generation/backfill", UriKind.Relative), new
        {
            seed = dataset.Seed,
            hcps = dataset.Hcps,
            months = dataset.Months,
            asOf = dataset.AsOf.ToString("yyyy-MM-dd", CultureInfo.InvariantCulture),
            confirm = "REGENERATE",
        }, ct);
        Assert.True(accepted.StatusCode == HttpStatusCode.Accepted, await accepted.Content.ReadAsStringAsync(ct));
        var backfillRun = (await accepted.Content.ReadFromJsonAsync<JsonElement>(ct)).GetProperty("runId").GetGuid();
        var status = await PollAsync(async () =>
        {
            var run = await admin.Client.GetFromJsonAsync<JsonElement>(new Uri($"/api/admin/runs/{backfillRun}", UriKind.Relative), ct);
            return run.GetProperty("status").GetString() is var s && s != "running" ? s : null;
        }, ct);
        Assert.Equal("succeeded", status);

        // 2. Two accelerated simulated days: start, wait for the watermark to move two days, stop.
        using (var started = await admin.Client.PostAsJsonAsync(new Uri("/api/admin/generation/start", UriKind.Relative),
            new { secondsPerSimulatedDay = 0.5 }, ct))
        {
            Assert.True(started.IsSuccessStatusCode, await started.Content.ReadAsStringAsync(ct));
        }
        var target = dataset.AsOf.AddDays(2);
        await PollAsync(async () =>
        {
            var counts = await admin.Client.GetFromJsonAsync<JsonElement>(new Uri("/api/admin/data/counts", UriKind.Relative), ct);
            var through = counts.GetProperty("simulatedThrough");
            return through.ValueKind == JsonValueKind.String && DateOnly.Parse(through.GetString()!, CultureInfo.InvariantCulture) >= target ? "done" : null;
        }, ct);
        using (var stopped = await admin.Client.PostAsync(new Uri("/api/admin/generation/stop", UriKind.Relative), null, ct))
        {
            Assert.True(stopped.IsSuccessStatusCode, await stopped.Content.ReadAsStringAsync(ct));
        }

        // 3. Validation: the validation service stores a validation of the newest increment (the generator may finish
        //    the day in progress after the stop, so "newest" is re-read each time), visible through the admin API too.
        var validated = await PollAsync(async () =>
        {
            var newest = await NewestIncrementAsync(connectionString, ct);
            using var response = await admin.Client.GetAsync(new Uri("/api/admin/validation/latest", UriKind.Relative), ct);
            if (newest is null || !response.IsSuccessStatusCode)
            {
                return null;
            }
            var latest = await response.Content.ReadFromJsonAsync<JsonElement>(ct);
            return latest.TryGetProperty("generationRunId", out var run) && run.ValueKind == JsonValueKind.String && run.GetGuid() == newest
                ? latest.GetRawText()
                : null;
        }, ct);
        using var verdict = JsonDocument.Parse(validated);
        Assert.Equal("increment", verdict.RootElement.GetProperty("trigger").GetString());
        Assert.True(verdict.RootElement.GetProperty("passed").GetBoolean(), validated);
        Assert.True(await CountAsync(connectionString, "SELECT count(*) FROM platform.generation_runs WHERE kind = 'increment' AND status = 'succeeded'", ct) >= 2);
        Assert.True(await CountAsync(connectionString, "SELECT count(*) FROM platform.validation_results WHERE trigger = 'backfill'", ct) >= 1);
    }

    private static async Task<Guid?> NewestIncrementAsync(string connectionString, CancellationToken ct)
    {
        await using var connection = new NpgsqlConnection(connectionString);
        await connection.OpenAsync(ct);
        await using var command = new NpgsqlCommand(
            "SELECT id FROM platform.generation_runs WHERE kind = 'increment' AND status = 'succeeded' ORDER BY started_at DESC, id DESC LIMIT 1", connection);
        return await command.ExecuteScalarAsync(ct) as Guid?;
    }

    private static async Task<long> CountAsync(string connectionString, string sql, CancellationToken ct)
    {
        await using var connection = new NpgsqlConnection(connectionString);
        await connection.OpenAsync(ct);
        await using var command = new NpgsqlCommand(sql, connection);
        return Convert.ToInt64(await command.ExecuteScalarAsync(ct), CultureInfo.InvariantCulture);
    }

    /// <summary>Calls <paramref name="probe"/> until it returns a value (polling, 200 ms apart), or fails at the deadline.</summary>
    private static async Task<string> PollAsync(Func<Task<string?>> probe, CancellationToken ct)
    {
        var clock = Stopwatch.StartNew();
        while (clock.Elapsed < Deadline)
        {
            if (await probe() is { } value)
            {
                return value;
            }
            await Task.Delay(TimeSpan.FromMilliseconds(200), ct);
        }
        Assert.Fail($"Nothing within {Deadline.TotalSeconds:0} s.");
        return null!;
    }

    /// <summary>One of the platform's programs, built next to this test project, run with <c>dotnet</c>.</summary>
    private sealed class ServiceProcess : IAsyncDisposable, IDisposable
    {
        private readonly Process _process;
        private readonly StringBuilder _output = new();

        private ServiceProcess(Process process, int? port)
        {
            _process = process;
            Client = new HttpClient { BaseAddress = new Uri(string.Create(CultureInfo.InvariantCulture, $"http://127.0.0.1:{port ?? 0}")) };
            process.OutputDataReceived += (_, e) => Append(e.Data);
            process.ErrorDataReceived += (_, e) => Append(e.Data);
            process.BeginOutputReadLine();
            process.BeginErrorReadLine();
        }

        public HttpClient Client { get; }

        public string Output
        {
            get
            {
                lock (_output)
                {
                    return _output.ToString();
                }
            }
        }

        private void Append(string? line)
        {
            if (line is not null)
            {
                lock (_output)
                {
                    _output.AppendLine(line);
                }
            }
        }

        public static ServiceProcess Start(string project, string connectionString, int? port, params (string Name, string Value)[] environment)
        {
            var here = AppContext.BaseDirectory; // tests/HcpPlatform.ValidationService.Tests/bin/<cfg>/net10.0/
            var configuration = new DirectoryInfo(here.TrimEnd(Path.DirectorySeparatorChar)).Parent!.Name;
            var root = Path.GetFullPath(Path.Combine(here, "..", "..", "..", "..", ".."));
            var directory = Path.Combine(root, "src", project, "bin", configuration, "net10.0");
            var info = new ProcessStartInfo("dotnet")
            {
                RedirectStandardOutput = true,
                RedirectStandardError = true,
                UseShellExecute = false,
                WorkingDirectory = directory,
            };
            info.ArgumentList.Add(Path.Combine(directory, project + ".dll"));
            info.Environment["ConnectionStrings__hcpdb"] = connectionString;
            info.Environment["OTEL_EXPORTER_OTLP_ENDPOINT"] = "";
            info.Environment["ASPNETCORE_ENVIRONMENT"] = "Production";
            info.Environment["DOTNET_ENVIRONMENT"] = "Production";
            if (port is { } p)
            {
                info.Environment["ASPNETCORE_URLS"] = string.Create(CultureInfo.InvariantCulture, $"http://127.0.0.1:{p}");
            }
            foreach (var (name, value) in environment)
            {
                info.Environment[name] = value;
            }
            return new ServiceProcess(Process.Start(info)!, port);
        }

        public async Task<int> WaitForExitAsync(CancellationToken ct)
        {
            await _process.WaitForExitAsync(ct);
            return _process.ExitCode;
        }

        /// <summary>Polls GET /health until it answers 200; fails with the program's output otherwise.</summary>
        public async Task WaitHealthyAsync(TimeSpan deadline, CancellationToken ct)
        {
            var clock = Stopwatch.StartNew();
            while (clock.Elapsed < deadline && !_process.HasExited)
            {
                try
                {
                    using var response = await Client.GetAsync(new Uri("/health", UriKind.Relative), ct);
                    if (response.StatusCode == HttpStatusCode.OK)
                    {
                        return;
                    }
                }
                catch (HttpRequestException)
                {
                    // Not listening yet.
                }
                await Task.Delay(TimeSpan.FromMilliseconds(200), ct);
            }
            Assert.Fail($"{_process.StartInfo.ArgumentList[0]} did not become healthy:{Environment.NewLine}{Output}");
        }

        public void Dispose()
        {
            if (!_process.HasExited)
            {
                _process.Kill(entireProcessTree: true);
            }
            _process.Dispose();
            Client.Dispose();
        }

        public async ValueTask DisposeAsync()
        {
            if (!_process.HasExited)
            {
                _process.Kill(entireProcessTree: true);
                using var wait = new CancellationTokenSource(TimeSpan.FromSeconds(10));
                await _process.WaitForExitAsync(wait.Token);
            }
            Dispose();
        }
    }
}
