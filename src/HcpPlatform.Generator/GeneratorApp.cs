using HcpPlatform.Data.Hosting;
using HcpPlatform.Data.Postgres;
using Microsoft.AspNetCore.Builder;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using Quartz;

namespace HcpPlatform.Generator;

/// <summary>The generator worker's host: service defaults, the database, the options, Quartz and the state watcher.</summary>
public static class GeneratorApp
{
    /// <summary>
    /// Service key of the <see cref="TimeProvider"/> that decides what "today" is for the nightly schedule (and the lag
    /// gauge). Keyed, so a test can move the simulated calendar without moving Quartz's own clock (Quartz takes the
    /// container's unkeyed TimeProvider). Default: <see cref="TimeProvider.System"/>.
    /// </summary>
    public const string ClockKey = "hcp-generator-clock";

    /// <summary>
    /// Builds the worker (a web host, for /health and /alive). The connection string is <c>ConnectionStrings:hcpdb</c>,
    /// else the shared embedded PostgreSQL. <paramref name="configure"/> runs before the services are added (tests
    /// use it to replace the <see cref="TimeProvider"/> or add settings).
    /// </summary>
    public static async Task<WebApplication> BuildAsync(string[] args, Action<WebApplicationBuilder>? configure = null, CancellationToken ct = default)
    {
        var builder = WebApplication.CreateBuilder(args);
        builder.AddServiceDefaults();
        configure?.Invoke(builder);
        var connectionString = await ConnectionStringResolver.ResolveAsync(builder.Configuration, Console.WriteLine, ct);
        builder.AddHcpDatabase(connectionString);
        builder.AddGenerator(connectionString);
        var app = builder.Build();
        app.MapDefaultEndpoints();
        return app;
    }

    /// <summary>Registers the generator worker's services (everything but the database and the service defaults).</summary>
    public static IHostApplicationBuilder AddGenerator(this IHostApplicationBuilder builder, string connectionString)
    {
        ArgumentNullException.ThrowIfNull(builder);
        ArgumentException.ThrowIfNullOrWhiteSpace(connectionString);
        var services = builder.Services;
        services.AddOptions<GeneratorOptions>().BindConfiguration(GeneratorOptions.SectionName).ValidateOnStart();
        services.AddSingleton<IValidateOptions<GeneratorOptions>, GeneratorOptionsValidator>();
        services.TryAddKeyedSingleton(ClockKey, TimeProvider.System);
        services.AddSingleton(new GeneratorDatabase(connectionString));
        services.AddSingleton(sp => new SimulationRunner(sp.GetRequiredService<GeneratorDatabase>(), sp.GetRequiredKeyedService<TimeProvider>(ClockKey),
            sp.GetRequiredService<IOptions<GeneratorOptions>>(), sp.GetRequiredService<ILogger<SimulationRunner>>()));

        services.AddQuartz(q =>
        {
            q.AddJob<DailyIncrementJob>(j => j.WithIdentity(DailyIncrementJob.Key).StoreDurably()
                .WithDescription("Appends the simulated days that are due (nightly catch-up or one accelerated day)."));
            // Read when the scheduler starts, after the options were validated.
            q.AddTrigger((sp, t) =>
            {
                var o = sp.GetRequiredService<IOptions<GeneratorOptions>>().Value;
                t.WithIdentity(DailyIncrementJob.NightlyTrigger).ForJob(DailyIncrementJob.Key)
                    .UsingJobData(DailyIncrementJob.ReasonKey, SimulationRunner.Name(RunReason.Nightly))
                    .WithCronSchedule(o.Cron, c => c.InTimeZone(o.ResolveTimeZone()).WithMisfireInstruction(CronTriggerMisfireInstruction.FireAndProceed))
                    .WithDescription("Nightly increment: every missing day through today.");
            });
        });
        // Shutdown waits for the job in progress, which the stopping token cancels (its day is rolled back).
        services.AddQuartzHostedService(o => o.WaitForJobsToComplete = true);

        services.AddSingleton<SimulationStateWatcher>();
        services.AddHostedService(sp => sp.GetRequiredService<SimulationStateWatcher>());
        services.AddHealthChecks().AddCheck<GeneratorHealthCheck>(GeneratorHealthCheck.Name, tags: [PostgresHealthCheck.ReadyTag]);
        return builder;
    }
}
