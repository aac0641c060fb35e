using System.CommandLine;
using HcpPlatform.Data.Loading;

namespace HcpPlatform.Cli.Commands;

/// <summary><c>hcp increment --days=N</c>: append the next N simulated days to the dataset, each exactly once.</summary>
internal static class IncrementCommand
{
    public static Command Create()
    {
        var days = CliOptions.Int("--days", "How many simulated days to append (default 1).", 1, 3660);
        var json = CliOptions.Json();
        var command = new Command("increment", "Append the next simulated day(s), as the nightly job does.") { days, json };
        command.SetAction(async (r, ct) =>
        {
            var output = new CliOutput(r.GetValue(json));
            await using var dataSource = await CliDatabase.ConnectAsync(output.Note, ct);
            var increment = new DailyIncrement(dataSource);
            var results = new List<IncrementResult>();
            for (var i = 0; i < (r.GetValue(days) ?? 1); i++)
            {
                var result = await increment.RunNextDayAsync(ct);
                if (result is null)
                {
                    throw new CliFailureException("There is no dataset to extend yet; run 'hcp generate' first.");
                }
                results.Add(result);
                if (!output.Json)
                {
                    output.Result($"{result.Day:yyyy-MM-dd}: {string.Join(", ", result.Counts.Where(c => c.Value > 0).Select(c => $"{c.Key} {c.Value:N0}"))} in {result.Seconds:0.000}s");
                }
            }
            if (output.Json)
            {
                output.WriteJson(new { days = results.Select(x => new { day = x.Day, runId = x.RunId, counts = x.Counts, seconds = Math.Round(x.Seconds, 3) }) });
            }
            return ExitCodes.Success;
        });
        return command;
    }
}
