using System.ComponentModel;
using System.Diagnostics;
using HcpPlatform.Postgres;
using Microsoft.Extensions.Configuration;

namespace HcpPlatform.AppHost;

/// <summary>Where the platform's PostgreSQL comes from (setting <c>PostgresMode</c>).</summary>
internal enum PostgresMode
{
    /// <summary>The PostgreSQL container image with a data volume (and pgAdmin): needs a healthy container runtime.</summary>
    Container,

    /// <summary>A server run from this machine's PostgreSQL binaries, as a resource of the AppHost.</summary>
    Local,

    /// <summary>A server that already runs elsewhere: <c>ConnectionStrings:hcpdb</c>.</summary>
    Existing,
}

/// <summary>
/// Reads <c>PostgresMode</c> (container | local | existing | auto; auto when absent) and, for auto, picks container when
/// a container runtime answers and is healthy, else local when the PostgreSQL server binaries are installed. When no
/// mode can work the AppHost stops with a message that says what was tried and what to do.
/// </summary>
internal static class PostgresModeSelection
{
    public const string SettingName = "PostgresMode";

    /// <summary>The explicit choice, or null for auto. Throws with the allowed values on anything else.</summary>
    public static PostgresMode? Requested(IConfiguration configuration)
    {
        var value = configuration[SettingName]?.Trim();
        return value?.ToUpperInvariant() switch
        {
            null or "" or "AUTO" => null,
            "CONTAINER" => PostgresMode.Container,
            "LOCAL" => PostgresMode.Local,
            "EXISTING" => PostgresMode.Existing,
            _ => throw new InvalidOperationException(
                $"{SettingName} '{value}' is not a mode; allowed: container, local, existing, auto (the default: container when a container runtime is healthy, else local)."),
        };
    }

    /// <summary>Auto-detection for run mode: container, else local, else a clear failure.</summary>
    public static PostgresMode Detect(IConfiguration configuration, string? binDirectory, Action<string> log)
    {
        var runtimeProblem = ContainerRuntimeProblem(configuration);
        if (runtimeProblem is null)
        {
            log("PostgresMode auto: the container runtime is healthy, PostgreSQL runs in a container.");
            return PostgresMode.Container;
        }
        try
        {
            var bin = PostgresBinaries.Locate(binDirectory);
            log($"PostgresMode auto: {runtimeProblem}; PostgreSQL runs from the server binaries in {bin}.");
            return PostgresMode.Local;
        }
        catch (PostgresNotFoundException e)
        {
            throw new InvalidOperationException(
                "No PostgreSQL for the platform. " +
                $"Container: {runtimeProblem}. Local binaries: {e.Message} " +
                "Start a container runtime (Docker or Podman), install the server binaries (apt-get install postgresql), " +
                $"or use a server you have: {SettingName}=existing \"ConnectionStrings:hcpdb=Host=…;Database=hcpdb;…\".", e);
        }
    }

    /// <summary>
    /// Null when the container runtime Aspire would use (ASPIRE_CONTAINER_RUNTIME, else docker) answers <c>info</c>
    /// within 10 s; else why not. The same question DCP asks before it starts any container.
    /// </summary>
    public static string? ContainerRuntimeProblem(IConfiguration configuration)
    {
        var runtime = configuration["ASPIRE_CONTAINER_RUNTIME"] is { Length: > 0 } r ? r : "docker";
        try
        {
            using var process = Process.Start(new ProcessStartInfo(runtime)
            {
                ArgumentList = { "info", "--format", "{{.ServerVersion}}" },
                RedirectStandardOutput = true,
                RedirectStandardError = true,
                UseShellExecute = false,
            });
            if (process is null)
            {
                return $"'{runtime}' could not be started";
            }
            var errors = process.StandardError.ReadToEndAsync();
            if (!process.WaitForExit(10_000))
            {
                process.Kill(entireProcessTree: true);
                return $"'{runtime} info' did not answer within 10 s";
            }
            if (process.ExitCode == 0)
            {
                return null;
            }
            var reason = errors.Result.Trim().Split('\n').FirstOrDefault(l => l.Length > 0) ?? $"exit code {process.ExitCode}";
            return $"container runtime '{runtime}' is unhealthy ({reason.Trim()})";
        }
        catch (Win32Exception)
        {
            return $"no container runtime ('{runtime}' is not installed)";
        }
    }
}
