using System.CommandLine;
using HcpPlatform.Postgres;

namespace HcpPlatform.Cli.Commands;

/// <summary><c>hcp db start|stop|status|url</c>: the shared embedded PostgreSQL every entry point falls back to.</summary>
internal static class DbCommand
{
    public static Command Create()
    {
        var start = new Command("start", "Start the embedded PostgreSQL (or reuse the running one) and print its connection string.");
        start.SetAction(async (_, ct) =>
        {
            var connectionString = await Embedded().EnsureStartedAsync(ct);
            Console.Out.WriteLine(connectionString);
            return ExitCodes.Success;
        });
        var stop = new Command("stop", "Stop the embedded PostgreSQL.");
        stop.SetAction(async (_, ct) =>
        {
            await Embedded().StopAsync(ct);
            Console.Error.WriteLine("Embedded PostgreSQL stopped.");
            return ExitCodes.Success;
        });
        var status = new Command("status", "Show whether the embedded PostgreSQL runs, where, and its data folder.");
        status.SetAction(async (_, ct) =>
        {
            var s = await Embedded().StatusAsync(ct);
            Console.Out.WriteLine(s.Running
                ? $"running (pid {s.ProcessId}) on 127.0.0.1:{s.Port}, data {s.DataDirectory}\n{s.ConnectionString}"
                : $"stopped; data {s.DataDirectory}; 'hcp db start' starts it on port {s.Port}");
            return s.Running ? ExitCodes.Success : ExitCodes.Failure;
        });
        var url = new Command("url", "Print the connection string the CLI and services use (ConnectionStrings__hcpdb when set).");
        url.SetAction(async (_, ct) =>
        {
            var configured = Environment.GetEnvironmentVariable(ConnectionStringResolver.EnvironmentVariable);
            Console.Out.WriteLine(string.IsNullOrWhiteSpace(configured) ? (await Embedded().StatusAsync(ct)).ConnectionString : configured);
            return ExitCodes.Success;
        });
        return new Command("db", "Manage the embedded PostgreSQL used when ConnectionStrings__hcpdb is not set.") { start, stop, status, url };
    }

    private static EmbeddedPostgres Embedded() => new(EmbeddedPostgresOptions.FromEnvironment());
}
