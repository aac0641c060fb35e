using System.CommandLine;
using System.Globalization;
using HcpPlatform.Data.Loading;
using HcpPlatform.Data.Validation;
using Npgsql;
using Spectre.Console;

namespace HcpPlatform.Cli.Commands;

/// <summary><c>hcp validate</c>: integrity and fidelity checks of the dataset in place (000 Task 11); exit 0 when all pass.</summary>
internal static class ValidateCommand
{
    public static Command Create()
    {
        var json = CliOptions.Json();
        var command = new Command("validate", "Validate the existing dataset without changing it.") { json };
        command.SetAction((r, ct) => RunAsync(new CliOutput(r.GetValue(json)), ct));
        return command;
    }

    public static async Task<int> RunAsync(CliOutput output, CancellationToken ct)
    {
        await using var dataSource = await CliDatabase.ConnectAsync(output.Note, ct);
        if (await DatasetState.ReadAsync(dataSource, ct) is null)
        {
            throw new CliFailureException("There is no dataset to validate yet; run 'hcp generate' first.");
        }
        var outcome = await DatasetValidation.ValidateAndStoreAsync(dataSource, ValidationScope.All, DatasetValidation.CliTrigger, ct);
        var report = outcome.Stored.Report;
        output.Note($"Validated {outcome.Dataset?.Describe()}; stored as validation {outcome.Stored.Id} in platform.validation_results.");
        Print(output, report);
        return report.Passed ? ExitCodes.Success : ExitCodes.Failure;
    }

    public static void Print(CliOutput output, ValidationReport report)
    {
        if (output.Json)
        {
            output.WriteJson(new { passed = report.Passed, durationMs = report.DurationMs, checks = report.Checks });
            return;
        }
        output.Table(["check", "category", "result", "measured", "threshold", "examples"], report.Checks.Select(c => new[]
        {
            Markup.Escape(c.Name), c.Category, c.Passed ? "[green]pass[/]" : "[red]FAIL[/]",
            c.Measured?.ToString("0.####", CultureInfo.InvariantCulture) ?? "", Markup.Escape(c.Threshold),
            Markup.Escape(string.Join("; ", c.Examples.Take(2))),
        }));
        output.Result($"{(report.Passed ? "All checks passed" : $"{report.Failed} of {report.Checks.Count} checks FAILED")} in {report.DurationMs} ms.");
    }
}
