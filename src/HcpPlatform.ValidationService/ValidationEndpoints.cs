using HcpPlatform.Data.Validation;
using Microsoft.AspNetCore.Http.HttpResults;
using Npgsql;

namespace HcpPlatform.ValidationService;

/// <summary>GET /validations/latest, GET /validations/{id}, POST /validations.</summary>
public static class ValidationEndpoints
{
    public static IEndpointRouteBuilder MapValidationEndpoints(this IEndpointRouteBuilder app)
    {
        var group = app.MapGroup("/validations");

        group.MapGet("/latest", async Task<Results<Ok<StoredValidation>, ProblemHttpResult>> (NpgsqlDataSource dataSource, CancellationToken ct) =>
        {
            await using var connection = await dataSource.OpenConnectionAsync(ct);
            return await ValidationStore.LatestAsync(connection, ct) is { } latest
                ? TypedResults.Ok(latest)
                : TypedResults.Problem(statusCode: StatusCodes.Status404NotFound, title: "No validation yet",
                    detail: "No validation has been stored yet: generate a dataset or POST /validations.");
        }).WithName("GetLatestValidation");

        group.MapGet("/{id}", async Task<Results<Ok<StoredValidation>, ProblemHttpResult>> (string id, NpgsqlDataSource dataSource, CancellationToken ct) =>
        {
            if (!Guid.TryParse(id, out var guid))
            {
                return TypedResults.Problem(statusCode: StatusCodes.Status400BadRequest, title: "Invalid validation id",
                    detail: $"'{id}' is not a validation id (a UUID).");
            }
            await using var connection = await dataSource.OpenConnectionAsync(ct);
            return await ValidationStore.GetAsync(connection, guid, ct) is { } stored
                ? TypedResults.Ok(stored)
                : TypedResults.Problem(statusCode: StatusCodes.Status404NotFound, title: "Validation not found",
                    detail: $"There is no validation {guid}.");
        }).WithName("GetValidation");

        // Runs the validation now and answers with its result (it takes about as long as validate-only: ≤ 2 s at
        // development scale). One validation runs at a time; a request made during another waits for it.
        group.MapPost("/", async (ValidationRunner runner, CancellationToken ct) =>
        {
            var stored = await runner.RunAsync(DatasetValidation.ApiTrigger, ct);
            return TypedResults.Ok(stored);
        }).WithName("RunValidation");

        return app;
    }
}
