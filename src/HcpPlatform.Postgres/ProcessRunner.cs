using System.Diagnostics;
using System.Text;

namespace HcpPlatform.Postgres;

/// <summary>Exit code and combined output of a finished program.</summary>
public sealed record ProcessResult(int ExitCode, string Output)
{
    public bool Succeeded => ExitCode == 0;
}

/// <summary>
/// Runs the PostgreSQL programs. initdb, pg_ctl and postgres refuse to run as root, so when this
/// process is root they run as the <c>postgres</c> OS user through runuser.
/// </summary>
public static class ProcessRunner
{
    public const string PostgresUser = "postgres";

    /// <summary>Environment.UserName reflects the effective user id on Unix.</summary>
    public static bool IsRoot => string.Equals(Environment.UserName, "root", StringComparison.Ordinal);

    /// <summary>Runs a PostgreSQL program, switching to the postgres user when we are root.</summary>
    public static Task<ProcessResult> RunAsPostgresAsync(string program, IReadOnlyList<string> arguments, CancellationToken ct)
    {
        var (command, wrapped) = AsPostgres(program, arguments);
        return RunAsync(command, wrapped, ct);
    }

    /// <summary>The command line that runs a PostgreSQL program as the postgres user (through runuser when we are root).</summary>
    public static (string Program, IReadOnlyList<string> Arguments) AsPostgres(string program, IReadOnlyList<string> arguments)
    {
        if (!IsRoot)
        {
            return (program, arguments);
        }
        var wrapped = new List<string> { "-u", PostgresUser, "--", program };
        wrapped.AddRange(arguments);
        return (LocateRunUser(), wrapped);
    }

    public static async Task<ProcessResult> RunAsync(string program, IReadOnlyList<string> arguments, CancellationToken ct)
    {
        var startInfo = new ProcessStartInfo(program)
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            RedirectStandardInput = false,
            UseShellExecute = false,
            // The postgres user may not be able to enter our working directory (e.g. under /root).
            WorkingDirectory = "/",
        };
        foreach (var argument in arguments)
        {
            startInfo.ArgumentList.Add(argument);
        }
        // English, culture-free messages: they end up in our exceptions.
        startInfo.Environment["LC_ALL"] = "C";

        using var process = new Process { StartInfo = startInfo };
        try
        {
            process.Start();
        }
        catch (System.ComponentModel.Win32Exception e)
        {
            throw new InvalidOperationException($"Cannot run {program}: {e.Message}", e);
        }

        var stdout = process.StandardOutput.ReadToEndAsync(ct);
        var stderr = process.StandardError.ReadToEndAsync(ct);
        try
        {
            await process.WaitForExitAsync(ct);
        }
        catch (OperationCanceledException)
        {
            process.Kill(entireProcessTree: true);
            throw;
        }

        var output = new StringBuilder();
        output.Append((await stdout).Trim());
        var errors = (await stderr).Trim();
        if (errors.Length > 0)
        {
            output.Append(output.Length > 0 ? "\n" : "").Append(errors);
        }
        return new ProcessResult(process.ExitCode, output.ToString());
    }

    /// <summary>Gives paths to the postgres user (no-op unless we are root, where everything we create is root's).</summary>
    public static async Task ChownToPostgresAsync(IReadOnlyList<string> paths, bool recursive, CancellationToken ct)
    {
        if (!IsRoot || paths.Count == 0)
        {
            return;
        }
        var arguments = new List<string>();
        if (recursive)
        {
            arguments.Add("-R");
        }
        arguments.Add(PostgresUser + ":" + PostgresUser);
        arguments.AddRange(paths);
        var result = await RunAsync("chown", arguments, ct);
        if (!result.Succeeded)
        {
            throw new InvalidOperationException(
                $"Cannot give {string.Join(", ", paths)} to the '{PostgresUser}' OS user: {result.Output}");
        }
    }

    /// <summary>Fails clearly when the postgres user cannot use a directory (e.g. one under /root).</summary>
    public static async Task EnsurePostgresCanUseAsync(string directory, CancellationToken ct)
    {
        if (!IsRoot)
        {
            return;
        }
        var result = await RunAsPostgresAsync("test", ["-r", directory, "-a", "-w", directory, "-a", "-x", directory], ct);
        if (!result.Succeeded)
        {
            throw new InvalidOperationException(
                $"The '{PostgresUser}' OS user cannot use {directory}: a parent directory is not traversable by it " +
                $"(root's home /root is not, for example). Choose a data directory elsewhere (e.g. under /var/lib or /tmp). {result.Output}".TrimEnd());
        }
    }

    private static string LocateRunUser()
    {
        string[] candidates = ["/usr/sbin/runuser", "/sbin/runuser", "/usr/bin/runuser", "/bin/runuser"];
        return candidates.FirstOrDefault(File.Exists)
            ?? throw new InvalidOperationException(
                "Running as root, PostgreSQL must run as the 'postgres' OS user, but runuser (util-linux) was not found.");
    }
}
