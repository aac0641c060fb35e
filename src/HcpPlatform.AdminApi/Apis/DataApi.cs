using HcpPlatform.AdminApi.Security;
using HcpPlatform.AdminApi.Services;
using HcpPlatform.Data.Loading;
using HcpPlatform.Data.Platform;
using HcpPlatform.Data.Privacy;
using HcpPlatform.Data.Queries;
using HcpPlatform.Engine.Generators;
using Microsoft.AspNetCore.Http.HttpResults;
using Npgsql;

namespace HcpPlatform.AdminApi.Apis;

/// <summary>Rows per dataset table and their total.</summary>
/// <param name="Source">How the rows were counted: "estimate", from PostgreSQL's statistics (maintained at each commit, refreshed by VACUUM/ANALYZE), not by reading the tables; close to exact, not transactional.</param>
public sealed record CountsResponse(IReadOnlyDictionary<string, long> Tables, long Total, DateOnly? SimulatedThrough, string Source);

public sealed record SeriesResponse<T>(DateOnly? From, DateOnly? To, IReadOnlyList<T> Points);

/// <summary>Erase one HCP and everything about them (a privacy deletion). Destructive: <c>confirm</c> must be exactly "ERASE".</summary>
/// <param name="Regulation">gdpr | ccpa | hipaa (default ccpa).</param>
public sealed record EraseRequest(string? Regulation, string? Confirm);

public sealed record EraseResponse(Guid RequestId, string Npi, IReadOnlyDictionary<string, long> Deleted);

public static class DataApi
{
    public const string EraseConfirmation = "ERASE";
    public const int DefaultDays = 90;
    public const int DefaultWeeks = 26;
    public const int MaxDays = 3660;

    public static IEndpointRouteBuilder MapDataApi(this IEndpointRouteBuilder app)
    {
        var api = app.MapGroup("/api/admin/data").WithTags("Data").RequireAuthorization(AdminPolicies.Read);

        api.MapGet("/counts", GetCounts).WithSummary("Row counts of every dataset table, estimated from PostgreSQL's statistics (cheap; source: \"estimate\")");
        api.MapGet("/series/daily", GetDaily).WithSummary("Stimuli and outcomes per day (default: the last 90 simulated days)");
        api.MapGet("/series/channels", GetChannels).WithSummary("Stimuli, outcomes and response rate per channel (default: the last 90 simulated days)");
        api.MapGet("/series/response-rate", GetWeeklyResponseRate).WithSummary("Share of stimuli with a response, per week (default: the last 26 weeks)");
        api.MapGet("/hcps/{npi}", GetHcp).ProducesProblem(StatusCodes.Status404NotFound).WithSummary("One HCP's profile, territory and timeline of touches, responses and Rx");
        api.MapPost("/hcps/{npi}/erase", EraseHcp).ProducesProblem(StatusCodes.Status404NotFound).ProducesProblem(StatusCodes.Status409Conflict).RequireAuthorization(AdminPolicies.Admin)
            .WithSummary("Erase one HCP and everything about them (confirm: \"ERASE\")");
        api.MapGet("/campaigns", GetCampaigns).WithSummary("Campaigns (optionally by status: planned | active | completed)");
        api.MapGet("/ground-truth", GetGroundTruth).WithSummary("The engine's true parameters stored with the dataset");
        return app;
    }

    public static async Task<Ok<CountsResponse>> GetCounts(DataQueries data, CancellationToken ct)
    {
        var counts = await data.CountsAsync(ct);
        var window = await data.WindowAsync(ct);
        return TypedResults.Ok(new CountsResponse(counts, counts.Values.Sum(), window?.Through, DataQueries.CountsSource));
    }

    public static Task<Results<Ok<SeriesResponse<DayCount>>, ValidationProblem>> GetDaily(string? from, string? to, DataQueries data, CancellationToken ct) =>
        SeriesAsync(from, to, data, data.DailyAsync, ct);

    public static Task<Results<Ok<SeriesResponse<ChannelCount>>, ValidationProblem>> GetChannels(string? from, string? to, DataQueries data, CancellationToken ct) =>
        SeriesAsync(from, to, data, data.ChannelsAsync, ct);

    /// <summary>A series over [from, to] (default: the last <see cref="DefaultDays"/> simulated days); empty without a dataset.</summary>
    private static async Task<Results<Ok<SeriesResponse<T>>, ValidationProblem>> SeriesAsync<T>(string? from, string? to, DataQueries data,
        Func<DateOnly, DateOnly, CancellationToken, Task<IReadOnlyList<T>>> query, CancellationToken ct)
    {
        var range = await RangeAsync(from, to, DefaultDays, data, ct);
        if (range.Errors is not null)
        {
            return range.Errors;
        }
        return TypedResults.Ok(range.From is { } f && range.To is { } t
            ? new SeriesResponse<T>(f, t, await query(f, t, ct))
            : new SeriesResponse<T>(null, null, []));
    }

    public static async Task<Results<Ok<SeriesResponse<WeekRate>>, ValidationProblem>> GetWeeklyResponseRate(int? weeks, DataQueries data, CancellationToken ct)
    {
        var count = weeks ?? DefaultWeeks;
        if (count is < 1 or > 520)
        {
            return RequestErrors.One("weeks", $"weeks is {count}; allowed: 1 to 520.");
        }
        if (await data.WindowAsync(ct) is not { } window)
        {
            return TypedResults.Ok(new SeriesResponse<WeekRate>(null, null, []));
        }
        // Whole weeks (Monday to Sunday) ending with the week of the last simulated day.
        var lastMonday = window.Through.AddDays(-(((int)window.Through.DayOfWeek + 6) % 7));
        var from = lastMonday.AddDays(-7 * (count - 1));
        from = from < window.Start ? window.Start : from;
        return TypedResults.Ok(new SeriesResponse<WeekRate>(from, window.Through, await data.WeeklyResponseRateAsync(from, window.Through, ct)));
    }

    public static async Task<Results<Ok<HcpTimeline>, ValidationProblem, ProblemHttpResult>> GetHcp(
        string npi, NpgsqlDataSource dataSource, CancellationToken ct)
    {
        if (!Npi.IsValid(npi))
        {
            return RequestErrors.One("npi", NpiMessage(npi));
        }
        await using var connection = await dataSource.OpenConnectionAsync(ct);
        var timeline = await HcpTimeline.ReadAsync(connection, npi, ct);
        return timeline is null ? NotFound($"No HCP with NPI {npi} in the dataset.") : TypedResults.Ok(timeline);
    }

    public static async Task<Results<Ok<EraseResponse>, ValidationProblem, ProblemHttpResult>> EraseHcp(
        string npi, EraseRequest request, NpgsqlDataSource dataSource, CancellationToken ct)
    {
        var errors = new RequestErrors();
        if (!Npi.IsValid(npi))
        {
            errors.Add("npi", NpiMessage(npi));
        }
        if (request.Confirm != EraseConfirmation)
        {
            errors.Add("confirm", $"Erasing deletes the HCP and every row about them; send \"confirm\": \"{EraseConfirmation}\" to proceed"
                + (request.Confirm is null ? "." : $" (got \"{request.Confirm}\")."));
        }
        var regulation = request.Regulation ?? "ccpa";
        if (!PrivacyRequests.Regulations.Contains(regulation))
        {
            errors.Add("regulation", $"regulation '{regulation}' is not allowed; allowed: {string.Join(", ", PrivacyRequests.Regulations)}.");
        }
        if (errors.Any)
        {
            return errors.ToProblem();
        }
        var result = await PrivacyRequests.EraseAsync(dataSource, npi, regulation, ct);
        return result.Found
            ? TypedResults.Ok(new EraseResponse(result.RequestId, npi, result.Deleted))
            : NotFound($"No HCP with NPI {npi} in the dataset; the request is recorded as denied ({result.RequestId}).");
    }

    public static async Task<Results<Ok<IReadOnlyList<CampaignView>>, ValidationProblem>> GetCampaigns(string? status, DataQueries data, CancellationToken ct)
    {
        string[] allowed = ["planned", "active", "completed"];
        if (status is not null && !allowed.Contains(status))
        {
            return RequestErrors.One("status", $"status '{status}' is not allowed; allowed: {string.Join(", ", allowed)}.");
        }
        return TypedResults.Ok(await data.CampaignsAsync(status, ct));
    }

    public static async Task<Ok<IReadOnlyList<GroundTruthView>>> GetGroundTruth(string? parameter, DataQueries data, CancellationToken ct) =>
        TypedResults.Ok(await data.GroundTruthAsync(parameter, ct));

    /// <summary>404 as ProblemDetails (application/problem+json); endpoints declare it with ProducesProblem(404).</summary>
    internal static ProblemHttpResult NotFound(string detail) => TypedResults.Problem(statusCode: StatusCodes.Status404NotFound, title: "Not found", detail: detail);

    private static string NpiMessage(string npi) =>
        $"npi '{npi}' is not a valid NPI: 10 digits starting with 1 or 2, ending in the CMS Luhn check digit (e.g. 1234567893).";

    private sealed record Range(DateOnly? From, DateOnly? To, ValidationProblem? Errors);

    /// <summary>[from, to] from the query, defaulting to the last <paramref name="days"/> simulated days; nulls when there is no dataset.</summary>
    private static async Task<Range> RangeAsync(string? fromText, string? toText, int days, DataQueries data, CancellationToken ct)
    {
        var errors = new RequestErrors();
        DateOnly from = default, to = default;
        // Each date parsed, then checked against the supported range before any arithmetic: DateOnly.AddDays throws at the
        // ends of its calendar (to=0001-01-01 was a 500).
        if (fromText is not null)
        {
            if (!GenerationApi.TryParseDay(fromText, out from))
            {
                errors.Add("from", $"from must be a date as YYYY-MM-DD (got '{InputEcho.Of(fromText)}').");
            }
            else if (!SupportedDates.Contains(from))
            {
                errors.Add("from", $"from {from:yyyy-MM-dd} is outside the supported range {SupportedDates.Range}.");
            }
        }
        if (toText is not null)
        {
            if (!GenerationApi.TryParseDay(toText, out to))
            {
                errors.Add("to", $"to must be a date as YYYY-MM-DD (got '{InputEcho.Of(toText)}').");
            }
            else if (!SupportedDates.Contains(to))
            {
                errors.Add("to", $"to {to:yyyy-MM-dd} is outside the supported range {SupportedDates.Range}.");
            }
        }
        if (errors.Any)
        {
            return new Range(null, null, errors.ToProblem());
        }
        if (fromText is null || toText is null)
        {
            if (await data.WindowAsync(ct) is not { } window)
            {
                return new Range(null, null, null);
            }
            to = toText is null ? window.Through : to;
            from = fromText is null ? Max(window.Start, to.AddDays(1 - days)) : from;
        }
        if (from > to)
        {
            return new Range(null, null, RequestErrors.One("from", $"from ({from:yyyy-MM-dd}) is after to ({to:yyyy-MM-dd})."));
        }
        if (to.DayNumber - from.DayNumber + 1 > MaxDays)
        {
            return new Range(null, null, RequestErrors.One("from", $"The range {from:yyyy-MM-dd} to {to:yyyy-MM-dd} spans more than {MaxDays} days."));
        }
        return new Range(from, to, null);
    }

    private static DateOnly Max(DateOnly a, DateOnly b) => a > b ? a : b;
}
