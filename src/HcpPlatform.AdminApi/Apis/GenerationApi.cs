using System.Globalization;
using HcpPlatform.AdminApi.Security;
using HcpPlatform.AdminApi.Services;
using HcpPlatform.Data.Loading;
using HcpPlatform.Data.Platform;
using HcpPlatform.Engine.Config;
using HcpPlatform.Engine.Dynamics;
using Microsoft.AspNetCore.Http.HttpResults;
using Npgsql;

namespace HcpPlatform.AdminApi.Apis;

/// <summary>Body of POST start: optional speed (seconds of wall time per simulated day); absent keeps the current speed.</summary>
public sealed record StartRequest(double? SecondsPerSimulatedDay);

/// <summary>The desired state after a start, pause or stop (the worker's observed state is in GET status).</summary>
public sealed record ControlResponse(string DesiredMode, double? SecondsPerSimulatedDay, DateTime UpdatedAt);

/// <summary>
/// The generation settings: scenario, speed (seconds per simulated day; null = one day per night on the schedule),
/// nightly schedule (Quartz cron + time zone) and injected scenario events. PUT replaces all of them; events omitted
/// means "leave the dataset's events as they are", [] ends them on the last simulated day.
/// </summary>
public sealed record GenerationConfigRequest(string? Scenario, double? SecondsPerSimulatedDay, ScheduleSettings? Schedule, List<EventSpec>? Events);

/// <param name="Notes">How the events apply to the dataset in place (events only act on days not yet simulated).</param>
public sealed record GenerationConfigResponse(string Scenario, double? SecondsPerSimulatedDay, ScheduleSettings Schedule, IReadOnlyList<EventSpec> Events,
    DateTime UpdatedAt, IReadOnlyList<string> Notes, IReadOnlyList<string> AllowedScenarios, IReadOnlyList<string> AllowedEventTypes);

/// <summary>Regenerate the dataset. Destructive: <c>confirm</c> must be exactly "REGENERATE".</summary>
/// <param name="Scenario">demo | development | analytics | load_test: sets hcps and months unless they are given.</param>
/// <param name="AsOf">Last simulated day, YYYY-MM-DD (default today, UTC).</param>
public sealed record BackfillRequest(string? Scenario, long? Seed, int? Hcps, int? Months, string? AsOf, string? Confirm);

public sealed record BackfillAccepted(Guid RunId, string Status, string StatusUrl);

/// <summary>The day one advance appended: its lineage run, rows per table and duration.</summary>
public sealed record AdvanceResponse(DateOnly Day, Guid RunId, long Rows, IReadOnlyDictionary<string, long> Counts, double Seconds);

public static class GenerationApi
{
    public const string RegenerateConfirmation = "REGENERATE";
    public const double MinSecondsPerDay = 0.1;
    public const double MaxSecondsPerDay = 86_400;
    public const int MaxEvents = 50;

    public static IEndpointRouteBuilder MapGenerationApi(this IEndpointRouteBuilder app)
    {
        var api = app.MapGroup("/api/admin/generation").WithTags("Generation").RequireAuthorization(AdminPolicies.Read);

        api.MapPost("/start", Start).ProducesProblem(StatusCodes.Status409Conflict).RequireAuthorization(AdminPolicies.Admin)
            .WithSummary("Start continuous generation (optionally accelerated: secondsPerSimulatedDay)");
        api.MapPost("/pause", Pause).RequireAuthorization(AdminPolicies.Admin)
            .WithSummary("Pause: the worker finishes the day in progress and waits");
        api.MapPost("/stop", Stop).RequireAuthorization(AdminPolicies.Admin)
            .WithSummary("Stop continuous generation");
        api.MapGet("/status", GetStatus)
            .WithSummary("Mode (desired and observed), simulated day, lag, last run, rows/s");
        api.MapGet("/config", GetConfig)
            .WithSummary("Scenario, speed, nightly schedule and injected events");
        api.MapPut("/config", PutConfig).RequireAuthorization(AdminPolicies.Admin)
            .WithSummary("Replace scenario, speed, schedule and injected events (validated)");
        api.MapPost("/advance", Advance).ProducesProblem(StatusCodes.Status409Conflict).RequireAuthorization(AdminPolicies.Admin)
            .WithSummary("Append the next simulated day now (one daily increment, exactly once), whatever the mode");
        api.MapPost("/backfill", StartBackfill).ProducesProblem(StatusCodes.Status409Conflict).RequireAuthorization(AdminPolicies.Admin)
            .WithSummary("Regenerate the dataset in the background (confirm: \"REGENERATE\"); poll GET /api/admin/runs/{id}");
        return app;
    }

    public static async Task<Results<Ok<ControlResponse>, ValidationProblem, ProblemHttpResult>> Start(
        StartRequest? request, HttpRequest http, NpgsqlDataSource dataSource, DataQueries data, CancellationToken ct)
    {
        // The body is optional; when there is one it must be an object (a literal null is not a request).
        if (request is null && http.ContentLength is > 0)
        {
            return RequestErrors.One("body", "The body must be a JSON object such as {\"secondsPerSimulatedDay\": 2}, or empty.");
        }
        if (request?.SecondsPerSimulatedDay is { } speed && !ValidSpeed(speed))
        {
            return RequestErrors.One("secondsPerSimulatedDay", SpeedMessage(speed));
        }
        if (await data.WindowAsync(ct) is null)
        {
            return TypedResults.Problem(statusCode: 409, title: "There is no dataset to extend yet",
                detail: "Generate one first: POST /api/admin/generation/backfill (or 'hcp generate').");
        }
        var state = await SimulationControl.SetModeAsync(dataSource, SimulationControl.Running, request?.SecondsPerSimulatedDay is not null, request?.SecondsPerSimulatedDay, ct);
        return TypedResults.Ok(ToResponse(state));
    }

    /// <summary>
    /// One daily increment in this process, like the generator's: the day after the watermark in one transaction under the
    /// generation lock, so it is never written twice even while accelerated play runs (then one of the two waits its turn).
    /// </summary>
    public static async Task<Results<Ok<AdvanceResponse>, ProblemHttpResult>> Advance(NpgsqlDataSource dataSource, CancellationToken ct)
    {
        IncrementResult? result;
        try
        {
            result = await new DailyIncrement(dataSource).RunNextDayAsync(ct);
        }
        catch (GenerationBusyException e)
        {
            return TypedResults.Problem(statusCode: 409, title: "Another writer is generating", detail: e.Message);
        }
        if (result is null)
        {
            return TypedResults.Problem(statusCode: 409, title: "There is no dataset to extend yet",
                detail: "Generate one first: POST /api/admin/generation/backfill (or 'hcp generate').");
        }
        return TypedResults.Ok(new AdvanceResponse(result.Day, result.RunId, result.Counts.Values.Sum(), result.Counts, Math.Round(result.Seconds, 3)));
    }

    public static async Task<Ok<ControlResponse>> Pause(NpgsqlDataSource dataSource, CancellationToken ct) =>
        TypedResults.Ok(ToResponse(await SimulationControl.SetModeAsync(dataSource, SimulationControl.Paused, false, null, ct)));

    public static async Task<Ok<ControlResponse>> Stop(NpgsqlDataSource dataSource, CancellationToken ct) =>
        TypedResults.Ok(ToResponse(await SimulationControl.SetModeAsync(dataSource, SimulationControl.Stopped, false, null, ct)));

    public static async Task<Ok<GenerationStatus>> GetStatus(StatusReader status, CancellationToken ct) =>
        TypedResults.Ok(await status.ReadAsync(ct));

    public static async Task<Ok<GenerationConfigResponse>> GetConfig(NpgsqlDataSource dataSource, CancellationToken ct)
    {
        var state = await SimulationControl.ReadAsync(dataSource, ct);
        return TypedResults.Ok(await ToConfigResponseAsync(state, dataSource, ct));
    }

    public static async Task<Results<Ok<GenerationConfigResponse>, ValidationProblem>> PutConfig(
        GenerationConfigRequest request, NpgsqlDataSource dataSource, TimeProvider timeProvider, CancellationToken ct)
    {
        var errors = new RequestErrors();
        var scenario = Engine.Config.Scenario.Find(request.Scenario ?? "");
        if (scenario is null)
        {
            errors.Add("scenario", $"scenario '{request.Scenario}' is not a scenario; allowed: {string.Join(", ", Engine.Config.Scenario.All.Select(s => s.Name))}.");
        }
        if (request.SecondsPerSimulatedDay is { } speed && !ValidSpeed(speed))
        {
            errors.Add("secondsPerSimulatedDay", SpeedMessage(speed));
        }
        var schedule = request.Schedule ?? ScheduleSettings.Default;
        // Checked the way the worker's Quartz trigger will use it (fires within a year, at most once a minute).
        var validZone = !string.IsNullOrWhiteSpace(schedule.TimeZone) && TimeZoneInfo.TryFindSystemTimeZoneById(schedule.TimeZone, out _);
        if (ScheduleSettings.Problem(schedule.Cron, validZone ? schedule.TimeZone : "UTC", timeProvider.GetUtcNow()) is { } cronProblem)
        {
            errors.Add("schedule." + cronProblem.Field, "schedule." + cronProblem.Message);
        }
        if (!validZone)
        {
            errors.Add("schedule.timeZone", $"schedule.timeZone '{InputEcho.Of(schedule.TimeZone)}' is not a known time zone; use an IANA id such as \"UTC\" or \"America/New_York\".");
        }
        var events = request.Events ?? [];
        if (events.Count > MaxEvents)
        {
            errors.Add("events", $"events has {events.Count} entries; at most {MaxEvents} are allowed.");
        }
        var engineEvents = new List<ScenarioEvent>();
        for (var i = 0; i < events.Count; i++)
        {
            var e = events[i];
            if (e is null || e.Type is null || e.Start is null || e.Magnitude is null)
            {
                errors.Add($"events[{i}]", $"events[{i}] needs type ({string.Join(", ", ScenarioEvent.Types)}), start (YYYY-MM-DD) and magnitude.");
                continue;
            }
            engineEvents.Add(e.ToScenarioEvent());
        }
        if (engineEvents.Count == events.Count)
        {
            foreach (var problem in ScenarioEvent.Validate(engineEvents))
            {
                errors.Add("events", problem);
            }
        }
        if (errors.Any)
        {
            return errors.ToProblem();
        }
        // Events omitted: the key stays out of the document and the worker leaves the dataset's events as they are.
        var settings = new SimulationSettings(schedule with { Cron = schedule.Cron.Trim() }, request.Events);
        var state = await SimulationControl.SaveSettingsAsync(dataSource, scenario!.Name, request.SecondsPerSimulatedDay, settings, ct);
        return TypedResults.Ok(await ToConfigResponseAsync(state, dataSource, ct));
    }

    public static async Task<Results<Accepted<BackfillAccepted>, ValidationProblem, ProblemHttpResult>> StartBackfill(
        BackfillRequest request, BackfillRunner runner, NpgsqlDataSource dataSource, TimeProvider timeProvider, CancellationToken ct)
    {
        var errors = new RequestErrors();
        if (request.Confirm != RegenerateConfirmation)
        {
            errors.Add("confirm", $"Regenerating replaces the whole dataset; send \"confirm\": \"{RegenerateConfirmation}\" to proceed"
                + (request.Confirm is null ? "." : $" (got \"{request.Confirm}\")."));
        }
        Scenario? preset = null;
        if (request.Scenario is not null && (preset = Engine.Config.Scenario.Find(request.Scenario)) is null)
        {
            errors.Add("scenario", $"scenario '{request.Scenario}' is not a scenario; allowed: {string.Join(", ", Engine.Config.Scenario.All.Select(s => s.Name))}.");
        }
        if (request.Seed is < 0)
        {
            errors.Add("seed", $"seed must be a non-negative whole number (got {request.Seed}).");
        }
        if (request.Hcps is { } h && (h < 1 || h > Engine.Config.Scenario.MaxHcps))
        {
            errors.Add("hcps", $"hcps is {h}, outside the allowed range 1 to {Engine.Config.Scenario.MaxHcps.ToString("N0", CultureInfo.InvariantCulture)}.");
        }
        if (request.Months is { } m && (m < 1 || m > Engine.Config.Scenario.MaxMonths))
        {
            errors.Add("months", $"months is {m}, outside the allowed range 1 to {Engine.Config.Scenario.MaxMonths}.");
        }
        var asOf = DateOnly.FromDateTime(timeProvider.GetUtcNow().UtcDateTime);
        if (request.AsOf is not null && !TryParseDay(request.AsOf, out asOf))
        {
            errors.Add("asOf", $"asOf must be a date as YYYY-MM-DD (got '{InputEcho.Of(request.AsOf)}').");
        }
        else if (SupportedDates.AsOfProblem("asOf", asOf, DateOnly.FromDateTime(timeProvider.GetUtcNow().UtcDateTime)) is { } asOfProblem)
        {
            errors.Add("asOf", asOfProblem); // a future as-of is refused, like the CLI's
        }
        else if (request.Months is not (< 1 or > Engine.Config.Scenario.MaxMonths) // out of range: refused above
            && SupportedDates.WindowProblem("months", asOf, request.Months ?? (preset ?? Engine.Config.Scenario.Development).Months) is { } windowProblem)
        {
            errors.Add("months", windowProblem);
        }
        if (errors.Any)
        {
            return errors.ToProblem();
        }

        var hcps = request.Hcps ?? (preset ?? Engine.Config.Scenario.Development).Hcps;
        var months = request.Months ?? (preset ?? Engine.Config.Scenario.Development).Months;
        var name = Engine.Config.Scenario.All.FirstOrDefault(s => s.Hcps == hcps && s.Months == months && (preset is null || s == preset))?.Name ?? "custom";
        // Fixtures survive regeneration; the configured scenario events shape the new history.
        IReadOnlyList<Engine.Generators.FixtureHcp> fixtures = [];
        await using (var connection = await dataSource.OpenConnectionAsync(ct))
        {
            if (await DatasetState.ReadAsync(connection, ct) is { } current)
            {
                fixtures = GenerationParameters.FromJson(current.ParametersJson).Fixtures;
            }
        }
        var desired = await SimulationControl.ReadAsync(dataSource, ct);
        var events = (desired.Settings.Events ?? []).Select(e => e.ToScenarioEvent()).ToList();
        var parameters = new GenerationParameters
        {
            Seed = request.Seed ?? 42,
            Hcps = hcps,
            Months = months,
            Scenario = name,
            AsOf = asOf,
            Fixtures = fixtures.Take(hcps).ToList(),
            Config = new SimulationConfig { Events = events.Count == 0 ? null : events },
        };
        var started = await runner.StartAsync(parameters, ct);
        if (started.RunId is { } runId)
        {
            var url = $"/api/admin/runs/{runId}";
            return TypedResults.Accepted(url, new BackfillAccepted(runId, "running", url));
        }
        return started.Busy is not null
            ? TypedResults.Problem(statusCode: 409, title: "Another writer is generating", detail: started.Busy)
            : TypedResults.Problem(statusCode: 500, title: "The regeneration could not start", detail: started.Failed);
    }

    internal static bool TryParseDay(string text, out DateOnly day) =>
        DateOnly.TryParseExact(text, "yyyy-MM-dd", CultureInfo.InvariantCulture, DateTimeStyles.None, out day);

    private static bool ValidSpeed(double speed) => double.IsFinite(speed) && speed >= MinSecondsPerDay && speed <= MaxSecondsPerDay;

    private static string SpeedMessage(double speed) =>
        $"secondsPerSimulatedDay is {speed.ToString(CultureInfo.InvariantCulture)}; allowed: {MinSecondsPerDay.ToString(CultureInfo.InvariantCulture)} to {MaxSecondsPerDay.ToString(CultureInfo.InvariantCulture)} seconds of wall time per simulated day (or null for the nightly schedule).";

    private static ControlResponse ToResponse(DesiredState s) => new(s.DesiredMode, s.SecondsPerSimulatedDay, s.UpdatedAt);

    private static async Task<GenerationConfigResponse> ToConfigResponseAsync(DesiredState state, NpgsqlDataSource dataSource, CancellationToken ct)
    {
        var settings = state.Settings;
        var events = settings.Events ?? [];
        var notes = new List<string>();
        await using (var connection = await dataSource.OpenConnectionAsync(ct))
        {
            if (await DatasetState.ReadAsync(connection, ct) is { } dataset)
            {
                var current = GenerationParameters.FromJson(dataset.ParametersJson).Config.Events;
                notes.AddRange(ScenarioEventSchedule.ApplyGoingForward(current, [.. events.Select(e => e.ToScenarioEvent())], dataset.SimulatedThrough).Notes);
            }
        }
        return new GenerationConfigResponse(state.Scenario, state.SecondsPerSimulatedDay, settings.Schedule ?? ScheduleSettings.Default, events,
            state.UpdatedAt, notes, [.. Engine.Config.Scenario.All.Select(s => s.Name)], ScenarioEvent.Types);
    }
}
