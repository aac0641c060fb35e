using HcpPlatform.Data.Hosting;
using HcpPlatform.Data.Loading;
using HcpPlatform.ServiceDefaults.Tests;
using HcpPlatform.Testing;

namespace HcpPlatform.ValidationService.Tests;

/// <summary>
/// Issue 8 item 4, without Aspire: a host configured with AddServiceDefaults (the validation service) exports over
/// OTLP/HTTP to an in-test receiver; a backfill and an increment (run here, in the same process, so the host's
/// providers see their spans and metrics) and the validations they trigger arrive as spans named for their stages,
/// with row counts, and as the platform's metrics.
/// </summary>
[Collection(PostgresFixture.CollectionName)]
public sealed class TelemetryTests(PostgresFixture postgres)
{
    private static readonly TimeSpan Deadline = TimeSpan.FromSeconds(45);

    private static readonly string[] LoadedTables =
        ["hcp_profiles", "stimuli_events", "outcome_events", "prescribing_history", "territory_assignments", "campaigns"];

    private static readonly string[] Metrics =
    [
        "hcp.increment.days", "hcp.increment.rows", "hcp.increment.duration",
        "hcp.validation.runs", "hcp.validation.checks.passed", "hcp.validation.checks.failed", "hcp.validation.duration",
    ];

    [Fact]
    public async Task BackfillIncrementAndValidationExportStageSpansAndMetricsOverOtlpHttp()
    {
        using var timeout = new CancellationTokenSource(TimeSpan.FromMinutes(2));
        var ct = timeout.Token;
        var connectionString = await postgres.CreateMigratedDatabaseAsync(ct);
        await using var receiver = await OtlpReceiver.StartAsync();
        await using var service = ServiceUnderTest.Start(connectionString, new Dictionary<string, string>
        {
            ["OTEL_EXPORTER_OTLP_ENDPOINT"] = receiver.Endpoint.ToString().TrimEnd('/'),
            ["OTEL_EXPORTER_OTLP_PROTOCOL"] = "http/protobuf",
            ["OTEL_BSP_SCHEDULE_DELAY"] = "100",
            ["OTEL_BLRP_SCHEDULE_DELAY"] = "100",
            ["OTEL_METRIC_EXPORT_INTERVAL"] = "200",
            ["Logging:LogLevel:Default"] = "Information",
        });

        var backfill = await Backfill.RunAsync(DataSources.For(connectionString), ServiceUnderTest.SmallDataset, null, ct);
        await service.WaitForValidationAsync(v => v.GenerationRunId == backfill.RunId, Deadline, "of the backfill");
        var increment = await new DailyIncrement(DataSources.For(connectionString)).RunNextDayAsync(ct);
        await service.WaitForValidationAsync(v => v.GenerationRunId == increment!.RunId, Deadline, "of the increment");

        static List<OtlpSpan> Platform(IReadOnlyList<OtlpPayload> payloads) =>
        [
            .. payloads.Where(p => p.Signal == "traces").SelectMany(p => OtlpProtobuf.ReadSpans(p.Body))
                .Where(s => s.Scope == PlatformTelemetry.Name),
        ];
        bool AllSpans(IReadOnlyList<OtlpPayload> payloads)
        {
            var spans = Platform(payloads);
            return new[] { "generate", "aggregate_and_index", "validate", "swap", "simulate", "commit" }.All(n => spans.Any(s => s.Name == n))
                && spans.Any(s => s.Name.StartsWith("hcp.backfill ", StringComparison.Ordinal))
                && spans.Any(s => s.Name.StartsWith("hcp.increment ", StringComparison.Ordinal))
                && LoadedTables.All(t => spans.Any(s => s.Name == "copy" && s.Attributes.GetValueOrDefault("db.table") == t))
                && spans.Count(s => s.Name.StartsWith("hcp.validate ", StringComparison.Ordinal)) >= 2;
        }
        Assert.True(await receiver.WaitForAsync(AllSpans, Deadline),
            "missing stage spans; got: " + string.Join(", ", Platform(receiver.Payloads).Select(s => s.Name).Distinct()));
        Assert.True(await receiver.WaitForAsync(p => Metrics.All(m => p.Any(x => x.Signal == "metrics" && OtlpProtobuf.Contains(x.Body, m))), Deadline),
            "missing metrics: " + string.Join(", ", Metrics.Where(m => !receiver.Payloads.Any(x => x.Signal == "metrics" && OtlpProtobuf.Contains(x.Body, m)))));

        var spans = Platform(receiver.Payloads);
        // Each unit of work is a trace named for it: "hcp.backfill development (300 HCPs, …)", "hcp.increment YYYY-MM-DD".
        var root = Assert.Single(spans, s => s.Name.StartsWith("hcp.backfill ", StringComparison.Ordinal));
        Assert.Equal("300", root.Attributes["hcp.hcps"]);
        foreach (var table in LoadedTables)
        {
            var copy = Assert.Single(spans, s => s.Name == "copy" && s.Attributes.GetValueOrDefault("db.table") == table);
            Assert.Equal(backfill.Counts[table].ToString(System.Globalization.CultureInfo.InvariantCulture), copy.Attributes["db.rows"]);
            Assert.Equal(backfill.Counts[table].ToString(System.Globalization.CultureInfo.InvariantCulture), root.Attributes[$"hcp.rows.{table}"]);
        }
        var dayText = increment!.Day.ToString("yyyy-MM-dd", System.Globalization.CultureInfo.InvariantCulture);
        var day = Assert.Single(spans, s => s.Name == "hcp.increment " + dayText);
        Assert.Equal(dayText, day.Attributes["hcp.day"]);
        Assert.Equal(increment.Counts["stimuli_events"].ToString(System.Globalization.CultureInfo.InvariantCulture), day.Attributes["hcp.rows.stimuli_events"]);
        // A validation's span ends just after its result is stored: wait for the export rather than race it.
        Assert.True(await receiver.WaitForAsync(p => Platform(p).Any(s => s.Name == "hcp.validate backfill" && s.Attributes.GetValueOrDefault("hcp.trigger") == "backfill"
            && s.Attributes.GetValueOrDefault("hcp.generation_run_id") == backfill.RunId.ToString()), Deadline), "the backfill's validation span");
        Assert.True(await receiver.WaitForAsync(p => Platform(p).Any(s => s.Name == "hcp.validate increment" && s.Attributes.GetValueOrDefault("hcp.trigger") == "increment"), Deadline),
            "the increment's validation span");

        // The service's own name and logs arrive too.
        Assert.Contains(receiver.Payloads, p => p.Signal == "traces" && OtlpProtobuf.Contains(p.Body, "validation-under-test"));
        Assert.True(await receiver.WaitForAsync(p => p.Any(x => x.Signal == "logs" && OtlpProtobuf.Contains(x.Body, "Listening on channel hcp_dataset_changed")), Deadline),
            "the service's structured logs");
    }
}
