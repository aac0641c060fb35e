using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using Quartz;

namespace HcpPlatform.Generator;

/// <summary>
/// The Quartz job behind every trigger of the worker — the nightly cron trigger, the accelerated-play interval
/// trigger and one-off catch-up triggers — a thin adapter over <see cref="SimulationRunner.RunAsync"/>.
/// Never two at once in this process ([DisallowConcurrentExecution]); across processes the runner's locks decide.
/// Host shutdown cancels the run: the day in progress is rolled back (one transaction) and generated again after restart.
/// </summary>
[DisallowConcurrentExecution]
public sealed class DailyIncrementJob(SimulationRunner runner, IHostApplicationLifetime lifetime, IOptions<GeneratorOptions> options, ILogger<DailyIncrementJob> logger) : IJob
{
    public static readonly JobKey Key = new("daily-increment", "hcp-generator");
    public static readonly TriggerKey NightlyTrigger = new("nightly", "hcp-generator");
    public static readonly TriggerKey AcceleratedTrigger = new("accelerated", "hcp-generator");
    public static readonly TriggerKey RetryTrigger = new("retry", "hcp-generator");

    /// <summary>Job data key naming the <see cref="RunReason"/> (nightly | catch_up | accelerated).</summary>
    public const string ReasonKey = "reason";

    public async ValueTask Execute(IJobExecutionContext context, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(context);
        var reason = ParseReason(context.MergedJobDataMap.GetString(ReasonKey));
        using var stopping = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken, lifetime.ApplicationStopping);
        RunReport report;
        try
        {
            report = await runner.RunAsync(reason, stopping.Token);
        }
        catch (OperationCanceledException) when (stopping.IsCancellationRequested)
        {
            return; // shutting down: nothing half-written, the day is redone after restart
        }
        context.Result = report.Outcome.ToString();
        if (report.ShouldRetry && reason != RunReason.Accelerated && !stopping.IsCancellationRequested)
        {
            // The interval trigger retries accelerated play by itself; a nightly catch-up retries once, later.
            var at = DateTimeOffset.UtcNow.Add(options.Value.RetryDelay);
            var retry = TriggerBuilder.Create().WithIdentity(RetryTrigger).ForJob(Key)
                .UsingJobData(ReasonKey, SimulationRunner.Name(RunReason.CatchUp)).StartAt(at).Build();
            if (await context.Scheduler.Exists(RetryTrigger, cancellationToken))
            {
                await context.Scheduler.RescheduleJob(RetryTrigger, retry, cancellationToken);
            }
            else
            {
                await context.Scheduler.ScheduleJob(retry, cancellationToken: cancellationToken);
            }
            GeneratorLog.RetryScheduled(logger, at, report.Outcome);
        }
    }

    public static RunReason ParseReason(string? value) => value switch
    {
        "accelerated" => RunReason.Accelerated,
        "catch_up" => RunReason.CatchUp,
        _ => RunReason.Nightly,
    };
}
