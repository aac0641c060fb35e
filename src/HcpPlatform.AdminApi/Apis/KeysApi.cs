using HcpPlatform.AdminApi.Security;
using HcpPlatform.Data.Security;
using Microsoft.AspNetCore.Http.HttpResults;
using Npgsql;

namespace HcpPlatform.AdminApi.Apis;

/// <summary>A key as the API shows it: never the key nor its hash, only the prefix that identifies it.</summary>
public sealed record KeyView(Guid Id, string Name, string Prefix, string Scope, string State, DateTime CreatedAt, DateTime? ExpiresAt, DateTime? RevokedAt, DateTime? LastUsedAt);

/// <summary>List and revoke keys (admin). Keys are created only with the CLI, which prints a new key once.</summary>
public static class KeysApi
{
    public static IEndpointRouteBuilder MapKeysApi(this IEndpointRouteBuilder app)
    {
        var api = app.MapGroup("/api/admin/keys").WithTags("Keys").RequireAuthorization(AdminPolicies.Admin);
        api.MapGet("/", GetKeys).WithSummary("API keys: name, prefix, scope, state (create keys with 'hcp keys create')");
        api.MapPost("/{id:guid}/revoke", Revoke).ProducesProblem(StatusCodes.Status404NotFound).WithSummary("Revoke a key at once");
        return app;
    }

    public static async Task<Ok<IReadOnlyList<KeyView>>> GetKeys(NpgsqlDataSource dataSource, CancellationToken ct)
    {
        await using var connection = await dataSource.OpenConnectionAsync(ct);
        var now = DateTime.UtcNow;
        var keys = await ApiKeyStore.ListAsync(connection, ct);
        return TypedResults.Ok<IReadOnlyList<KeyView>>(keys.Select(k => ToView(k, now)).ToList());
    }

    public static async Task<Results<Ok<KeyView>, ProblemHttpResult>> Revoke(Guid id, NpgsqlDataSource dataSource, ApiKeyCache cache, CancellationToken ct)
    {
        await using var connection = await dataSource.OpenConnectionAsync(ct);
        var matches = await ApiKeyStore.RevokeAsync(connection, id.ToString(), ct);
        cache.Invalidate();
        return matches.Count == 1 ? TypedResults.Ok(ToView(matches[0], DateTime.UtcNow)) : DataApi.NotFound($"No key with id {id}.");
    }

    private static KeyView ToView(Data.Platform.ApiKey k, DateTime now) =>
        new(k.Id, k.Name, k.KeyPrefix, k.Scope, ApiKeyState.Of(k, now), k.CreatedAt, k.ExpiresAt, k.RevokedAt, k.LastUsedAt);
}
