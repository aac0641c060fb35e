using System.CommandLine;
using HcpPlatform.Data.Loading;
using HcpPlatform.Data.Privacy;
using HcpPlatform.Engine.Generators;
using Spectre.Console;

namespace HcpPlatform.Cli.Commands;

/// <summary><c>hcp privacy erase|access --npi=N</c>: privacy requests (seeds/004), each with an audit row.</summary>
internal static class PrivacyCommand
{
    public static Command Create()
    {
        var eraseNpi = NpiOption();
        var yes = CliOptions.Flag("--yes", "Confirm the erasure without asking.");
        var regulation = new Option<string>("--regulation") { Description = "Regulation the request is made under: gdpr, ccpa or hipaa.", DefaultValueFactory = _ => "ccpa" };
        regulation.AcceptOnlyFromAmong(PrivacyRequests.Regulations);
        var json = CliOptions.Json();
        var erase = new Command("erase", "Erase one HCP and everything about them, in one transaction; they stay erased on regeneration.") { eraseNpi, yes, regulation, json };
        erase.SetAction(async (r, ct) =>
        {
            var output = new CliOutput(r.GetValue(json));
            var npi = Checked(r.GetValue(eraseNpi));
            if (!r.GetValue(yes))
            {
                if (!CliOutput.CanPrompt)
                {
                    throw new UsageException($"Erasing NPI {npi} deletes every row about that HCP; add --yes to confirm when not running on a terminal.");
                }
                if (!AnsiConsole.Confirm($"Erase HCP {npi} and everything about them?", defaultValue: false))
                {
                    return ExitCodes.Failure;
                }
            }
            await using var dataSource = await CliDatabase.ConnectAsync(output.Note, ct);
            var result = await PrivacyRequests.EraseAsync(dataSource, npi, r.GetValue(regulation)!, ct);
            if (!result.Found)
            {
                throw new CliFailureException($"No HCP with NPI {npi} in the dataset; the request was recorded as denied ({result.RequestId}).");
            }
            if (output.Json)
            {
                output.WriteJson(new { requestId = result.RequestId, npi, deleted = result.Deleted });
            }
            else
            {
                output.Result($"Erased NPI {npi}: {string.Join(", ", result.Deleted.Select(d => $"{d.Key} {d.Value}"))}. Request {result.RequestId}.");
            }
            return ExitCodes.Success;
        });

        var accessNpi = NpiOption();
        var outFile = new Option<FileInfo?>("--out") { Description = "Write the JSON to this file instead of standard output." };
        var access = new Command("access", "Export everything held about one HCP as JSON (an access request).") { accessNpi, outFile };
        access.SetAction(async (r, ct) =>
        {
            var output = new CliOutput(json: false);
            var npi = Checked(r.GetValue(accessNpi));
            var file = r.GetValue(outFile);
            if (file is not null && Directory.Exists(file.FullName))
            {
                throw new UsageException($"--out '{file.FullName}' is a folder; give the path of a file to write the JSON to (e.g. --out=hcp-{npi}.json).");
            }
            await using var dataSource = await CliDatabase.ConnectAsync(output.Note, ct);
            // The audit row says completed only once the export is written; a failed write is recorded as failed (exit 1).
            var result = await PrivacyRequests.AccessAsync(dataSource, npi, async (json, token) =>
                {
                    if (file is null)
                    {
                        output.Result(json);
                        return;
                    }
                    try
                    {
                        await File.WriteAllTextAsync(file.FullName, json, token);
                    }
                    catch (Exception e) when (e is IOException or UnauthorizedAccessException or NotSupportedException)
                    {
                        throw new CliFailureException($"--out '{file.FullName}' could not be written ({e.Message}); the access request was recorded as failed.");
                    }
                }, ct)
                ?? throw new CliFailureException($"No HCP with NPI {npi} in the dataset; the request was recorded as denied.");
            if (file is not null)
            {
                output.Note($"Wrote {file.FullName} (request {result.RequestId}).");
            }
            return ExitCodes.Success;
        });
        return new Command("privacy", "Privacy requests: erase an HCP or export what is held about them.") { erase, access };
    }

    private static Option<string> NpiOption() => new("--npi") { Description = "The HCP's 10-digit NPI.", Required = true };

    private static string Checked(string? npi) => Npi.IsValid(npi)
        ? npi!
        : throw new UsageException($"--npi '{npi}' is not a valid NPI: 10 digits starting with 1 or 2, ending in the CMS Luhn check digit (e.g. 1234567893).");
}
