using HcpPlatform.AdminApi.Security;
using HcpPlatform.AdminApi.Services;
using HcpPlatform.Data.Validation;
using Microsoft.AspNetCore.Http.HttpResults;
using Npgsql;

namespace HcpPlatform.AdminApi.Apis;

public static class ValidationApi
{
    public static IEndpointRouteBuilder MapValidationApi(this IEndpointRouteBuilder app)
    {
        var api = app.MapGroup("/api/admin/validation").WithTags("Validation").RequireAuthorization(AdminPolicies.Read);
        api.MapGet("/latest", GetLatest).ProducesProblem(StatusCodes.Status404NotFound).WithSummary("The most recent validation with every check");
        api.MapGet("/history", GetHistory).WithSummary("Validations, newest first (verdicts and counts, without the checks)");
        api.MapGet("/{id:guid}", GetById).ProducesProblem(StatusCodes.Status404NotFound).WithSummary("One validation with every check");
        api.MapPost("/run", Run).ProducesProblem(StatusCodes.Status409Conflict).RequireAuthorization(AdminPolicies.Admin).WithSummary("Validate the dataset now and store the result");
        return app;
    }

    public static async Task<Results<Ok<StoredValidation>, ProblemHttpResult>> GetLatest(NpgsqlDataSource dataSource, CancellationToken ct)
    {
        await using var connection = await dataSource.OpenConnectionAsync(ct);
        var latest = await ValidationStore.LatestAsync(connection, ct);
        return latest is null ? DataApi.NotFound("No validation has been stored yet.") : TypedResults.Ok(latest);
    }

    public static async Task<Results<Ok<StoredValidation>, ProblemHttpResult>> GetById(Guid id, NpgsqlDataSource dataSource, CancellationToken ct)
    {
        await using var connection = await dataSource.OpenConnectionAsync(ct);
        var result = await ValidationStore.GetAsync(connection, id, ct);
        return result is null ? DataApi.NotFound($"No validation with id {id}.") : TypedResults.Ok(result);
    }

    public static async Task<Results<Ok<IReadOnlyList<ValidationSummary>>, ValidationProblem>> GetHistory(int? limit, DataQueries data, CancellationToken ct) =>
        limit is < 1 or > 500
            ? RequestErrors.One("limit", $"limit is {limit}; allowed: 1 to 500.")
            : TypedResults.Ok(await data.ValidationHistoryAsync(limit ?? 20, ct));

    public static async Task<Results<Created<StoredValidation>, ProblemHttpResult>> Run(NpgsqlDataSource dataSource, DataQueries data, CancellationToken ct)
    {
        if (await data.WindowAsync(ct) is null)
        {
            return TypedResults.Problem(statusCode: 409, title: "There is no dataset to validate", detail: "Generate one first: POST /api/admin/generation/backfill.");
        }
        // One snapshot for every check and the run recorded; one trace, "hcp.validate api", linked to this request's span.
        var outcome = await DatasetValidation.ValidateAndStoreAsync(dataSource, ValidationScope.All, DatasetValidation.ApiTrigger, ct);
        return TypedResults.Created($"/api/admin/validation/{outcome.Stored.Id}", outcome.Stored);
    }
}
