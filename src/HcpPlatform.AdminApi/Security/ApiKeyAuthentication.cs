using System.Security.Claims;
using System.Text.Encodings.Web;
using HcpPlatform.Data.Security;
using Microsoft.AspNetCore.Authentication;
using Microsoft.AspNetCore.Mvc;
using Microsoft.Extensions.Options;

namespace HcpPlatform.AdminApi.Security;

public static class ApiKeyDefaults
{
    public const string Scheme = "ApiKey";
    public const string HeaderName = "X-Api-Key";
    public const string ScopeClaim = "scope";
    public const string PrefixClaim = "key_prefix";
}

/// <summary>Authorization policies: <see cref="Read"/> for GET endpoints (read or admin keys), <see cref="Admin"/> for the rest.</summary>
public static class AdminPolicies
{
    public const string Read = "read";
    public const string Admin = "admin";
}

/// <summary>
/// Authenticates a request by its API key: header <c>X-Api-Key: KEY</c> or <c>Authorization: ApiKey KEY</c>.
/// 401 (missing, unknown, expired, revoked) and 403 (a read key on an admin endpoint) are answered with ProblemDetails
/// that say which case it is and what to do. The key itself is never logged nor echoed; only its prefix.
/// </summary>
public sealed class ApiKeyAuthenticationHandler(
    IOptionsMonitor<AuthenticationSchemeOptions> options, ILoggerFactory loggerFactory, UrlEncoder encoder,
    ApiKeyCache keys, IProblemDetailsService problems)
    : AuthenticationHandler<AuthenticationSchemeOptions>(options, loggerFactory, encoder)
{
    private const string AuthorizationPrefix = ApiKeyDefaults.Scheme + " ";

    protected override async Task<AuthenticateResult> HandleAuthenticateAsync()
    {
        // Repeated headers arrive as several values, or as one joined with commas (no key contains a comma).
        if (Request.Headers.TryGetValue(ApiKeyDefaults.HeaderName, out var headers)
            && headers.Sum(h => h?.Split(',').Length ?? 0) is var count and > 1)
        {
            return AuthenticateResult.Fail($"The request has {count} {ApiKeyDefaults.HeaderName} headers; send exactly one API key.");
        }
        var presented = PresentedKey(Request);
        if (presented is null)
        {
            return AuthenticateResult.NoResult();
        }
        if (presented.Length == 0)
        {
            return AuthenticateResult.Fail("The API key header is empty.");
        }
        var (verdict, key) = await keys.VerifyAsync(presented, Context.RequestAborted);
        switch (verdict)
        {
            case KeyVerdict.Valid:
                var identity = new ClaimsIdentity(
                [
                    new Claim(ClaimTypes.NameIdentifier, key!.Id.ToString()),
                    new Claim(ClaimTypes.Name, key.Name),
                    new Claim(ApiKeyDefaults.ScopeClaim, key.Scope),
                    new Claim(ApiKeyDefaults.PrefixClaim, key.Prefix),
                ], ApiKeyDefaults.Scheme);
                return AuthenticateResult.Success(new AuthenticationTicket(new ClaimsPrincipal(identity), ApiKeyDefaults.Scheme));
            case KeyVerdict.Expired:
                Log.KeyRefused(Logger, key!.Prefix, "expired");
                return AuthenticateResult.Fail($"The API key {key.Prefix}… expired on {key.ExpiresAt:yyyy-MM-dd HH:mm} UTC; create a new one with 'hcp keys create'.");
            case KeyVerdict.Revoked:
                Log.KeyRefused(Logger, key!.Prefix, "revoked");
                return AuthenticateResult.Fail($"The API key {key.Prefix}… was revoked on {key.RevokedAt:yyyy-MM-dd HH:mm} UTC.");
            default:
                return AuthenticateResult.Fail("The API key is not valid.");
        }
    }

    protected override async Task HandleChallengeAsync(AuthenticationProperties properties)
    {
        var result = await HandleAuthenticateOnceSafeAsync();
        Response.StatusCode = StatusCodes.Status401Unauthorized;
        Response.Headers.WWWAuthenticate = $"{ApiKeyDefaults.Scheme} header=\"{ApiKeyDefaults.HeaderName}\"";
        var detail = result.Failure?.Message
            ?? $"This endpoint needs an API key: send it as the {ApiKeyDefaults.HeaderName} header (or Authorization: ApiKey KEY). Create one with 'hcp keys create --name NAME --scope read|admin'.";
        await problems.WriteAsync(new ProblemDetailsContext
        {
            HttpContext = Context,
            ProblemDetails = new ProblemDetails { Status = 401, Title = "Missing or invalid API key", Detail = detail },
        });
    }

    protected override async Task HandleForbiddenAsync(AuthenticationProperties properties)
    {
        Response.StatusCode = StatusCodes.Status403Forbidden;
        var scope = Context.User.FindFirst(ApiKeyDefaults.ScopeClaim)?.Value ?? "?";
        var prefix = Context.User.FindFirst(ApiKeyDefaults.PrefixClaim)?.Value ?? "?";
        await problems.WriteAsync(new ProblemDetailsContext
        {
            HttpContext = Context,
            ProblemDetails = new ProblemDetails
            {
                Status = 403,
                Title = "The API key's scope does not allow this",
                Detail = $"This endpoint needs a key of scope '{ApiKeyScopes.Admin}' (it changes the platform or manages its keys); the key {prefix}… has scope '{scope}'.",
            },
        });
    }

    /// <summary>The key the request carries: null when it carries none, empty when the header is there but blank.</summary>
    internal static string? PresentedKey(HttpRequest request)
    {
        if (request.Headers.TryGetValue(ApiKeyDefaults.HeaderName, out var header))
        {
            return header.Count == 1 ? header[0]!.Trim() : "";
        }
        var authorization = request.Headers.Authorization;
        if (authorization.Count == 1 && authorization[0] is { } value && value.StartsWith(AuthorizationPrefix, StringComparison.OrdinalIgnoreCase))
        {
            return value[AuthorizationPrefix.Length..].Trim();
        }
        return null;
    }
}
