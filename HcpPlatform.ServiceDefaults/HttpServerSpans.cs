using System.Diagnostics;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Http.Features;
using Microsoft.AspNetCore.Routing;

namespace HcpPlatform.ServiceDefaults;

/// <summary>
/// ASP.NET Core 10 starts a server span ("Microsoft.AspNetCore" source) for each request but, without
/// OpenTelemetry.Instrumentation.AspNetCore, puts no tags on it, so neither a sampler nor a processor can tell
/// /health from anything else. This middleware does what the instrumentation's filter and enrichment would:
/// probe requests are marked not recorded (so they, and any child spans, are never exported); other requests get
/// the semantic-convention name and tags (method, path, route, status code).
/// </summary>
internal static class HttpServerSpans
{
    public static Func<RequestDelegate, RequestDelegate> Middleware(IReadOnlyList<string> excludedPaths) => next => async context =>
    {
        var activity = context.Features.Get<IHttpActivityFeature>()?.Activity;
        if (activity is null || !activity.IsAllDataRequested)
        {
            await next(context).ConfigureAwait(false);
            return;
        }

        var path = context.Request.Path;
        foreach (var excluded in excludedPaths)
        {
            if (path.Equals(excluded, StringComparison.OrdinalIgnoreCase))
            {
                Exclude(activity);
                await next(context).ConfigureAwait(false);
                return;
            }
        }

        var method = context.Request.Method;
        activity.SetTag("http.request.method", method);
        activity.SetTag("url.path", path.Value);
        activity.SetTag("url.scheme", context.Request.Scheme);
        var failed = false;
        try
        {
            await next(context).ConfigureAwait(false);
        }
        catch (Exception ex)
        {
            failed = true;
            activity.SetTag("error.type", ex.GetType().FullName);
            activity.SetStatus(ActivityStatusCode.Error, ex.Message);
            throw;
        }
        finally
        {
            var route = (context.GetEndpoint() as RouteEndpoint)?.RoutePattern.RawText;
            if (route is not null)
            {
                activity.SetTag("http.route", route);
            }
            activity.DisplayName = route is null ? method : $"{method} {route}";
            if (!failed)
            {
                var status = context.Response.StatusCode;
                activity.SetTag("http.response.status_code", status);
                if (status >= 500)
                {
                    activity.SetStatus(ActivityStatusCode.Error);
                }
            }
        }
    };

    /// <summary>Un-records a span that has started: the SDK skips it and child spans are sampled out with it.</summary>
    public static void Exclude(Activity activity)
    {
        activity.IsAllDataRequested = false;
        activity.ActivityTraceFlags &= ~ActivityTraceFlags.Recorded;
    }
}
