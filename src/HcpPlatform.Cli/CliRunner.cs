using System.CommandLine;

namespace HcpPlatform.Cli;

/// <summary>Parses, reports bad usage as one line with exit code 2, runs, and maps failures to exit code 1.</summary>
internal static class CliRunner
{
    public static async Task<int> RunAsync(RootCommand root, string[] args)
    {
        var parse = root.Parse(args);
        if (parse.Errors.Count > 0)
        {
            foreach (var error in parse.Errors)
            {
                await Console.Error.WriteLineAsync($"error: {error.Message}");
            }
            var command = parse.CommandResult.Command;
            await Console.Error.WriteLineAsync($"Run '{CommandPath(command, parse)} --help' for the allowed options.");
            return ExitCodes.Usage;
        }
        try
        {
            return await parse.InvokeAsync(new InvocationConfiguration { EnableDefaultExceptionHandler = false });
        }
        catch (UsageException e)
        {
            await Console.Error.WriteLineAsync($"error: {e.Message}");
            return ExitCodes.Usage;
        }
        catch (CliFailureException e)
        {
            await Console.Error.WriteLineAsync($"error: {e.Message}");
            return ExitCodes.Failure;
        }
        catch (OperationCanceledException)
        {
            await Console.Error.WriteLineAsync("Cancelled.");
            return ExitCodes.Failure;
        }
    }

    private static string CommandPath(Command command, ParseResult parse)
    {
        var names = new List<string>();
        for (var result = parse.CommandResult; result is not null; result = result.Parent as System.CommandLine.Parsing.CommandResult)
        {
            names.Insert(0, result.Command is RootCommand ? "hcp" : result.Command.Name);
        }
        return names.Count == 0 ? command.Name : string.Join(' ', names);
    }
}
