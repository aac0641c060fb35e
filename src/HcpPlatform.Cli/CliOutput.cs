using System.Text.Json;
using Spectre.Console;

namespace HcpPlatform.Cli;

/// <summary>Where the CLI writes: progress and notes to standard error, results to standard output.</summary>
internal sealed class CliOutput(bool json)
{
    public static readonly JsonSerializerOptions JsonOptions = new() { WriteIndented = true, PropertyNamingPolicy = JsonNamingPolicy.CamelCase };

    public bool Json { get; } = json;

    /// <summary>A person is watching: rich progress and tables rather than plain lines.</summary>
    public bool Interactive { get; } = !json && !Console.IsOutputRedirected && !Console.IsErrorRedirected && Environment.GetEnvironmentVariable("CI") is null;

    public static bool CanPrompt => !Console.IsInputRedirected && !Console.IsOutputRedirected;

    public void Note(string message) => Console.Error.WriteLine(message);

    public void Result(string text) => Console.Out.WriteLine(text);

    public void WriteJson(object value) => Console.Out.WriteLine(JsonSerializer.Serialize(value, JsonOptions));

    /// <summary>A table whose cells may carry Spectre markup; plain, aligned text when no one is watching.</summary>
    public void Table(string[] headers, IEnumerable<string[]> rows)
    {
        var list = rows.ToList();
        if (Interactive)
        {
            var table = new Table();
            foreach (var h in headers)
            {
                table.AddColumn(h);
            }
            foreach (var row in list)
            {
                table.AddRow(row.Select(c => new Markup(c)).ToArray());
            }
            AnsiConsole.Write(table);
            return;
        }
        var plain = list.Select(r => r.Select(Markup.Remove).ToArray()).ToList();
        var widths = headers.Select((h, i) => Math.Max(h.Length, plain.Count == 0 ? 0 : plain.Max(r => r[i].Length))).ToArray();
        Console.Out.WriteLine(string.Join("  ", headers.Select((h, i) => h.PadRight(widths[i]))).TrimEnd());
        foreach (var row in plain)
        {
            Console.Out.WriteLine(string.Join("  ", row.Select((v, i) => v.PadRight(widths[i]))).TrimEnd());
        }
    }
}
