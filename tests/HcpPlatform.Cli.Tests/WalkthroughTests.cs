using System.Globalization;
using System.Text.Json;
using System.Text.RegularExpressions;
using HcpPlatform.Testing;
using Npgsql;
using Xunit.Abstractions;

namespace HcpPlatform.Cli.Tests;

/// <summary>
/// The README's interventions walkthrough, step by step with the real hcp program, the JSON file and the SQL taken from
/// the README itself: define the 4-week rep-visit test for Tier 1 cardiologists, play it, estimate with the difference in
/// means, score the estimate against the truth. The one departure: 2 months of history instead of 12 (the walkthrough's
/// steps do not depend on how much history precedes the test; it keeps the test short).
/// </summary>
[Collection(PostgresFixture.CollectionName)]
public sealed class WalkthroughTests(PostgresFixture postgres, ITestOutputHelper output) : IDisposable
{
    private readonly string _folder = Directory.CreateTempSubdirectory("hcp-walkthrough-").FullName;

    [Fact]
    public async Task The_readme_walkthrough_defines_plays_estimates_and_scores_a_test()
    {
        var section = Section(await File.ReadAllTextAsync(Path.Combine(RepositoryRoot(), "README.md")), "### Walkthrough: a 4-week rep-visit test for Tier 1 cardiologists");
        var commands = Block(section, "bash");
        var definition = Block(section, "json");
        var sql = Block(section, "sql");
        // The commands the test runs are the README's.
        Assert.Contains("hcp generate --seed=42 --hcps=2000 --months=12 --as-of=2026-03-31 --wipe --yes", commands, StringComparison.Ordinal);
        Assert.Contains("hcp interventions add --file=tier1-cardiology-visits.json", commands, StringComparison.Ordinal);
        Assert.Contains("hcp increment --days=61", commands, StringComparison.Ordinal);
        Assert.Contains("--csv -f difference-in-means.sql > estimate.csv", commands, StringComparison.Ordinal);
        Assert.Contains("hcp interventions score --id=ID --outcome=meeting_scheduled --estimates=estimate.csv --model-type=difference_in_means", commands, StringComparison.Ordinal);
        Assert.Contains("hcp interventions show --id=ID", commands, StringComparison.Ordinal);

        var db = await postgres.CreateDatabaseAsync();
        await Run(db, "generate", "--seed=42", "--hcps=2000", "--months=2", "--as-of=2026-03-31", "--wipe", "--yes");
        var file = Path.Combine(_folder, "tier1-cardiology-visits.json");
        await File.WriteAllTextAsync(file, definition);
        var id = Regex.Match((await Run(db, "interventions", "add", $"--file={file}")).Stdout, "[0-9a-f]{8}-[0-9a-f-]{27}").Value;
        Assert.NotEmpty(id);
        var increment = await Run(db, "increment", "--days=61");
        Assert.Equal(new DateOnly(2026, 5, 31), await Sql.ScalarAsync<DateOnly>(db, "SELECT simulated_through FROM hcp.dataset_info"));
        output.WriteLine(increment.Stdout.Trim());

        var sqlFile = Path.Combine(_folder, "difference-in-means.sql");
        await File.WriteAllTextAsync(sqlFile, sql);
        var estimateFile = Path.Combine(_folder, "estimate.csv");
        await File.WriteAllTextAsync(estimateFile, await EstimateAsync(db, sqlFile, sql));
        var estimate = (await File.ReadAllLinesAsync(estimateFile))[1].Split(',').Select(v => double.Parse(v, CultureInfo.InvariantCulture)).ToArray();
        output.WriteLine($"estimate.csv: ate {estimate[0]}, 95% interval [{estimate[1]}, {estimate[2]}]");

        var scored = await Run(db, "interventions", "score", $"--id={id}", "--outcome=meeting_scheduled", $"--estimates={estimateFile}", "--model-type=difference_in_means", "--json");
        var score = JsonDocument.Parse(scored.Stdout).RootElement;
        var trueAte = score.GetProperty("trueAte").GetDouble();
        output.WriteLine(scored.Stdout);
        Assert.Equal("meeting_scheduled", score.GetProperty("outcome").GetString());
        Assert.Equal(await Sql.ScalarAsync<long>(db, $"SELECT count(*) FROM hcp.intervention_assignments WHERE intervention_id = '{id}'"), score.GetProperty("hcps").GetInt32());
        Assert.InRange(score.GetProperty("hcps").GetInt32(), 30, 120); // 2,000 × 12% cardiology × 25% Tier 1 ≈ 60
        Assert.Equal(estimate[0], score.GetProperty("estimatedAte").GetDouble(), 9);
        Assert.Equal(estimate[0] - trueAte, score.GetProperty("bias").GetDouble(), 9);
        Assert.Equal(estimate[1] <= trueAte && trueAte <= estimate[2], score.GetProperty("ateCovered").GetBoolean());
        // A difference in means of a randomized test is unbiased: its error stays within two interval widths (≈ 4 standard errors).
        Assert.InRange(Math.Abs(estimate[0] - trueAte), 0, 2 * (estimate[2] - estimate[1]));
        // Extra visits to the treated: their truth says so, and the oracle's row and the scored model's are stored.
        Assert.True(score.GetProperty("trueAtt").GetDouble() > 0, "the treated gained no meetings");
        Assert.Equal(trueAte, await Sql.ScalarAsync<double>(db, $"SELECT ate FROM hcp.uplift_models WHERE intervention_id = '{id}' AND outcome = 'meeting_scheduled' AND model_type = 'oracle'"), 9);
        Assert.Equal(estimate[0], await Sql.ScalarAsync<double>(db, $"SELECT ate FROM hcp.uplift_models WHERE intervention_id = '{id}' AND outcome = 'meeting_scheduled' AND model_type = 'difference_in_means'"), 9);

        var show = await Run(db, "interventions", "show", $"--id={id}");
        Assert.Contains("True effects over 2026-04-01..2026-05-31", show.Stdout, StringComparison.Ordinal);
        Assert.Contains("meeting_scheduled", show.Stdout, StringComparison.Ordinal);
        Assert.EndsWith(" — completed", show.Stdout.Split('\n')[0], StringComparison.Ordinal); // its last day, 2026-05-03, is simulated
    }

    /// <summary>The README's psql command against this database (psql from the PostgreSQL client); without psql, the same SQL through Npgsql.</summary>
    private static async Task<string> EstimateAsync(string db, string sqlFile, string sql)
    {
        var target = new NpgsqlConnectionStringBuilder(db);
        if (File.Exists("/usr/bin/psql"))
        {
            await using var psql = TestProcess.Start("/usr/bin/psql",
                [$"host=127.0.0.1 port={target.Port} user=postgres dbname={target.Database}", "--csv", "-f", sqlFile]);
            var run = await psql.WaitForExitAsync();
            Assert.True(run.ExitCode == 0, run.Output);
            return run.Stdout;
        }
        await using var connection = new NpgsqlConnection(db);
        await connection.OpenAsync();
        await using var cmd = new NpgsqlCommand(sql, connection);
        await using var reader = await cmd.ExecuteReaderAsync();
        await reader.ReadAsync();
        return string.Create(CultureInfo.InvariantCulture, $"ate,lower,upper\n{reader.GetDecimal(0)},{reader.GetDecimal(1)},{reader.GetDecimal(2)}\n");
    }

    private static async Task<ProcessRun> Run(string db, params string[] args)
    {
        var run = await CliProcess.RunAsync(db, args);
        Assert.True(run.ExitCode == 0, $"hcp {string.Join(' ', args)}: exit {run.ExitCode}: {run.Output}");
        return run;
    }

    private static string RepositoryRoot()
    {
        for (var d = new DirectoryInfo(AppContext.BaseDirectory); d is not null; d = d.Parent)
        {
            if (File.Exists(Path.Combine(d.FullName, "HcpPlatform.sln")))
            {
                return d.FullName;
            }
        }
        throw new InvalidOperationException("The repository root (HcpPlatform.sln) is not above the test's folder.");
    }

    /// <summary>The README's text from <paramref name="heading"/> to the next heading of the same or a higher level.</summary>
    private static string Section(string readme, string heading)
    {
        var start = readme.IndexOf(heading + "\n", StringComparison.Ordinal);
        Assert.True(start >= 0, $"README.md has no '{heading}'");
        var end = readme.IndexOf("\n## ", start + heading.Length, StringComparison.Ordinal);
        var next = readme.IndexOf("\n### ", start + heading.Length, StringComparison.Ordinal);
        end = next >= 0 && (end < 0 || next < end) ? next : end;
        return end < 0 ? readme[start..] : readme[start..end];
    }

    /// <summary>The first fenced block of <paramref name="language"/> in <paramref name="text"/>.</summary>
    private static string Block(string text, string language)
    {
        var match = Regex.Match(text, $"```{language}\n(.*?)```", RegexOptions.Singleline);
        Assert.True(match.Success, $"no ```{language} block");
        return match.Groups[1].Value;
    }

    public void Dispose() => Directory.Delete(_folder, recursive: true);
}
