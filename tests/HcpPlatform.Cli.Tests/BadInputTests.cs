using HcpPlatform.Testing;

namespace HcpPlatform.Cli.Tests;

/// <summary>Each bad input gets one line naming the problem and what is allowed, exit code 2 (1 when the database is unreachable), and leaves the data alone.</summary>
[Collection(PostgresFixture.CollectionName)]
public sealed class BadInputTests(PostgresFixture postgres)
{
    private static readonly SemaphoreSlim Gate = new(1, 1);
    private static string? _database;

    private async Task<string> DatabaseWithDataAsync()
    {
        await Gate.WaitAsync();
        try
        {
            if (_database is null)
            {
                var db = await postgres.CreateDatabaseAsync();
                var run = await CliProcess.RunAsync(db, "generate", "--hcps=100", "--months=1", "--as-of=2026-01-31");
                Assert.True(run.ExitCode == 0, run.Stderr);
                _database = db;
            }
            return _database;
        }
        finally
        {
            Gate.Release();
        }
    }

    [Theory]
    [InlineData("--hcps must be a whole number from 1 to 1,000,000 (got 'abc')", "generate", "--hcps=abc")]
    [InlineData("--hcps is 0, outside the allowed range: a whole number from 1 to 1,000,000", "generate", "--hcps=0")]
    [InlineData("--hcps is 1000001, outside the allowed range", "generate", "--hcps", "1000001")]
    [InlineData("--months is 121, outside the allowed range: a whole number from 1 to 120", "generate", "--months=121")]
    [InlineData("--months must be a whole number", "generate", "--months=twelve")]
    [InlineData("allowed: demo|development|analytics|load_test", "generate", "--scenario=huge")]
    [InlineData("--bogus", "generate", "--bogus")]
    [InlineData("cannot be combined with --wipe", "generate", "--validate-only", "--wipe")]
    [InlineData("--as-of must be a date as YYYY-MM-DD (got '2026-13-01')", "generate", "--as-of=2026-13-01")]
    [InlineData("--seed must be a non-negative whole number", "generate", "--seed=-3")]
    [InlineData("is in the future", "generate", "--hcps=100", "--months=1", "--as-of=2099-12-31", "--wipe", "--yes")]
    [InlineData("outside the supported range 2001-01-01 to 2099-12-31", "generate", "--as-of=2100-01-01")]
    [InlineData("--months 24 through 2001-01-01 would start on 1999-01-02, before the supported range", "generate", "--hcps=100", "--months=24", "--as-of=2001-01-01", "--wipe", "--yes")]
    [InlineData("does not exist", "generate", "--fixtures=/nonexistent/fixtures.json")]
    [InlineData("is a folder; give a JSON file", "generate", "--fixtures=/tmp")]
    [InlineData("add --yes to confirm", "generate", "--hcps=100", "--months=1", "--wipe")]
    [InlineData("A smaller dataset exists", "generate", "--hcps=200", "--months=1")]
    [InlineData("is not a valid NPI", "show", "--npi=1234567890")]
    [InlineData("--parallelism is 0, outside the allowed range", "generate", "--parallelism=0")]
    public async Task Bad_input_is_rejected_with_a_clear_message_and_exit_code_2(string expected, params string[] args)
    {
        var db = await DatabaseWithDataAsync();
        var before = await DatasetProbe.FingerprintAsync(db);
        var run = await CliProcess.RunAsync(db, args);
        Assert.Equal(2, run.ExitCode);
        Assert.Contains(expected, run.Stderr, StringComparison.Ordinal);
        Assert.StartsWith("error: ", run.Stderr, StringComparison.Ordinal);
        Assert.Equal("", run.Stdout);
        Assert.Equal(before, await DatasetProbe.FingerprintAsync(db));
    }

    [Theory]
    [InlineData("{ not json", "not a valid fixtures file")]
    [InlineData("""[{"npi": "1234567890", "firstName": "Jane", "lastName": "Smith"}]""", "invalid NPI \"1234567890\"")]
    [InlineData("""[{"npi": "1234567893", "firstName": "Jane", "lastName": "Smith", "specialty": "Astrology"}]""", "specialty \"Astrology\"; allowed:")]
    [InlineData("""[{"npi": "1234567893", "firstName": "JJJJJJJJJJJJJJJJJJJJJJJJJJJJJJJJJJJJJJJJJJJJJJJJJJJJJJJJJJJJJJJJJJJJJJJJJJJJJJJJJJJJJJJJJJJJJJJJJJJJJ", "lastName": "Smith"}]""", "firstName has 101 characters; at most 100 are allowed")]
    [InlineData("""[{"npi": "1234567893", "firstName": "Jane", "lastName": "Smith", "state": "NY", "organization": "OOOOOOOOOOOOOOOOOOOOOOOOOOOOOOOOOOOOOOOOOOOOOOOOOOOOOOOOOOOOOOOOOOOOOOOOOOOOOOOOOOOOOOOOOOOOOOOOOOOOOOOOOOOOOOOOOOOOOOOOOOOOOOOOOOOOOOOOOOOOOOOOOOOOOOOOOOOOOOOOOOOOOOOOOOOOOOOOOOOOOOOOOOOOOOOOOOOOOOOOO"}]""", "organization has 201 characters; at most 200 are allowed")]
    public async Task Bad_fixtures_files_are_rejected(string content, string expected)
    {
        var db = await DatabaseWithDataAsync();
        var before = await DatasetProbe.FingerprintAsync(db);
        var file = Path.Combine(Path.GetTempPath(), $"fixtures-{Guid.NewGuid():N}.json");
        await File.WriteAllTextAsync(file, content);
        try
        {
            var run = await CliProcess.RunAsync(db, "generate", "--hcps=100", "--months=1", "--wipe", "--yes", $"--fixtures={file}");
            Assert.Equal(2, run.ExitCode);
            Assert.Contains(expected, run.Stderr, StringComparison.Ordinal);
            Assert.Equal(before, await DatasetProbe.FingerprintAsync(db));
        }
        finally
        {
            File.Delete(file);
        }
    }

    [Fact]
    public async Task Fixtures_take_the_first_slots()
    {
        var db = await postgres.CreateDatabaseAsync();
        var file = Path.Combine(Path.GetTempPath(), $"fixtures-{Guid.NewGuid():N}.json");
        await File.WriteAllTextAsync(file, """[{"npi": "1234567893", "firstName": "Jane", "lastName": "Smith", "specialty": "Oncology", "tier": "Tier 1", "state": "MA", "city": "Boston"}]""");
        try
        {
            var run = await CliProcess.RunAsync(db, "generate", "--hcps=50", "--months=1", "--as-of=2026-01-31", $"--fixtures={file}");
            Assert.True(run.ExitCode == 0, run.Stderr);
            Assert.Equal("Smith", await Sql.ScalarAsync<string>(db, "SELECT last_name FROM hcp.hcp_profiles WHERE npi = '1234567893' AND hcp_index = 0 AND is_fixture"));
        }
        finally
        {
            File.Delete(file);
        }
    }

    [Fact]
    public async Task An_unreachable_database_fails_with_exit_code_1_after_retries()
    {
        var run = await CliProcess.RunAsync("Host=127.0.0.1;Port=1;Username=postgres;Database=hcpdb;Timeout=2", "generate", "--hcps=10", "--months=1");
        Assert.Equal(1, run.ExitCode);
        Assert.Contains("Cannot reach PostgreSQL at 127.0.0.1:1", run.Stderr, StringComparison.Ordinal);
    }
}
