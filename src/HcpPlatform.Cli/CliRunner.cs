using System.CommandLine;
using HcpPlatform.Data.Interventions;
using HcpPlatform.Data.Loading;

namespace HcpPlatform.Cli;

/// <summary>
/// Parses, reports bad usage as one line with exit code 2, runs, and maps every failure to exit code 1 with one line on
/// stderr: the expected ones (validation failed, database busy or unreachable, an intervention's state) with their
/// message, anything unexpected (a database error, an I/O error) with its type and message — never a stack trace. The
/// data layer's own errors are mapped here too, for every command: bad input (an intervention's definition or touches,
/// scoring input) is exit 2; a conflict with an intervention's state, no truth to score yet, another writer generating
/// is exit 1.
/// </summary>
internal static class CliRunner
{
    /// <summary>
    /// How long Ctrl-C (SIGINT) or SIGTERM waits for the command to stop cleanly (a backfill drops its build schema and
    /// records its run as cancelled) before the process ends anyway.
    /// </summary>
    public static readonly TimeSpan TerminationGrace = TimeSpan.FromSeconds(30);

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
            return await parse.InvokeAsync(new InvocationConfiguration { EnableDefaultExceptionHandler = false, ProcessTerminationTimeout = TerminationGrace });
        }
        catch (Exception e) when (e is UsageException or InterventionInputException or ScoringInputException)
        {
            await Console.Error.WriteLineAsync($"error: {e.Message}");
            return ExitCodes.Usage;
        }
        catch (Exception e) when (e is CliFailureException or InterventionConflictException or NoTruthYetException or GenerationBusyException or CalendarEndException)
        {
            await Console.Error.WriteLineAsync($"error: {e.Message}");
            return ExitCodes.Failure;
        }
        catch (OperationCanceledException)
        {
            await Console.Error.WriteLineAsync("Cancelled.");
            return ExitCodes.Failure;
        }
        catch (Exception e)
        {
            await Console.Error.WriteLineAsync($"error: {OneLine(e)}");
            return ExitCodes.Failure;
        }
    }

    /// <summary>An unexpected failure as one line: what kind of failure and its message (a PostgreSQL error with its SQLSTATE).</summary>
    internal static string OneLine(Exception e)
    {
        var root = e is AggregateException aggregate ? aggregate.GetBaseException() : e;
        var text = $"{root.GetType().Name}: {root.Message}";
        return string.Join(' ', text.Split(['\r', '\n'], StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries));
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
