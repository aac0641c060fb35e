using System.Diagnostics;
using System.Text;

namespace HcpPlatform.Cli.Tests;

public sealed record CliRun(int ExitCode, string Stdout, string Stderr);

/// <summary>Runs the built hcp program as a separate process, the way a user does.</summary>
public static class CliProcess
{
    /// <summary>The CLI assembly built next to this test project (same configuration).</summary>
    public static string Dll
    {
        get
        {
            var here = AppContext.BaseDirectory; // tests/HcpPlatform.Cli.Tests/bin/<cfg>/net10.0/
            var config = new DirectoryInfo(here.TrimEnd(Path.DirectorySeparatorChar)).Parent!.Name;
            var root = Path.GetFullPath(Path.Combine(here, "..", "..", "..", "..", ".."));
            return Path.Combine(root, "src", "HcpPlatform.Cli", "bin", config, "net10.0", "HcpPlatform.Cli.dll");
        }
    }

    public static Process Start(string? connectionString, IEnumerable<string> args, IDictionary<string, string?>? environment = null)
    {
        var info = new ProcessStartInfo("dotnet")
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            RedirectStandardInput = true,
            UseShellExecute = false,
        };
        info.ArgumentList.Add(Dll);
        foreach (var a in args)
        {
            info.ArgumentList.Add(a);
        }
        if (connectionString is null)
        {
            info.Environment.Remove("ConnectionStrings__hcpdb");
        }
        else
        {
            info.Environment["ConnectionStrings__hcpdb"] = connectionString;
        }
        info.Environment["CI"] = "true";
        if (environment is not null)
        {
            foreach (var (k, v) in environment)
            {
                info.Environment[k] = v;
            }
        }
        return Process.Start(info)!;
    }

    public static async Task<CliRun> RunAsync(string? connectionString, params string[] args) =>
        await RunAsync(connectionString, null, args);

    public static async Task<CliRun> RunAsync(string? connectionString, IDictionary<string, string?>? environment, params string[] args)
    {
        using var process = Start(connectionString, args, environment);
        process.StandardInput.Close();
        var stdout = process.StandardOutput.ReadToEndAsync();
        var stderr = process.StandardError.ReadToEndAsync();
        using var timeout = new CancellationTokenSource(TimeSpan.FromMinutes(4));
        await process.WaitForExitAsync(timeout.Token);
        return new CliRun(process.ExitCode, await stdout, await stderr);
    }
}
