using System.CommandLine;
using System.CommandLine.Parsing;
using System.Globalization;
using HcpPlatform.Data.Platform;
using HcpPlatform.Engine.Config;

namespace HcpPlatform.Cli;

/// <summary>Options shared by the commands, each parsed with a message that names what is allowed.</summary>
internal static class CliOptions
{

    public static Option<int?> Int(string name, string description, int min, int max) => new(name)
    {
        Description = description,
        CustomParser = r => ParseInt(r, name, min, max),
    };

    private static int? ParseInt(ArgumentResult r, string name, int min, int max)
    {
        var text = r.Tokens.Count > 0 ? r.Tokens[0].Value : "";
        var allowed = $"a whole number from {min.ToString("N0", CultureInfo.InvariantCulture)} to {max.ToString("N0", CultureInfo.InvariantCulture)}";
        if (!int.TryParse(text.Replace("_", "", StringComparison.Ordinal), NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture, out var value))
        {
            r.AddError($"{name} must be {allowed} (got '{text}').");
            return null;
        }
        if (value < min || value > max)
        {
            r.AddError($"{name} is {value.ToString(CultureInfo.InvariantCulture)}, outside the allowed range: {allowed}.");
            return null;
        }
        return value;
    }

    public static Option<long?> Seed() => new("--seed")
    {
        Description = "Random seed; the same seed and flags give identical data (default 42).",
        CustomParser = r =>
        {
            var text = r.Tokens.Count > 0 ? r.Tokens[0].Value : "";
            if (!long.TryParse(text, NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture, out var value) || value < 0)
            {
                r.AddError($"--seed must be a non-negative whole number (got '{text}').");
                return null;
            }
            return value;
        },
    };

    public static Option<Scenario?> ScenarioOption() => new("--scenario")
    {
        Description = $"Scale preset: {Scenario.AllowedNames} (sets --hcps and --months unless given).",
        CustomParser = r =>
        {
            var text = r.Tokens.Count > 0 ? r.Tokens[0].Value : "";
            var scenario = Scenario.Find(text);
            if (scenario is null)
            {
                r.AddError($"--scenario '{text}' is not a scenario; allowed: {Scenario.AllowedNames}.");
            }
            return scenario;
        },
    };

    public static Option<DateOnly?> AsOf() => new("--as-of")
    {
        Description = "Last simulated day, YYYY-MM-DD, from 2001-01-01 to today (default: today, UTC).",
        CustomParser = r =>
        {
            var text = r.Tokens.Count > 0 ? r.Tokens[0].Value : "";
            if (!DateOnly.TryParseExact(text, "yyyy-MM-dd", CultureInfo.InvariantCulture, DateTimeStyles.None, out var day))
            {
                r.AddError($"--as-of must be a date as YYYY-MM-DD (got '{text}').");
                return null;
            }
            // A future as-of is refused (README): a backfill is history up to today; accelerated play runs ahead.
            if (SupportedDates.AsOfProblem("--as-of", day, DateOnly.FromDateTime(DateTime.UtcNow)) is { } problem)
            {
                r.AddError(problem);
                return null;
            }
            return day;
        },
    };

    public static Option<bool> Flag(string name, string description) => new(name) { Description = description };

    public static Option<bool> Json() => Flag("--json", "Print the result as one JSON object on standard output.");
}
