using HcpPlatform.AdminApi.Security;
using HcpPlatform.AdminApi.Services;
using Microsoft.AspNetCore.Http.HttpResults;

namespace HcpPlatform.AdminApi.Apis;

public static class RunsApi
{
    /// <summary>The kinds of lineage rows the platform writes (the generator adds scenario_events when it adopts injected events).</summary>
    public static readonly string[] Kinds = ["backfill", "increment", "erasure", "scenario_events"];
    public static readonly string[] Statuses = ["running", "succeeded", "failed", "cancelled", "abandoned"];

    public static IEndpointRouteBuilder MapRunsApi(this IEndpointRouteBuilder app)
    {
        var api = app.MapGroup("/api/admin/runs").WithTags("Lineage").RequireAuthorization(AdminPolicies.Read);
        api.MapGet("/", GetRuns).WithSummary("Lineage: runs with parameters, counts, durations and verdict, newest first");
        api.MapGet("/{id:guid}", GetRun).ProducesProblem(StatusCodes.Status404NotFound).WithSummary("One run (poll a regeneration here; while it runs, per-table progress)");
        return app;
    }

    public static async Task<Results<Ok<IReadOnlyList<RunView>>, ValidationProblem>> GetRuns(string? kind, string? status, int? limit, DataQueries data, CancellationToken ct)
    {
        var errors = new RequestErrors();
        if (kind is not null && !Kinds.Contains(kind))
        {
            errors.Add("kind", $"kind '{kind}' is not a run kind; allowed: {string.Join(", ", Kinds)}.");
        }
        if (status is not null && !Statuses.Contains(status))
        {
            errors.Add("status", $"status '{status}' is not allowed; allowed: {string.Join(", ", Statuses)}.");
        }
        if (limit is < 1 or > 500)
        {
            errors.Add("limit", $"limit is {limit}; allowed: 1 to 500.");
        }
        return errors.Any ? errors.ToProblem() : TypedResults.Ok(await data.RunsAsync(kind, status, limit ?? 50, ct));
    }

    public static async Task<Results<Ok<RunView>, ProblemHttpResult>> GetRun(Guid id, DataQueries data, BackfillRunner runner, CancellationToken ct)
    {
        var run = await data.RunAsync(id, runner.ProgressOf(id), ct);
        return run is null ? DataApi.NotFound($"No run with id {id}.") : TypedResults.Ok(run);
    }
}
