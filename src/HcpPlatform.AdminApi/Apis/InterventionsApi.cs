using System.Text;
using System.Text.Json;
using System.Text.RegularExpressions;
using HcpPlatform.AdminApi.Security;
using HcpPlatform.Data;
using HcpPlatform.Data.Interventions;
using HcpPlatform.Engine.Interventions;
using HcpPlatform.Engine.Statistics;
using Microsoft.EntityFrameworkCore;
using Npgsql;
using Microsoft.AspNetCore.Http.Features;
using Microsoft.AspNetCore.Http.HttpResults;

namespace HcpPlatform.AdminApi.Apis;

/// <summary>
/// An intervention: its definition (the one JSON form), and its status from the dates and the last simulated day:
/// scheduled | running | completed | stopped.
/// </summary>
public sealed record InterventionResponse(Guid Id, string Name, string Type, string Schedule, string Status, DateOnly Start, DateOnly End,
    IReadOnlyList<string> Channels, double TreatedShare, DateTime CreatedAt, string? CreatedBy, DateTime? StoppedAt, JsonElement Definition);

/// <summary>One intervention with what the dataset holds about it: arms, exposures, planned touches.</summary>
public sealed record InterventionDetailResponse(InterventionResponse Intervention, InterventionCounts Counts, TrueEffects? TrueEffects);

/// <summary>One HCP's estimated effect (by hcpId or npi) on the outcome's total over the window, with an optional interval.</summary>
public sealed record HcpEstimate(Guid? HcpId, string? Npi, double Effect, double? Lower, double? Upper);

/// <summary>A model's estimates: per HCP, or one ATE with its confidence interval (ateLower, ateUpper), or both.</summary>
public sealed record EstimatesBody(List<HcpEstimate>? PerHcp, double? Ate, double? AteLower, double? AteUpper);

/// <summary>
/// Scoring by JSON: the outcome (an outcome type or rx), the model's name in hcp.uplift_models (default custom) and its estimates.
/// (Or send the estimates as text/csv, with ?outcome=…&amp;modelType=….)
/// </summary>
public sealed record ScoreRequest(string? Outcome, string? ModelType, EstimatesBody? Estimates);

/// <summary>A batch of planned touches for coming days (at most 10,000): each with hcpId or npi, channel, day, and optionally contentCategory, product, externalRef.</summary>
public sealed record PlannedTouchesRequest(List<PlannedTouchInput>? Touches, string? SubmittedBy);

/// <summary>
/// Defines interventions (seeds/004), stops them, shows what they did and their true effects, scores a model's estimates
/// against the truth, and takes planned touches from an external system (the next-best-action closed loop).
/// </summary>
public static partial class InterventionsApi
{
    /// <summary>Planned-touch batches and estimate files may be larger than the other requests' bodies.</summary>
    public const long MaxUploadBytes = 8 * 1024 * 1024;

    public static IEndpointRouteBuilder MapInterventionsApi(this IEndpointRouteBuilder app)
    {
        var api = app.MapGroup("/api/admin/interventions").WithTags("Interventions").RequireAuthorization(AdminPolicies.Read);
        api.MapGet("/", GetInterventions).WithSummary("Interventions with their status (scheduled | running | completed | stopped), by start");
        api.MapPost("/", AddIntervention).Accepts<Intervention>("application/json").RequireAuthorization(AdminPolicies.Admin)
            .ProducesProblem(StatusCodes.Status409Conflict)
            .WithSummary("Define an intervention (validated; it must start after the last simulated day); 201, or 200 when the same definition exists");
        api.MapGet("/{id:guid}", GetIntervention).ProducesProblem(StatusCodes.Status404NotFound)
            .WithSummary("One intervention: definition, status, assignment counts, exposures, planned touches and its true effects once computed");
        api.MapPost("/{id:guid}/stop", StopIntervention).RequireAuthorization(AdminPolicies.Admin).ProducesProblem(StatusCodes.Status404NotFound)
            .WithSummary("Stop an intervention: it ends on the last simulated day");
        api.MapPost("/{id:guid}/score", ScoreIntervention).Accepts<ScoreRequest>("application/json", "text/csv").RequireAuthorization(AdminPolicies.Admin)
            .ProducesProblem(StatusCodes.Status404NotFound).ProducesProblem(StatusCodes.Status409Conflict)
            .WithSummary("Score estimates (JSON, or CSV as text/csv with ?outcome&modelType) against the true effects: bias, coverage, PEHE, Qini, AUUC; recorded in hcp.uplift_models");
        api.MapPost("/{id:guid}/planned-touches", SubmitPlannedTouches).Accepts<PlannedTouchesRequest>("application/json").RequireAuthorization(AdminPolicies.Admin)
            .ProducesProblem(StatusCodes.Status404NotFound).ProducesProblem(StatusCodes.Status409Conflict)
            .WithSummary("Post planned touches for coming days (schedule \"planned\"): each accepted or refused with its reasons");
        api.MapGet("/{id:guid}/planned-touches", GetPlannedTouches).ProducesProblem(StatusCodes.Status404NotFound)
            .WithSummary("Planned touches with what became of them: planned | realized | rejected (with the reason)");
        return app;
    }

    public static async Task<Ok<IReadOnlyList<InterventionResponse>>> GetInterventions(HcpDbContext db, CancellationToken ct) =>
        TypedResults.Ok<IReadOnlyList<InterventionResponse>>((await InterventionCatalog.ListAsync(db, ct)).Select(ToResponse).ToList());

    public static async Task<Results<Created<InterventionResponse>, Ok<InterventionResponse>, ValidationProblem, ProblemHttpResult>> AddIntervention(
        HttpRequest request, HcpDbContext db, CancellationToken ct)
    {
        var body = await BodyAsync(request, ct);
        try
        {
            var definition = InterventionJson.ParseDefinition(body, "body");
            var result = await InterventionCatalog.AddAsync(db, definition, Who(request), ct);
            var response = ToResponse(result.Intervention);
            return result.Created ? TypedResults.Created($"/api/admin/interventions/{response.Id}", response) : TypedResults.Ok(response);
        }
        catch (InterventionInputException e)
        {
            return Problem(e);
        }
        catch (InterventionConflictException e)
        {
            return TypedResults.Problem(statusCode: StatusCodes.Status409Conflict, title: "Another intervention has this id", detail: e.Message);
        }
    }

    public static async Task<Results<Ok<InterventionDetailResponse>, ProblemHttpResult>> GetIntervention(Guid id, HcpDbContext db, NpgsqlDataSource dataSource, CancellationToken ct)
    {
        var intervention = await InterventionCatalog.GetAsync(db, id, ct);
        if (intervention is null)
        {
            return NotFound(id);
        }
        var counts = await InterventionCatalog.CountsAsync(db, id, ct);
        var effects = await InterventionEffects.ReadAsync(dataSource, id, ct);
        return TypedResults.Ok(new InterventionDetailResponse(ToResponse(intervention), counts, effects));
    }

    /// <summary>
    /// Scores estimates against the truth. The body is JSON (<see cref="ScoreRequest"/>) or CSV (Content-Type text/csv: the
    /// file 'hcp interventions score' reads, with outcome and modelType in the query).
    /// </summary>
    public static async Task<Results<Ok<UpliftScore>, ValidationProblem, ProblemHttpResult>> ScoreIntervention(
        Guid id, string? outcome, string? modelType, HttpRequest request, HcpDbContext db, NpgsqlDataSource dataSource, CancellationToken ct)
    {
        if (!await ExistsAsync(db, id, ct))
        {
            return NotFound(id);
        }
        var body = await BodyAsync(request, ct, MaxUploadBytes);
        EstimateInput input;
        var csv = request.ContentType is { } type && type.StartsWith("text/csv", StringComparison.OrdinalIgnoreCase);
        try
        {
            if (csv)
            {
                input = await EstimateCsv.ParseAsync(dataSource, body, ct);
            }
            else
            {
                ScoreRequest? score;
                try
                {
                    score = JsonSerializer.Deserialize<ScoreRequest>(body, InterventionJson.Strict);
                }
                catch (JsonException e)
                {
                    // Described like a definition's errors: the path and the kind of value wanted, no .NET names.
                    return RequestErrors.One("body", InterventionJson.Describe(e, "body", ScoreFields,
                        "{\"outcome\": \"…\", \"estimates\": {\"perHcp\": [{\"hcpId\": \"…\", \"effect\": 0.1}]} or {\"ate\": 0.1, \"ateLower\": 0, \"ateUpper\": 0.2}}, or CSV with Content-Type text/csv"));
                }
                if (score?.Estimates is not { } estimates || (estimates.PerHcp is not { Count: > 0 } && estimates.Ate is null))
                {
                    return RequestErrors.One("estimates", "estimates needs perHcp (one estimate per HCP) or ate (with ateLower and ateUpper for coverage).");
                }
                if (outcome is not null && score.Outcome is not null && outcome != score.Outcome)
                {
                    return RequestErrors.One("outcome", "outcome is given twice (query and body) with different values; give it once.");
                }
                outcome ??= score.Outcome;
                modelType ??= score.ModelType;
                input = await ToInputAsync(estimates, db, ct);
            }
        }
        catch (EstimateFormatException e)
        {
            return RequestErrors.One("estimates", e.Message);
        }
        if (string.IsNullOrWhiteSpace(outcome))
        {
            return RequestErrors.One("outcome", "outcome is required: an outcome type (email_open, meeting_scheduled, …) or rx.");
        }
        try
        {
            return TypedResults.Ok(await InterventionScoring.ScoreAsync(dataSource, id, outcome, input, modelType ?? "custom", ct));
        }
        catch (ScoringInputException e)
        {
            return RequestErrors.One(e.Field, e.Message);
        }
        catch (NoTruthYetException e)
        {
            return TypedResults.Problem(statusCode: StatusCodes.Status409Conflict, title: "No truth yet", detail: e.Message);
        }
    }

    private const string ScoreFields = "outcome, modelType, estimates {perHcp [hcpId or npi, effect, lower, upper], ate, ateLower, ateUpper}";

    /// <summary>The JSON estimates as the scoring's input, NPIs resolved against the dataset.</summary>
    private static async Task<EstimateInput> ToInputAsync(EstimatesBody estimates, HcpDbContext db, CancellationToken ct)
    {
        if (estimates.PerHcp is not { Count: > 0 } perHcp)
        {
            return new EstimateInput(null, estimates.Ate, estimates.AteLower, estimates.AteUpper);
        }
        var npis = perHcp.Where(e => e is { HcpId: null, Npi: not null }).Select(e => e.Npi!).Distinct().ToList();
        var byNpi = npis.Count == 0
            ? new Dictionary<string, Guid>()
            : await db.HcpProfiles.Where(p => npis.Contains(p.Npi)).ToDictionaryAsync(p => p.Npi, p => p.Id, ct);
        var list = new List<UpliftEstimate>(perHcp.Count);
        for (var k = 0; k < perHcp.Count; k++)
        {
            var e = perHcp[k];
            // The CSV's rules, for the same estimates sent as JSON.
            if (e is null)
            {
                throw new EstimateFormatException($"perHcp[{k}] is null; give {{\"hcpId\" or \"npi\", \"effect\", \"lower\"?, \"upper\"?}}.");
            }
            if (e.HcpId is not null && e.Npi is not null)
            {
                throw new EstimateFormatException($"perHcp[{k}]: give hcpId or npi, not both.");
            }
            if ((e.Lower is null) != (e.Upper is null))
            {
                throw new EstimateFormatException($"perHcp[{k}]: give both lower and upper, or neither.");
            }
            if (e.Lower is { } lo && e.Upper is { } hi && lo > hi)
            {
                throw new EstimateFormatException(string.Create(System.Globalization.CultureInfo.InvariantCulture, $"perHcp[{k}]: lower ({lo}) is above upper ({hi})."));
            }
            Guid hcp;
            if (e.HcpId is { } given)
            {
                hcp = given;
            }
            else if (e.Npi is null || !byNpi.TryGetValue(e.Npi, out hcp))
            {
                throw new EstimateFormatException($"perHcp[{k}]: " + (e.Npi is null ? "hcpId or npi is required." : $"npi {Data.Platform.InputEcho.Of(e.Npi)} is not an HCP of the dataset."));
            }
            list.Add(new UpliftEstimate(hcp, e.Effect, e.Lower, e.Upper));
        }
        return new EstimateInput(list, estimates.Ate, estimates.AteLower, estimates.AteUpper);
    }

    public static async Task<Results<Ok<InterventionResponse>, ProblemHttpResult>> StopIntervention(Guid id, HcpDbContext db, CancellationToken ct)
    {
        var stopped = await InterventionCatalog.StopAsync(db, id, ct);
        return stopped is null ? NotFound(id) : TypedResults.Ok(ToResponse(stopped));
    }

    public static async Task<Results<Ok<SubmitResult>, ValidationProblem, ProblemHttpResult>> SubmitPlannedTouches(
        Guid id, HttpRequest request, HcpDbContext db, CancellationToken ct)
    {
        var body = await BodyAsync(request, ct, MaxUploadBytes);
        try
        {
            var batch = InterventionJson.ParseBatch(body, "body");
            if (batch.InterventionId is { } named && named != id)
            {
                return RequestErrors.One("interventionId", $"interventionId {named} is not the intervention of the URL ({id}); leave it out.");
            }
            var result = await PlannedTouches.SubmitAsync(db, id, batch.Touches ?? [], batch.SubmittedBy ?? Who(request), ct);
            return result is null ? NotFound(id) : TypedResults.Ok(result);
        }
        catch (InterventionInputException e)
        {
            return Problem(e, "touches");
        }
        catch (InterventionConflictException e)
        {
            return TypedResults.Problem(statusCode: StatusCodes.Status409Conflict, title: "The intervention takes no touches", detail: e.Message);
        }
    }

    public static async Task<Results<Ok<IReadOnlyList<PlannedTouchView>>, ValidationProblem, ProblemHttpResult>> GetPlannedTouches(
        Guid id, string? status, int? limit, HcpDbContext db, CancellationToken ct)
    {
        var errors = new RequestErrors();
        if (status is not null && !PlannedTouches.Statuses.Contains(status))
        {
            errors.Add("status", $"status '{Data.Platform.InputEcho.Of(status)}' is not allowed; allowed: {string.Join(", ", PlannedTouches.Statuses)}.");
        }
        if (limit is < 1 or > 100_000)
        {
            errors.Add("limit", $"limit is {limit}; allowed: 1 to 100000.");
        }
        if (errors.Any)
        {
            return errors.ToProblem();
        }
        if (!await ExistsAsync(db, id, ct))
        {
            return NotFound(id);
        }
        return TypedResults.Ok(await PlannedTouches.ListAsync(db, id, status, limit ?? 1_000, ct));
    }

    internal static InterventionResponse ToResponse(InterventionView i)
    {
        using var definition = JsonDocument.Parse(i.Definition.ToJson());
        return new InterventionResponse(i.Id, i.Name, i.Type, i.Schedule, i.Status, i.Start, i.End, i.Channels, i.TreatedShare, i.CreatedAt, i.CreatedBy,
            i.StoppedAt, definition.RootElement.Clone());
    }

    /// <summary>The key's name, as the row's created_by / submitted_by (at most 100 characters).</summary>
    private static string? Who(HttpRequest request) => request.HttpContext.User.Identity?.Name is { } name ? name[..Math.Min(name.Length, 100)] : null;

    /// <summary>Whether the intervention is defined: one query (GetAsync also reads the last simulated day, for a status not needed here).</summary>
    private static Task<bool> ExistsAsync(HcpDbContext db, Guid id, CancellationToken ct) => db.Interventions.AnyAsync(i => i.Id == id, ct);

    private static ProblemHttpResult NotFound(Guid id) => DataApi.NotFound($"No intervention with id {id}.");

    /// <summary>
    /// The 400 answer of a definition's problems, each under the field it names (its first word: "type", "channels",
    /// "target.tiers", …), else under <paramref name="fallback"/>.
    /// </summary>
    private static ValidationProblem Problem(InterventionInputException e, string fallback = "body")
    {
        var errors = new RequestErrors();
        foreach (var problem in e.Problems)
        {
            var match = FieldPattern().Match(problem);
            var field = match.Success ? match.Groups[1].Value : "";
            errors.Add(Fields.Contains(field) || field.StartsWith("target.", StringComparison.Ordinal) ? field : fallback, problem);
        }
        return errors.ToProblem();
    }

    private static readonly HashSet<string> Fields = new(StringComparer.Ordinal)
    {
        "body", "id", "name", "type", "schedule", "channels", "contentCategory", "product", "start", "end", "maxExposuresPerHcp",
        "minDaysBetweenExposures", "treatedShare", "triggerChannel", "triggerLagDays", "touches", "submittedBy", "createdBy",
    };

    [GeneratedRegex(@"^([a-z][A-Za-z]*(?:\.[a-z][A-Za-z]*)?)\b")]
    private static partial Regex FieldPattern();

    /// <summary>The body as text (UTF-8), up to <paramref name="limit"/> bytes where this endpoint allows more than the default.</summary>
    private static async Task<string> BodyAsync(HttpRequest request, CancellationToken ct, long? limit = null)
    {
        if (limit is not null && request.HttpContext.Features.Get<IHttpMaxRequestBodySizeFeature>() is { IsReadOnly: false } size)
        {
            size.MaxRequestBodySize = limit;
        }
        using var reader = new StreamReader(request.Body, Encoding.UTF8);
        return await reader.ReadToEndAsync(ct);
    }
}
