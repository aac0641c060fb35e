using System.Text.Json;
using System.Text.Json.Serialization;
using HcpPlatform.Data.Platform;
using HcpPlatform.Engine.Interventions;

namespace HcpPlatform.Data.Interventions;

/// <summary>A batch of planned touches as a file or a request body: the intervention (optional where it is given otherwise), the touches, who sends them.</summary>
public sealed record PlannedTouchBatch(Guid? InterventionId, List<PlannedTouchInput>? Touches, string? SubmittedBy = null);

/// <summary>
/// Reads the JSON the surfaces take (a definition, a batch of planned touches) with messages that say where the problem
/// is and what is allowed, for a file (CLI) and a request body (API) alike.
/// </summary>
public static class InterventionJson
{
    /// <summary>The fields of a definition, for messages.</summary>
    public const string DefinitionFields =
        "id, name, type, schedule, channels, contentCategory, product, target {specialties, tiers, segments, regions, minEngagement, maxEngagement}, start, end, maxExposuresPerHcp, minDaysBetweenExposures, treatedShare, triggerChannel, triggerLagDays";

    public const string TouchFields = "hcpId or npi, channel, day, contentCategory, product, externalRef";

    /// <summary>Strict JSON for definitions and every other interventions body: unknown fields refused, numbers as numbers.</summary>
    public static readonly JsonSerializerOptions Strict = new(JsonSerializerDefaults.Web)
    {
        UnmappedMemberHandling = JsonUnmappedMemberHandling.Disallow,
        NumberHandling = JsonNumberHandling.Strict,
    };

    /// <summary>A definition (Intervention's one JSON form); <paramref name="source"/> names the file or body in messages.</summary>
    /// <exception cref="InterventionInputException">Not JSON, or not a definition.</exception>
    public static Intervention ParseDefinition(string json, string source)
    {
        try
        {
            return Intervention.FromJson(json);
        }
        catch (JsonException e)
        {
            throw new InterventionInputException([Describe(e, source, DefinitionFields, "a definition such as {\"name\": \"…\", \"type\": \"test\", \"channels\": [\"rep_visit\"], \"start\": \"2026-04-06\", \"end\": \"2026-05-03\", \"treatedShare\": 0.5}")]);
        }
    }

    /// <summary>A batch of planned touches: <c>{"interventionId": …, "touches": [...], "submittedBy": …}</c>, or a bare array of touches.</summary>
    /// <exception cref="InterventionInputException">Not JSON, or not a batch.</exception>
    public static PlannedTouchBatch ParseBatch(string json, string source)
    {
        try
        {
            var trimmed = json.TrimStart();
            if (trimmed.StartsWith('['))
            {
                return new PlannedTouchBatch(null, JsonSerializer.Deserialize<List<PlannedTouchInput>>(json, Strict));
            }
            return JsonSerializer.Deserialize<PlannedTouchBatch>(json, Strict)
                ?? throw new JsonException("The batch is null.");
        }
        catch (JsonException e)
        {
            throw new InterventionInputException([Describe(e, source, "interventionId, touches [" + TouchFields + "], submittedBy",
                "{\"touches\": [{\"npi\": \"1234567893\", \"channel\": \"email\", \"day\": \"2026-04-07\"}]}")]);
        }
    }

    /// <summary>The kind of value a field of these JSON forms takes, by the last name of its path (an object where the path ends in an index).</summary>
    private static string KindOf(string? path)
    {
        var name = path is null || path.EndsWith(']') ? "" : path[(path.LastIndexOf('.') + 1)..];
        return name switch
        {
            "" => "an object {…}",
            "id" or "hcpId" or "interventionId" => "a UUID",
            "day" or "start" or "end" => "a date as YYYY-MM-DD",
            "effect" or "lower" or "upper" or "ate" or "ateLower" or "ateUpper" or "treatedShare" or "minEngagement" or "maxEngagement" => "a number",
            "maxExposuresPerHcp" or "minDaysBetweenExposures" or "triggerLagDays" => "a whole number",
            "touches" or "perHcp" or "channels" or "specialties" or "tiers" or "segments" or "regions" => "an array",
            "estimates" or "target" => "an object {…}",
            _ => "a string",
        };
    }

    /// <summary>
    /// A JSON error as one message: where (<paramref name="source"/>, line, path), and what is allowed there (the
    /// <paramref name="fields"/> for an unknown one, the kind of value for a wrong one, else the <paramref name="example"/>).
    /// </summary>
    public static string Describe(JsonException e, string source, string fields, string example)
    {
        var where = e.LineNumber is { } line ? $"{source} line {line + 1}" : source;
        var path = string.IsNullOrEmpty(e.Path) || e.Path == "$" ? "" : $" at {e.Path}";
        var message = e.Message;
        if (message.Contains("could not be mapped", StringComparison.Ordinal))
        {
            var quoted = message.Split('\'');
            var name = quoted.Length > 2 ? $" '{InputEcho.Of(quoted[1])}'" : "";
            return $"{where}: field{name} is unknown; allowed: {fields}.";
        }
        if (message.Contains("doesn't allow setting null values", StringComparison.Ordinal))
        {
            return $"{where}{path}: null is not allowed here; give a value or leave the field out.";
        }
        if (message.Contains("Duplicate", StringComparison.OrdinalIgnoreCase) && message.Contains("property", StringComparison.OrdinalIgnoreCase))
        {
            return $"{where}{path}: a field is given twice; give each once.";
        }
        if (message.Contains("does not contain any JSON tokens", StringComparison.Ordinal))
        {
            return $"{source} is empty; expected {example}.";
        }
        if (message.Contains("could not be converted to ", StringComparison.Ordinal))
        {
            var type = message[(message.IndexOf("could not be converted to ", StringComparison.Ordinal) + 26)..];
            // A nullable field (treatedShare, triggerLagDays, …) wants the value of its underlying type.
            type = type.StartsWith("System.Nullable`1[", StringComparison.Ordinal) ? type[18..].TrimStart('[') : type;
            if (string.IsNullOrEmpty(e.Path) || e.Path == "$")
            {
                return $"{where}: not one JSON object; expected {example}.";
            }
            var wanted = type switch
            {
                _ when type.StartsWith("System.DateOnly", StringComparison.Ordinal) => "a date as YYYY-MM-DD",
                _ when type.StartsWith("System.Guid", StringComparison.Ordinal) => "a UUID",
                _ when type.StartsWith("System.Int32", StringComparison.Ordinal) => "a whole number",
                _ when type.StartsWith("System.Double", StringComparison.Ordinal) => "a number",
                _ when type.StartsWith("System.String", StringComparison.Ordinal) => "a string",
                _ when type.StartsWith("System.Collections", StringComparison.Ordinal) => "an array",
                // A record read through its constructor names the record, not the field's type: the field's name says it.
                _ when type.StartsWith("HcpPlatform.", StringComparison.Ordinal) => KindOf(e.Path),
                _ => "another kind of value",
            };
            return $"{where}{path}: the value must be {wanted}.";
        }
        var cut = message.IndexOf(" Path:", StringComparison.Ordinal);
        message = cut > 0 ? message[..cut] : message;
        return $"{where}{path}: {message} Expected {example}.";
    }
}
