using System.CommandLine;
using HcpPlatform.Data.Export;

namespace HcpPlatform.Cli.Commands;

/// <summary>
/// <c>hcp export --format=csv --out=DIR</c>: every dataset table as CSV, the ground truth as JSON, and a manifest;
/// <c>--format=parquet</c>: every dataset table as Parquet (see <see cref="ParquetCommands"/>).
/// </summary>
internal static class ExportCommand
{
    public static Command Create()
    {
        var format = new Option<string>("--format") { Description = "Export format: csv, or parquet (every table, event tables by month, in a new or empty folder).", DefaultValueFactory = _ => "csv" };
        format.AcceptOnlyFromAmong("csv", "parquet");
        var outDir = new Option<DirectoryInfo>("--out") { Description = "Directory to write into (created if missing).", Required = true };
        var uuidType = ParquetCommands.UuidType();
        var json = CliOptions.Json();
        var command = new Command("export", "Export the dataset as CSV or Parquet files with a manifest of row counts and checksums.") { format, outDir, uuidType, json };
        command.Validators.Add(r =>
        {
            if (r.GetValue(uuidType) is not null && r.GetValue(format) != "parquet")
            {
                r.AddError("--uuid-type applies to --format=parquet only.");
            }
        });
        command.SetAction(async (r, ct) =>
        {
            var output = new CliOutput(r.GetValue(json));
            var dir = r.GetValue(outDir)!;
            if (r.GetValue(format) == "parquet")
            {
                return await ParquetCommands.ExportAsync(output, dir.FullName, ParquetCommands.ParseUuidType(r.GetValue(uuidType)), ct);
            }
            if (File.Exists(dir.FullName))
            {
                throw new UsageException($"--out '{dir.FullName}' is a file; give a directory.");
            }
            await using var dataSource = await CliDatabase.ConnectAsync(output.Note, ct);
            var manifest = await DatasetExport.WriteCsvAsync(dataSource, dir.FullName, ct)
                ?? throw new CliFailureException("There is no dataset to export yet; run 'hcp generate' first.");
            if (output.Json)
            {
                output.WriteJson(manifest);
            }
            else
            {
                output.Table(["file", "rows", "sha256"], manifest.Files.Select(f => new[] { f.File, f.Rows.ToString("N0", System.Globalization.CultureInfo.InvariantCulture), f.Sha256[..12] }));
                output.Result($"Exported to {dir.FullName} (manifest.json).");
            }
            return ExitCodes.Success;
        });
        return command;
    }
}
