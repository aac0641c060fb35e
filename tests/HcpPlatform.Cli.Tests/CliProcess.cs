using HcpPlatform.Testing;

namespace HcpPlatform.Cli.Tests;

/// <summary>Runs the built hcp program as a separate process, the way a user does (a <see cref="TestProcess"/>: killed if it hangs).</summary>
public static class CliProcess
{
    /// <summary>Starts hcp against <paramref name="connectionString"/> (none: the embedded PostgreSQL), not on a terminal (CI=true).</summary>
    public static TestProcess Start(string? connectionString, IEnumerable<string> args, IReadOnlyDictionary<string, string?>? environment = null)
    {
        var all = new Dictionary<string, string?>(StringComparer.Ordinal) { ["ConnectionStrings__hcpdb"] = connectionString, ["CI"] = "true" };
        foreach (var (name, value) in environment ?? new Dictionary<string, string?>())
        {
            all[name] = value;
        }
        return TestProcess.StartDotnet("HcpPlatform.Cli", args, all);
    }

    public static Task<ProcessRun> RunAsync(string? connectionString, params string[] args) => RunAsync(connectionString, null, args);

    public static async Task<ProcessRun> RunAsync(string? connectionString, IReadOnlyDictionary<string, string?>? environment, params string[] args)
    {
        await using var process = Start(connectionString, args, environment);
        return await process.WaitForExitAsync();
    }
}
