using System.Reflection;
using System.Text.Json;
using System.Text.RegularExpressions;
using HcpPlatform.Data.Loading;
using HcpPlatform.Data.Platform;
using Microsoft.AspNetCore.Diagnostics;
using Microsoft.AspNetCore.Mvc;

namespace HcpPlatform.AdminApi.Extensions;

/// <summary>
/// Turns request errors into ProblemDetails that say what was wrong: a body that is not JSON or has a field of the
/// wrong type or an unknown field (400, naming the field and what it must be), a body over the size limit (413),
/// another writer generating (409), the database down or hung (503 with Retry-After). Anything else falls through to
/// the default 500 ProblemDetails.
/// </summary>
internal sealed partial class ApiExceptionHandler(IProblemDetailsService problems) : IExceptionHandler
{
    public async ValueTask<bool> TryHandleAsync(HttpContext httpContext, Exception exception, CancellationToken cancellationToken)
    {
        ProblemDetails? problem = exception switch
        {
            BadHttpRequestException { InnerException: JsonException json } => JsonProblem(json, BodyType(httpContext)),
            BadHttpRequestException { StatusCode: StatusCodes.Status413PayloadTooLarge } => new ProblemDetails
            {
                Status = 413,
                Title = "Request body too large",
                Detail = "The request body is larger than this service accepts (AdminApi:MaxRequestBodyBytes).",
            },
            BadHttpRequestException bad => ParameterProblem(bad),
            GenerationBusyException busy => new ProblemDetails { Status = 409, Title = "Another writer is generating", Detail = busy.Message },
            _ when DatabaseUnavailable(exception) => new ProblemDetails
            {
                Status = StatusCodes.Status503ServiceUnavailable,
                Title = "The database is unavailable",
                Detail = $"PostgreSQL could not be reached or did not answer in time; nothing was changed. Try again in {RetryAfterSeconds} s.",
            },
            _ => null,
        };
        if (problem is null)
        {
            return false;
        }
        if (problem.Status == StatusCodes.Status503ServiceUnavailable)
        {
            httpContext.Response.Headers.RetryAfter = RetryAfterSeconds.ToString(System.Globalization.CultureInfo.InvariantCulture);
        }
        httpContext.Response.StatusCode = problem.Status!.Value;
        return await problems.TryWriteAsync(new ProblemDetailsContext { HttpContext = httpContext, ProblemDetails = problem, Exception = exception });
    }

    /// <summary>What a client is told to wait before trying again while the database is unavailable.</summary>
    public const int RetryAfterSeconds = 5;

    /// <summary>
    /// The database is down, restarting or hung (not a bad request, not a bug): a connection that cannot be opened or
    /// breaks (NpgsqlException without a server error, or a server shutting down or starting: SQLSTATE 57P01–57P03,
    /// class 08), or a command or connection that timed out.
    /// </summary>
    internal static bool DatabaseUnavailable(Exception exception)
    {
        for (var e = exception; e is not null; e = e.InnerException)
        {
            switch (e)
            {
                case Npgsql.PostgresException pg:
                    return pg.SqlState is "57P01" or "57P02" or "57P03" or "53300" || pg.SqlState.StartsWith("08", StringComparison.Ordinal);
                case Npgsql.NpgsqlException:
                case TimeoutException:
                    return true;
            }
        }
        return false;
    }

    private static HttpValidationProblemDetails JsonProblem(JsonException json, Type? bodyType)
    {
        var path = json.Path is { Length: > 1 } p ? p.TrimStart('$').TrimStart('.') : "";
        var field = InputEcho.Of(path);
        string reason;
        if (UnknownMember().Match(json.Message) is { Success: true } unknown)
        {
            field = field.Length == 0 ? InputEcho.Of(unknown.Groups[1].Value) : field;
            reason = $"'{field}' is not a field of this request; check the spelling (see /openapi/v1.json).";
        }
        else if (json.Message.Contains("could not be converted", StringComparison.Ordinal))
        {
            // At the root ("[]" or "\"x\"" for an object), the body as a whole has the wrong shape.
            reason = path.Length > 0
                ? $"'{field}' must be {Describe(TypeAt(bodyType, path))}."
                : $"The request body must be {Describe(bodyType)} (see /openapi/v1.json).";
            field = path.Length > 0 ? field : "body";
        }
        else
        {
            field = field.Length == 0 ? "body" : field;
            // Type names and length are left to ProblemText, which cleans every problem as it is written.
            reason = "The request body is not valid JSON: " + json.Message.Split(" Path:", 2)[0].Split(" LineNumber:", 2)[0];
        }
        return Invalid(StatusCodes.Status400BadRequest, field, reason);
    }

    /// <summary>The body type of the endpoint that failed (the exception handler runs with the endpoint cleared; the feature keeps it).</summary>
    private static Type? BodyType(HttpContext context)
    {
        var endpoint = context.Features.Get<IExceptionHandlerFeature>()?.Endpoint ?? context.GetEndpoint();
        return endpoint?.Metadata.GetMetadata<Microsoft.AspNetCore.Http.Metadata.IAcceptsMetadata>()?.RequestType;
    }

    /// <summary>The declared type at a JSON path such as "events[0].start" inside the body type, when it can be found.</summary>
    private static Type? TypeAt(Type? type, string path)
    {
        foreach (var segment in path.Split('.'))
        {
            var bracket = segment.IndexOf('[', StringComparison.Ordinal);
            var name = bracket >= 0 ? segment[..bracket] : segment;
            type = type?.GetProperty(name, BindingFlags.Public | BindingFlags.Instance | BindingFlags.IgnoreCase)?.PropertyType;
            if (type is not null && bracket >= 0)
            {
                type = type.IsArray ? type.GetElementType() : type.GetGenericArguments().FirstOrDefault();
            }
            if (type is null)
            {
                return null;
            }
        }
        return type;
    }

    /// <summary>What a value of <paramref name="type"/> must be, in the API's words: a JSON body's field or a bound parameter.</summary>
    private static string Describe(Type? type) => (type is null ? null : Nullable.GetUnderlyingType(type) ?? type) switch
    {
        null => "a value of the documented type (see /openapi/v1.json)",
        var t when t == typeof(int) || t == typeof(long) || t == typeof(short) => "a whole number",
        var t when t == typeof(double) || t == typeof(decimal) || t == typeof(float) => "a number",
        var t when t == typeof(DateOnly) => "a date as YYYY-MM-DD",
        var t when t == typeof(bool) => "true or false",
        var t when t == typeof(Guid) => "a UUID",
        var t when t == typeof(string) => "a string",
        var t when t.IsArray || (t.IsGenericType && typeof(System.Collections.IEnumerable).IsAssignableFrom(t)) => "an array",
        _ => "an object",
    };

    /// <summary>
    /// A request the framework could not bind, said in the API's words: which parameter, what it must be, the value cut to
    /// a short quote (the framework's own messages name .NET types, "Nullable&lt;int&gt; limit", and quote the whole value).
    /// </summary>
    private static ProblemDetails ParameterProblem(BadHttpRequestException bad)
    {
        var message = bad.Message;
        if (message.StartsWith("Implicit body inferred", StringComparison.Ordinal) || message.Contains("was not provided from body", StringComparison.Ordinal))
        {
            return Invalid(bad.StatusCode, "body", "This endpoint needs a JSON body (Content-Type: application/json); see /openapi/v1.json.");
        }
        if (FailedToBind().Match(message) is { Success: true } failed)
        {
            var name = failed.Groups["name"].Value;
            return Invalid(bad.StatusCode, name,
                $"'{name}' must be {Describe(TypeNamed(failed.Groups["type"].Value))}; got \"{InputEcho.Of(failed.Groups["value"].Value)}\".");
        }
        if (NotProvided().Match(message) is { Success: true } missing)
        {
            var name = missing.Groups["name"].Value;
            return Invalid(bad.StatusCode, name, $"'{name}' is required (in the {missing.Groups["source"].Value}).");
        }
        return new ProblemDetails { Status = bad.StatusCode, Title = "Bad request", Detail = message };
    }

    private static HttpValidationProblemDetails Invalid(int status, string field, string reason) =>
        new(new Dictionary<string, string[]> { [field] = [reason] }) { Status = status, Title = "The request is not valid", Detail = reason };

    /// <summary>The type the framework names in a binding failure ("Nullable&lt;int&gt;", "DateOnly", "Guid"); null for another.</summary>
    private static Type? TypeNamed(string name) => name.Replace("Nullable<", "", StringComparison.Ordinal).TrimEnd('>', '?').Trim() switch
    {
        "int" or "Int32" => typeof(int),
        "long" or "Int64" => typeof(long),
        "short" => typeof(short),
        "double" or "Double" => typeof(double),
        "float" or "Single" => typeof(float),
        "decimal" or "Decimal" => typeof(decimal),
        "bool" or "Boolean" => typeof(bool),
        "DateOnly" => typeof(DateOnly),
        "Guid" => typeof(Guid),
        _ => null,
    };

    [GeneratedRegex("^Failed to bind parameter \"(?<type>.+) (?<name>[^ \"]+)\" from \"(?<value>.*)\"\\.?$", RegexOptions.Singleline)]
    private static partial Regex FailedToBind();

    [GeneratedRegex("^Required parameter \"(?<type>.+) (?<name>[^ \"]+)\" was not provided from (?<source>[a-z ]+)\\.?$", RegexOptions.Singleline)]
    private static partial Regex NotProvided();

    [GeneratedRegex("The JSON property '([^']+)' could not be mapped")]
    private static partial Regex UnknownMember();
}
