using System.CommandLine;
using System.Globalization;
using HcpPlatform.Data;
using HcpPlatform.Data.Interventions;
using HcpPlatform.Engine.Statistics;
using Microsoft.EntityFrameworkCore;
using Npgsql;
using Spectre.Console;

namespace HcpPlatform.Cli.Commands;

/// <summary>
/// <c>hcp interventions add|list|show|stop|score|plan</c>: define interventions (seeds/004) the dataset applies going
/// forward, see what they did and their true effects, score a model's estimates against the truth, and post planned
/// touches (the next-best-action closed loop).
/// </summary>
internal static class InterventionsCommand
{
    public static Command Create() => new("interventions", "Interventions: define, list, show, stop, score estimates against the true effects, plan touches.")
    {
        Add(), List(), Show(), Stop(), Score(), Plan(),
    };

    private static Command Add()
    {
        var file = FileOption("--file", "JSON file with the definition (name, type, channels, target, start, end, …).");
        var json = CliOptions.Json();
        var command = new Command("add", "Define an intervention from a JSON file; it starts after the last simulated day and takes effect in the next increment.") { file, json };
        command.SetAction(async (r, ct) =>
        {
            var output = new CliOutput(r.GetValue(json));
            var path = r.GetValue(file)!;
            var definition = InterventionJson.ParseDefinition(ReadFile(path, "--file"), path.Name);
            await using var dataSource = await CliDatabase.ConnectAsync(output.Note, ct);
            await using var db = InterventionCatalog.Context(dataSource);
            var result = await InterventionCatalog.AddAsync(db, definition, Environment.UserName, ct);
            var i = result.Intervention;
            if (output.Json)
            {
                output.WriteJson(new { created = result.Created, intervention = Json(i) });
            }
            else
            {
                output.Result(result.Created
                    ? $"Added {i.Type} \"{i.Name}\" {i.Id}: {Days(i)} on {string.Join("+", i.Channels)}, {i.Status}."
                    : $"Already defined: {i.Type} \"{i.Name}\" {i.Id} ({i.Status}); nothing changed.");
            }
            return ExitCodes.Success;
        });
        return command;
    }

    private static Command List()
    {
        var json = CliOptions.Json();
        var command = new Command("list", "List the interventions with their status (scheduled, running, completed, stopped) and arms.") { json };
        command.SetAction(async (r, ct) =>
        {
            var output = new CliOutput(r.GetValue(json));
            await using var dataSource = await CliDatabase.ConnectAsync(output.Note, ct);
            await using var db = InterventionCatalog.Context(dataSource);
            var list = await InterventionCatalog.ListAsync(db, ct);
            if (output.Json)
            {
                output.WriteJson(list.Select(Json));
                return ExitCodes.Success;
            }
            if (list.Count == 0)
            {
                output.Result("No interventions. Define one with 'hcp interventions add --file=FILE'.");
                return ExitCodes.Success;
            }
            output.Table(["id", "name", "type", "status", "days", "channels", "treated"], list.Select(i => new[]
            {
                i.Id.ToString(), Markup.Escape(i.Name), i.Type + (i.Schedule == "planned" ? " (planned)" : ""), i.Status, Days(i),
                string.Join("+", i.Channels), i.TreatedShare.ToString("0.##", CultureInfo.InvariantCulture),
            }));
            return ExitCodes.Success;
        });
        return command;
    }

    private static Command Show()
    {
        var id = IdOption();
        var json = CliOptions.Json();
        var command = new Command("show", "Show one intervention: definition, status, arms, exposures, planned touches and (once computed) its true effects.") { id, json };
        command.SetAction(async (r, ct) =>
        {
            var output = new CliOutput(r.GetValue(json));
            var value = ParseId(r.GetValue(id));
            await using var dataSource = await CliDatabase.ConnectAsync(output.Note, ct);
            await using var db = InterventionCatalog.Context(dataSource);
            var i = await InterventionCatalog.GetAsync(db, value, ct) ?? throw NotFound(value);
            var counts = await InterventionCatalog.CountsAsync(db, value, ct);
            var effects = await InterventionEffects.ReadAsync(dataSource, value, ct);
            if (output.Json)
            {
                output.WriteJson(new { intervention = Json(i), counts, trueEffects = effects });
                return ExitCodes.Success;
            }
            output.Result($"{i.Type} \"{i.Name}\" {i.Id} — {i.Status}");
            output.Result($"{Days(i)} on {string.Join("+", i.Channels)}, schedule {i.Schedule}, treated share {i.TreatedShare.ToString("0.##", CultureInfo.InvariantCulture)}");
            output.Result(i.Definition.ToJson());
            output.Result($"Target population: {counts.Treatment + counts.Control:N0} HCPs ({counts.Treatment:N0} treatment, {counts.Control:N0} control); {counts.Exposures:N0} exposures.");
            if (counts.PlannedTouches > 0)
            {
                output.Result($"Planned touches: {counts.PlannedTouches:N0} ({counts.Realized:N0} realized, {counts.Rejected:N0} rejected, {counts.PlannedTouches - counts.Realized - counts.Rejected:N0} still planned).");
            }
            if (effects is null)
            {
                output.Result("No true effects yet: they are computed as the intervention's days are simulated.");
                return ExitCodes.Success;
            }
            output.Result($"True effects over {effects.From:yyyy-MM-dd}..{effects.Through:yyyy-MM-dd} ({effects.TargetHcps:N0} HCPs, {effects.TreatedHcps:N0} treated), per HCP (the outcome's total with minus without the intervention):");
            output.Table(["outcome", "true ATE", "true ATT", "CATE cells"], effects.Outcomes.Select(o => new[]
            {
                o.Outcome, F(o.Ate), F(o.Att), o.Cates.Count.ToString(CultureInfo.InvariantCulture),
            }));
            return ExitCodes.Success;
        });
        return command;
    }

    private static Command Stop()
    {
        var id = IdOption();
        var json = CliOptions.Json();
        var command = new Command("stop", "Stop an intervention: it ends on the last simulated day (days already simulated stay as they are).") { id, json };
        command.SetAction(async (r, ct) =>
        {
            var output = new CliOutput(r.GetValue(json));
            var value = ParseId(r.GetValue(id));
            await using var dataSource = await CliDatabase.ConnectAsync(output.Note, ct);
            await using var db = InterventionCatalog.Context(dataSource);
            var i = await InterventionCatalog.StopAsync(db, value, ct) ?? throw NotFound(value);
            if (output.Json)
            {
                output.WriteJson(Json(i));
            }
            else
            {
                output.Result(i.End < i.Start
                    ? $"Stopped \"{i.Name}\" {i.Id} before its start: it never runs."
                    : $"Stopped \"{i.Name}\" {i.Id}: its last day is {i.End:yyyy-MM-dd}.");
            }
            return ExitCodes.Success;
        });
        return command;
    }

    private static Command Score()
    {
        var id = IdOption();
        var outcome = new Option<string>("--outcome") { Description = "The outcome estimated: an outcome type (email_open, meeting_scheduled, …) or rx.", Required = true };
        var estimates = FileOption("--estimates", "CSV of estimates: 'hcp_id,effect[,lower,upper]' (or npi instead of hcp_id) one line per HCP, or 'ate[,lower,upper]' and one line.");
        var modelType = new Option<string>("--model-type") { Description = "The model's name in hcp.uplift_models (default custom).", DefaultValueFactory = _ => "custom" };
        var json = CliOptions.Json();
        var command = new Command("score", "Score a model's estimates against the intervention's true effects: bias and CI coverage of the ATE, PEHE, Qini and AUUC.")
        {
            id, outcome, estimates, modelType, json,
        };
        command.SetAction(async (r, ct) =>
        {
            var output = new CliOutput(r.GetValue(json));
            var value = ParseId(r.GetValue(id));
            var file = r.GetValue(estimates)!;
            var csv = ReadFile(file, "--estimates", "CSV");
            await using var dataSource = await CliDatabase.ConnectAsync(output.Note, ct);
            await using (var db = InterventionCatalog.Context(dataSource))
            {
                // Existence only: one query (GetAsync also reads the last simulated day for the status).
                if (!await db.Interventions.AnyAsync(i => i.Id == value, ct))
                {
                    throw NotFound(value);
                }
            }
            EstimateInput input;
            try
            {
                input = await EstimateCsv.ParseAsync(dataSource, csv, ct);
            }
            catch (EstimateFormatException e)
            {
                throw new UsageException($"--estimates {file.Name}: {e.Message}");
            }
            // Bad scoring input (exit 2) and no truth yet (exit 1) are CliRunner's to report.
            var score = await InterventionScoring.ScoreAsync(dataSource, value, r.GetValue(outcome)!, input, r.GetValue(modelType)!, ct);
            if (output.Json)
            {
                output.WriteJson(score);
                return ExitCodes.Success;
            }
            output.Result($"{score.Outcome} over {score.Hcps:N0} HCPs: true ATE {F(score.TrueAte)}, true ATT {F(score.TrueAtt)}.");
            output.Result($"Estimated ATE {F(score.EstimatedAte)}: bias {F(score.Bias)}"
                + (score.AteCovered is { } covered ? covered ? "; the interval covers the true ATE." : "; the interval does not cover the true ATE." : "; no interval given."));
            if (score.Pehe is { } pehe)
            {
                output.Result($"PEHE {F(pehe)}; Qini {F(score.Qini)}, AUUC {F(score.Auuc)} (normalised: oracle 1, random about 0; the oracle's areas {F(score.OracleQini)} and {F(score.OracleAuuc)}).");
            }
            return ExitCodes.Success;
        });
        return command;
    }

    private static string F(double? value) => value is { } v ? v.ToString("0.####", CultureInfo.InvariantCulture) : "–";

    private static Command Plan()
    {
        var file = FileOption("--file", "JSON file: {\"interventionId\": …, \"touches\": [{\"npi\" or \"hcpId\", \"channel\", \"day\", …}]}, or an array of touches with --id.");
        var id = new Option<string?>("--id") { Description = "The intervention (when the file does not name it)." };
        var json = CliOptions.Json();
        var command = new Command("plan", "Post planned touches for coming days to an intervention with schedule \"planned\"; each is accepted or refused with its reasons.") { file, id, json };
        command.SetAction(async (r, ct) =>
        {
            var output = new CliOutput(r.GetValue(json));
            var path = r.GetValue(file)!;
            var batch = InterventionJson.ParseBatch(ReadFile(path, "--file"), path.Name);
            var given = r.GetValue(id) is { } text ? ParseId(text) : (Guid?)null;
            if (given is not null && batch.InterventionId is not null && given != batch.InterventionId)
            {
                throw new UsageException($"--id {given} and the file's interventionId {batch.InterventionId} differ; give one.");
            }
            var interventionId = given ?? batch.InterventionId ?? throw new UsageException("Name the intervention: --id=ID, or \"interventionId\" in the file.");
            await using var dataSource = await CliDatabase.ConnectAsync(output.Note, ct);
            await using var db = InterventionCatalog.Context(dataSource);
            var result = await PlannedTouches.SubmitAsync(db, interventionId, batch.Touches ?? [], batch.SubmittedBy ?? Environment.UserName, ct)
                ?? throw NotFound(interventionId);
            if (output.Json)
            {
                output.WriteJson(result);
            }
            else
            {
                output.Result($"{result.Accepted:N0} accepted, {result.Refused:N0} refused.");
                foreach (var d in result.Touches.Where(t => !t.Accepted))
                {
                    output.Result($"  touch {d.Index}{(d.ExternalRef is null ? "" : $" ({d.ExternalRef})")}: {string.Join(" ", d.Reasons)}");
                }
            }
            return result.Refused == 0 || result.Accepted > 0 ? ExitCodes.Success : ExitCodes.Failure;
        });
        return command;
    }

    private static object Json(InterventionView i) => new
    {
        i.Id, i.Name, i.Type, i.Schedule, i.Status, i.Start, i.End, i.Channels, i.TreatedShare, i.CreatedAt, i.CreatedBy, i.StoppedAt,
        Definition = System.Text.Json.JsonSerializer.Deserialize<System.Text.Json.JsonElement>(i.Definition.ToJson()),
    };

    private static string Days(InterventionView i) => $"{i.Start:yyyy-MM-dd}..{i.End:yyyy-MM-dd}";

    private static Option<FileInfo> FileOption(string name, string description) => new(name) { Description = description, Required = true };

    private static Option<string> IdOption() => new("--id") { Description = "The intervention's id (see 'hcp interventions list').", Required = true };

    private static Guid ParseId(string? text) => Guid.TryParse(text, out var id)
        ? id
        : throw new UsageException($"--id '{Data.Platform.InputEcho.Of(text)}' is not an intervention id: a UUID such as 6a1e2f55-0d7c-4b8e-9a41-0c1d2e3f4a5b (see 'hcp interventions list').");

    private static CliFailureException NotFound(Guid id) => new($"No intervention with id {id}; see 'hcp interventions list'.");

    /// <summary>The most a definition, batch or estimates file may hold (the admin API takes 8 MiB); a device such as /dev/zero never ends.</summary>
    internal const long MaxFileBytes = 64L * 1024 * 1024;

    private static string ReadFile(FileInfo file, string option, string kind = "JSON")
    {
        if (Directory.Exists(file.FullName))
        {
            throw new UsageException($"{option} '{file.FullName}' is a folder; give a {kind} file.");
        }
        if (!file.Exists)
        {
            throw new UsageException($"{option} file '{file.FullName}' does not exist.");
        }
        try
        {
            // Read at most MaxFileBytes + 1: /proc and device files report no length, and some never end.
            using var stream = new FileStream(file.FullName, FileMode.Open, FileAccess.Read, FileShare.ReadWrite);
            using var bounded = new MemoryStream();
            var buffer = new byte[81920];
            int read;
            while ((read = stream.Read(buffer, 0, buffer.Length)) > 0)
            {
                bounded.Write(buffer, 0, read);
                if (bounded.Length > MaxFileBytes)
                {
                    throw new UsageException($"{option} '{file.FullName}' is larger than {MaxFileBytes / (1024 * 1024)} MiB; give a {kind} file.");
                }
            }
            bounded.Position = 0;
            using var reader = new StreamReader(bounded, System.Text.Encoding.UTF8, detectEncodingFromByteOrderMarks: true);
            return reader.ReadToEnd();
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            throw new UsageException($"{option} '{file.FullName}' cannot be read ({e.Message.TrimEnd('.')}); give a {kind} file.");
        }
    }
}
