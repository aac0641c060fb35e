using System.CommandLine;
using System.Globalization;
using HcpPlatform.Data.Queries;
using HcpPlatform.Engine.Generators;
using Npgsql;
using Spectre.Console;

namespace HcpPlatform.Cli.Commands;

/// <summary><c>hcp show --npi=N</c>: one HCP's profile and full timeline, the "does Dr. Smith's history look realistic?" check.</summary>
internal static class ShowCommand
{
    public static Command Create()
    {
        var npi = new Option<string>("--npi") { Description = "The HCP's 10-digit NPI.", Required = true };
        var json = CliOptions.Json();
        var command = new Command("show", "Show one HCP's profile, territory, campaigns and full timeline of touches, responses and prescribing.") { npi, json };
        command.SetAction(async (r, ct) =>
        {
            var output = new CliOutput(r.GetValue(json));
            var value = r.GetValue(npi) ?? "";
            if (!Npi.IsValid(value))
            {
                throw new UsageException($"--npi '{value}' is not a valid NPI: 10 digits starting with 1 or 2, ending in the CMS Luhn check digit (e.g. 1234567893).");
            }
            await using var dataSource = await CliDatabase.ConnectAsync(output.Note, ct);
            await using var connection = await dataSource.OpenConnectionAsync(ct);
            var timeline = await HcpTimeline.ReadAsync(connection, value, ct)
                ?? throw new CliFailureException($"No HCP with NPI {value} in the dataset.");
            if (output.Json)
            {
                output.WriteJson(timeline);
                return ExitCodes.Success;
            }
            var p = timeline.Profile;
            output.Result($"{p["first_name"]} {p["last_name"]}, {p["credential"]} — NPI {p["npi"]}");
            output.Result($"{p["specialty"]} ({p["taxonomy_code"]}), {p["tier"]}, {p["segment"]}; {p["organization"]}, {p["city"]}, {p["state"]} ({p["region"]})");
            output.Result($"Prefers {p["preferred_channel"]} and {p["preferred_content"]} content; engagement score {p["engagement_score"]}; territory {timeline.Territory}");
            output.Table(["date (UTC)", "kind", "channel / type", "detail"], timeline.Events.Select(e => new[]
            {
                e.At.ToString("yyyy-MM-dd HH:mm", CultureInfo.InvariantCulture), e.Kind, Markup.Escape(e.What), Markup.Escape(e.Detail),
            }));
            output.Result($"{timeline.Events.Count(e => e.Kind == "touch")} touches, {timeline.Events.Count(e => e.Kind == "response")} responses, {timeline.Events.Count(e => e.Kind == "rx")} Rx months.");
            return ExitCodes.Success;
        });
        return command;
    }
}
