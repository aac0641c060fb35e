using HcpPlatform.Data.Hosting;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Options;
using OpenTelemetry.Metrics;
using OpenTelemetry.Trace;
using Quartz;

namespace HcpPlatform.Generator.Extensions;

public static class Extensions
{
    /// <summary>
    /// The generator worker's services: the database (its sessions named for the worker in pg_stat_activity), the
    /// validated options, the clock of the nightly schedule, <see cref="SimulationRunner"/>, Quartz with the nightly
    /// trigger, the state watcher, the health check and the worker's telemetry.
    /// </summary>
    public static IHostApplicationBuilder AddApplicationServices(this IHostApplicationBuilder builder)
    {
        ArgumentNullException.ThrowIfNull(builder);
        var services = builder.Services;

        var workerId = (builder.Configuration.GetSection(GeneratorOptions.SectionName).Get<GeneratorOptions>() ?? new GeneratorOptions()).EffectiveWorkerId;
        builder.AddHcpDatabase(dataSource =>
        {
            if (string.IsNullOrEmpty(dataSource.ConnectionStringBuilder.ApplicationName))
            {
                dataSource.ConnectionStringBuilder.ApplicationName = SimulationRunner.ApplicationNameFor(workerId);
            }
        });

        services.AddOptions<GeneratorOptions>().BindConfiguration(GeneratorOptions.SectionName).ValidateOnStart();
        services.AddSingleton<IValidateOptions<GeneratorOptions>, GeneratorOptionsValidator>();
        services.TryAddKeyedSingleton(SimulationRunner.ClockKey, TimeProvider.System);
        services.AddSingleton<SimulationRunner>();

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
        services.AddHealthChecks().AddCheck<GeneratorHealthCheck>(GeneratorHealthCheck.Name);

        // Quartz is a meter here, not a traced source: Quartz 4 starts every firing and every job-store call
        // (AcquireNextTriggers, TriggersFired, ...) as a trace root by design, hundreds of traces an hour that name no
        // work; the increment a firing appends is a trace of its own ("hcp.increment YYYY-MM-DD").
        services.AddOpenTelemetry()
            .WithTracing(tracing => tracing.AddSource(GeneratorTelemetry.Name))
            .WithMetrics(metrics => metrics.AddMeter(GeneratorTelemetry.Name, "Quartz"));
        return builder;
    }
}
