using System.Text.Json.Serialization;
using System.Threading.RateLimiting;
using HcpPlatform.AdminApi.Security;
using HcpPlatform.AdminApi.Services;
using HcpPlatform.Data.Hosting;
using HcpPlatform.Data.Security;
using Microsoft.AspNetCore.Mvc;
using Microsoft.Extensions.Options;

namespace HcpPlatform.AdminApi.Extensions;

public static class Extensions
{
    /// <summary>
    /// The database, API-key authentication and the read/admin policies, per-key rate limiting, request size limits,
    /// ProblemDetails for every error, the OpenAPI document and the services behind the endpoints.
    /// </summary>
    /// <summary>Query parameters refused because they carry a key.</summary>
    private static readonly string[] QueryKeyNames = ["api_key", "apikey", "api-key", "x-api-key", "key", "access_token", "token"];

    /// <summary>The longest a request waits to open a database connection.</summary>
    public const int ConnectTimeoutSeconds = 5;

    public static WebApplicationBuilder AddApplicationServices(this WebApplicationBuilder builder)
    {
        ArgumentNullException.ThrowIfNull(builder);
        var services = builder.Services;
        var settings = builder.Configuration.GetSection(AdminApiOptions.Section).Get<AdminApiOptions>() ?? new AdminApiOptions();
        var problems = settings.Validate().ToList();
        if (problems.Count > 0)
        {
            throw new OptionsValidationException(AdminApiOptions.Section, typeof(AdminApiOptions), problems);
        }
        services.AddOptions<AdminApiOptions>().Bind(builder.Configuration.GetSection(AdminApiOptions.Section));

        // The status endpoint runs the same few statements all the time: let Npgsql prepare them (no re-planning).
        builder.AddHcpDatabase(dataSource =>
        {
            dataSource.ConnectionStringBuilder.MaxAutoPrepare = 32;
            dataSource.ConnectionStringBuilder.AutoPrepareMinUsages = 2;
            // A database that does not accept a connection within a few seconds is answered with 503 then, not after 15 s.
            dataSource.ConnectionStringBuilder.Timeout = Math.Min(dataSource.ConnectionStringBuilder.Timeout, ConnectTimeoutSeconds);
        });
        services.AddSingleton(TimeProvider.System);
        // The request-start lines carry the full URL, query string included: never logged, whatever the configuration
        // says (a key sent in the query string must not reach a log before it is refused).
        builder.Logging.AddFilter("Microsoft.AspNetCore.Hosting.Diagnostics", LogLevel.Warning);

        // Request limits: bodies are small JSON documents; headers carry at most a key.
        builder.WebHost.ConfigureKestrel(kestrel =>
        {
            kestrel.AddServerHeader = false;
            kestrel.Limits.MaxRequestBodySize = settings.MaxRequestBodyBytes;
            kestrel.Limits.MaxRequestHeadersTotalSize = 16 * 1024;
            kestrel.Limits.MaxRequestHeaderCount = 50;
        });
        services.Configure<RouteHandlerOptions>(o => o.ThrowOnBadRequest = true);
        services.Configure<Microsoft.AspNetCore.Http.Json.JsonOptions>(o =>
        {
            o.SerializerOptions.UnmappedMemberHandling = JsonUnmappedMemberHandling.Disallow;
            // Strict JSON: a number is a JSON number ("2" is refused, naming the field), as the OpenAPI document says.
            o.SerializerOptions.NumberHandling = JsonNumberHandling.Strict;
            o.SerializerOptions.DefaultIgnoreCondition = JsonIgnoreCondition.Never;
        });
        services.AddProblemDetails(o => o.CustomizeProblemDetails = ProblemText.Apply);
        services.AddExceptionHandler<ApiExceptionHandler>();

        services.AddSingleton<ApiKeyCache>();
        services.AddHostedService<ApiKeyUseRecorder>();
        services.AddAuthentication(ApiKeyDefaults.Scheme)
            .AddScheme<Microsoft.AspNetCore.Authentication.AuthenticationSchemeOptions, ApiKeyAuthenticationHandler>(ApiKeyDefaults.Scheme, null);
        services.AddAuthorizationBuilder()
            .AddPolicy(AdminPolicies.Read, p => p.RequireAuthenticatedUser().RequireClaim(ApiKeyDefaults.ScopeClaim, ApiKeyScopes.Read, ApiKeyScopes.Admin))
            .AddPolicy(AdminPolicies.Admin, p => p.RequireAuthenticatedUser().RequireClaim(ApiKeyDefaults.ScopeClaim, ApiKeyScopes.Admin));
        services.AddRateLimiter(o => ConfigureRateLimiting(o, settings.RateLimit));

        builder.AddDefaultOpenApi();

        services.AddSingleton<StatusReader>();
        services.AddSingleton<DataQueries>();
        services.AddSingleton<BackfillRunner>();
        return builder;
    }

    /// <summary>Exception → ProblemDetails, security headers, authentication, rate limiting, authorization.</summary>
    public static WebApplication UseAdminApiPipeline(this WebApplication app)
    {
        app.UseExceptionHandler();
        app.UseStatusCodePages();
        // An API key in the query string is refused outright: URLs end up in logs, proxies and browser histories.
        app.Use(async (context, next) =>
        {
            if (context.Request.Query.Keys.FirstOrDefault(k => QueryKeyNames.Contains(k, StringComparer.OrdinalIgnoreCase)) is { } name)
            {
                context.Response.StatusCode = StatusCodes.Status400BadRequest;
                await context.RequestServices.GetRequiredService<IProblemDetailsService>().WriteAsync(new ProblemDetailsContext
                {
                    HttpContext = context,
                    ProblemDetails = new ProblemDetails
                    {
                        Status = 400,
                        Title = "API keys are not accepted in the query string",
                        Detail = $"The query parameter '{name}' looks like an API key; URLs are logged and kept in histories, so keys are refused there. Send the key as the {ApiKeyDefaults.HeaderName} header (or Authorization: ApiKey KEY), and revoke this one ('hcp keys revoke').",
                    },
                });
                return;
            }
            await next(context);
        });
        app.Use((context, next) =>
        {
            var headers = context.Response.Headers;
            headers.XContentTypeOptions = "nosniff";
            headers["Referrer-Policy"] = "no-referrer";
            headers.XFrameOptions = "DENY";
            return next(context);
        });
        app.UseAuthentication();
        app.UseRateLimiter();
        app.UseAuthorization();
        return app;
    }

    /// <summary>
    /// One fixed window per API key (per client address for requests without a valid key); health probes are not limited.
    /// A refused request gets 429 with Retry-After and ProblemDetails.
    /// </summary>
    private static void ConfigureRateLimiting(Microsoft.AspNetCore.RateLimiting.RateLimiterOptions options, RateLimitSettings settings)
    {
        options.GlobalLimiter = PartitionedRateLimiter.Create<HttpContext, string>(context =>
        {
            var path = context.Request.Path;
            if (path.StartsWithSegments(Microsoft.Extensions.Hosting.Extensions.HealthEndpointPath)
                || path.StartsWithSegments(Microsoft.Extensions.Hosting.Extensions.AlivenessEndpointPath))
            {
                return RateLimitPartition.GetNoLimiter("probes");
            }
            var keyId = context.User.FindFirst(System.Security.Claims.ClaimTypes.NameIdentifier)?.Value;
            var partition = keyId is not null ? "key:" + keyId : "addr:" + context.Connection.RemoteIpAddress;
            return RateLimitPartition.GetFixedWindowLimiter(partition, _ => new FixedWindowRateLimiterOptions
            {
                PermitLimit = settings.PermitLimit,
                Window = TimeSpan.FromSeconds(settings.WindowSeconds),
                QueueLimit = 0,
                AutoReplenishment = true,
            });
        });
        options.RejectionStatusCode = StatusCodes.Status429TooManyRequests;
        options.OnRejected = async (rejected, ct) =>
        {
            var context = rejected.HttpContext;
            var retryAfter = rejected.Lease.TryGetMetadata(MetadataName.RetryAfter, out var wait) ? wait : TimeSpan.FromSeconds(settings.WindowSeconds);
            var seconds = Math.Max(1, (int)Math.Ceiling(retryAfter.TotalSeconds));
            context.Response.Headers.RetryAfter = seconds.ToString(System.Globalization.CultureInfo.InvariantCulture);
            var writer = context.RequestServices.GetRequiredService<IProblemDetailsService>();
            await writer.WriteAsync(new ProblemDetailsContext
            {
                HttpContext = context,
                ProblemDetails = new ProblemDetails
                {
                    Status = StatusCodes.Status429TooManyRequests,
                    Title = "Too many requests",
                    Detail = $"This key (or client) may make {settings.PermitLimit} requests per {settings.WindowSeconds:0.###} s; try again in {seconds} s.",
                },
            });
        };
    }
}
