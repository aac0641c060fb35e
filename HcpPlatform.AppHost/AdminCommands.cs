using System.Globalization;
using System.Net.Http.Json;
using System.Text.Json;

namespace HcpPlatform.AppHost;

/// <summary>
/// Dashboard commands on the admin resource that run the platform through the admin API, with the bootstrap admin key
/// (the AppHost's admin-key parameter). Each reports what the API answered: the run, the day or the verdict on success,
/// the ProblemDetails' title and detail on an error.
/// </summary>
public static class AdminCommands
{
    public const string BackfillDevelopment = "backfill-development";
    public const string PlayAccelerated = "play-accelerated";
    public const string Pause = "pause";
    public const string AdvanceOneDay = "advance-one-day";
    public const string ValidateNow = "validate-now";

    /// <summary>Seconds of wall time per simulated day for "Play accelerated".</summary>
    public const double AcceleratedSecondsPerDay = 2;

    internal static IResourceBuilder<ProjectResource> WithPlatformCommands(this IResourceBuilder<ProjectResource> admin, IResourceBuilder<ParameterResource> adminKey)
    {
        Add(admin, adminKey, BackfillDevelopment, "Backfill development dataset", "/api/admin/generation/backfill",
            new { scenario = "development", confirm = "REGENERATE" }, "DatabaseArrowUp",
            "Regenerate the dataset at development scale (2,000 HCPs, 12 months, seed 42)? The current dataset is replaced when the new one has passed validation.",
            body => $"Backfill started: run {body.GetProperty("runId").GetString()} (GET {body.GetProperty("statusUrl").GetString()})");
        Add(admin, adminKey, PlayAccelerated, "Play accelerated", "/api/admin/generation/start",
            new { secondsPerSimulatedDay = AcceleratedSecondsPerDay }, "Play", null,
            body => string.Create(CultureInfo.InvariantCulture, $"Playing: one simulated day every {body.GetProperty("secondsPerSimulatedDay").GetDouble()} s"));
        Add(admin, adminKey, Pause, "Pause", "/api/admin/generation/pause", null, "Pause", null,
            body => $"Desired mode: {body.GetProperty("desiredMode").GetString()} (the day in progress finishes)");
        Add(admin, adminKey, AdvanceOneDay, "Advance one day", "/api/admin/generation/advance", null, "Next", null,
            body => string.Create(CultureInfo.InvariantCulture,
                $"Appended {body.GetProperty("day").GetString()}: {body.GetProperty("rows").GetInt64():N0} rows in {body.GetProperty("seconds").GetDouble():0.00} s"));
        Add(admin, adminKey, ValidateNow, "Validate now", "/api/admin/validation/run", null, "CheckmarkCircle", null, null);
        return admin;
    }

    private static void Add(IResourceBuilder<ProjectResource> admin, IResourceBuilder<ParameterResource> adminKey, string name, string displayName,
        string path, object? body, string icon, string? confirmation, Func<JsonElement, string>? describe)
    {
        admin.WithHttpCommand(path, displayName, endpointName: "http", commandName: name, commandOptions: new HttpCommandOptions
        {
            Method = HttpMethod.Post,
            IconName = icon,
            ConfirmationMessage = confirmation,
            Description = $"POST {path} on the admin API with the admin key",
            PrepareRequest = async context =>
            {
                context.Request.Headers.Add("X-Api-Key", await adminKey.Resource.GetValueAsync(context.CancellationToken));
                context.Request.Content = body is null ? null : JsonContent.Create(body);
            },
            GetCommandResult = async context =>
            {
                var text = await context.Response.Content.ReadAsStringAsync(context.CancellationToken);
                using var json = TryParse(text);
                if (!context.Response.IsSuccessStatusCode)
                {
                    return CommandResults.Failure(Problem((int)context.Response.StatusCode, json?.RootElement, text));
                }
                if (describe is null && json is not null)
                {
                    return Verdict(json.RootElement);
                }
                return CommandResults.Success(json is null || describe is null ? $"{(int)context.Response.StatusCode} {text}" : describe(json.RootElement));
            },
        });
    }

    /// <summary>A stored validation: success when it passed, else a failure naming the failed checks.</summary>
    private static ExecuteCommandResult Verdict(JsonElement validation)
    {
        var total = validation.GetProperty("checksTotal").GetInt32();
        var failed = validation.GetProperty("checksFailed").GetInt32();
        if (validation.GetProperty("passed").GetBoolean())
        {
            return CommandResults.Success(string.Create(CultureInfo.InvariantCulture, $"Validation passed: {total} checks"));
        }
        var names = validation.GetProperty("checks").EnumerateArray()
            .Where(c => !c.GetProperty("passed").GetBoolean())
            .Select(c => c.GetProperty("name").GetString());
        return CommandResults.Failure(string.Create(CultureInfo.InvariantCulture, $"Validation failed: {failed} of {total} checks ({string.Join(", ", names)})"));
    }

    /// <summary>"409 Title: detail" from a ProblemDetails body, with the field errors of a 400; the raw body otherwise.</summary>
    private static string Problem(int status, JsonElement? problem, string text)
    {
        if (problem is not { ValueKind: JsonValueKind.Object } p)
        {
            return string.Create(CultureInfo.InvariantCulture, $"{status} {text}");
        }
        var message = string.Create(CultureInfo.InvariantCulture, $"{status} {Text(p, "title")}");
        if (Text(p, "detail") is { Length: > 0 } detail)
        {
            message += ": " + detail;
        }
        if (p.TryGetProperty("errors", out var errors) && errors.ValueKind == JsonValueKind.Object)
        {
            message += " " + string.Join(" ", errors.EnumerateObject().SelectMany(e => e.Value.EnumerateArray().Select(v => v.GetString())));
        }
        return message;
    }

    private static string? Text(JsonElement element, string property) =>
        element.TryGetProperty(property, out var value) && value.ValueKind == JsonValueKind.String ? value.GetString() : null;

    private static JsonDocument? TryParse(string text)
    {
        try
        {
            return text.Length == 0 ? null : JsonDocument.Parse(text);
        }
        catch (JsonException)
        {
            return null;
        }
    }
}
