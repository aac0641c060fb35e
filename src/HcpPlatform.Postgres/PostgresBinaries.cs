using System.Diagnostics;

namespace HcpPlatform.Postgres;

/// <summary>Finds the directory holding the PostgreSQL server programs (initdb, pg_ctl, postgres).</summary>
public static class PostgresBinaries
{
    /// <summary>Environment variable naming the bin directory explicitly; when set, nothing else is tried.</summary>
    public const string BinDirectoryVariable = "HCP_PG_BIN";

    /// <summary>Debian and Ubuntu install each major version under /usr/lib/postgresql/&lt;version&gt;/bin.</summary>
    public const string DebianRoot = "/usr/lib/postgresql";

    private static readonly string[] RequiredPrograms = ["initdb", "pg_ctl", "postgres"];

    /// <summary>
    /// <paramref name="explicitDirectory"/> or else <c>HCP_PG_BIN</c> when given (then nothing else is tried),
    /// else the highest /usr/lib/postgresql/&lt;version&gt;/bin, else <c>pg_config --bindir</c>, else the PATH.
    /// </summary>
    /// <exception cref="PostgresNotFoundException">No directory with initdb, pg_ctl and postgres was found.</exception>
    public static string Locate(string? explicitDirectory = null)
    {
        if (string.IsNullOrWhiteSpace(explicitDirectory))
        {
            explicitDirectory = Environment.GetEnvironmentVariable(BinDirectoryVariable);
        }
        var lookedIn = new List<string>();

        if (!string.IsNullOrWhiteSpace(explicitDirectory))
        {
            // An explicit choice that is wrong must fail loudly rather than silently use another version.
            lookedIn.Add(explicitDirectory);
            return HasServerPrograms(explicitDirectory) ? Path.GetFullPath(explicitDirectory) : throw NotFound(lookedIn);
        }

        foreach (var candidate in DebianVersionDirectories())
        {
            lookedIn.Add(candidate);
            if (HasServerPrograms(candidate))
            {
                return candidate;
            }
        }
        if (lookedIn.Count == 0)
        {
            lookedIn.Add(DebianRoot + "/<version>/bin");
        }

        var fromPgConfig = PgConfigBinDirectory();
        lookedIn.Add(fromPgConfig is null ? "pg_config --bindir" : $"{fromPgConfig} (pg_config --bindir)");
        if (fromPgConfig is not null && HasServerPrograms(fromPgConfig))
        {
            return fromPgConfig;
        }

        foreach (var directory in PathDirectories())
        {
            if (HasServerPrograms(directory))
            {
                return directory;
            }
        }
        lookedIn.Add("PATH");

        throw NotFound(lookedIn);
    }

    /// <summary>Full path of one program in a bin directory.</summary>
    public static string ProgramPath(string binDirectory, string name) => Path.Combine(binDirectory, name);

    private static bool HasServerPrograms(string directory) =>
        RequiredPrograms.All(p => File.Exists(Path.Combine(directory, p)));

    private static List<string> DebianVersionDirectories()
    {
        if (!Directory.Exists(DebianRoot))
        {
            return [];
        }
        return [.. Directory.EnumerateDirectories(DebianRoot)
            .Select(d => (Dir: d, Version: ParseVersion(Path.GetFileName(d))))
            .Where(x => x.Version is not null)
            .OrderByDescending(x => x.Version)
            .Select(x => Path.Combine(x.Dir, "bin"))];
    }

    private static Version? ParseVersion(string name) =>
        Version.TryParse(name.Contains('.', StringComparison.Ordinal) ? name : name + ".0", out var v) ? v : null;

    private static string? PgConfigBinDirectory()
    {
        var pgConfig = PathDirectories().Select(d => Path.Combine(d, "pg_config")).FirstOrDefault(File.Exists);
        if (pgConfig is null)
        {
            return null;
        }
        try
        {
            using var process = Process.Start(new ProcessStartInfo(pgConfig, "--bindir")
            {
                RedirectStandardOutput = true,
                RedirectStandardError = true,
                UseShellExecute = false,
            });
            if (process is null)
            {
                return null;
            }
            var output = process.StandardOutput.ReadToEnd().Trim();
            // pg_config answers at once; the bound only guards against a broken wrapper script.
            return process.WaitForExit(10_000) && process.ExitCode == 0 && output.Length > 0 ? output : null;
        }
        catch (System.ComponentModel.Win32Exception)
        {
            return null;
        }
    }

    private static string[] PathDirectories() =>
        (Environment.GetEnvironmentVariable("PATH") ?? "")
            .Split(Path.PathSeparator, StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries);

    private static PostgresNotFoundException NotFound(IEnumerable<string> lookedIn) =>
        new($"PostgreSQL server binaries not found (looked in {string.Join(", ", lookedIn)}). " +
            "Install them (apt-get install postgresql) or set ConnectionStrings__hcpdb to an existing server.");
}

/// <summary>The PostgreSQL server programs are not installed where we looked.</summary>
public sealed class PostgresNotFoundException : Exception
{
    public PostgresNotFoundException()
    {
    }

    public PostgresNotFoundException(string message) : base(message)
    {
    }

    public PostgresNotFoundException(string message, Exception innerException) : base(message, innerException)
    {
    }
}
