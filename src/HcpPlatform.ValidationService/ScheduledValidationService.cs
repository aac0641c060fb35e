using HcpPlatform.Data.Validation;
using Microsoft.Extensions.Options;

namespace HcpPlatform.ValidationService;

/// <summary>Validates the dataset every <see cref="ValidationServiceOptions.ScheduleInterval"/> (trigger "schedule").</summary>
public sealed class ScheduledValidationService(
    ValidationRunner runner,
    IOptions<ValidationServiceOptions> options,
    ILogger<ScheduledValidationService> logger) : BackgroundService
{
    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        var interval = options.Value.ScheduleInterval;
        if (interval <= TimeSpan.Zero)
        {
            return;
        }
        Log.Scheduled(logger, interval);
        using var timer = new PeriodicTimer(interval);
        try
        {
            while (await timer.WaitForNextTickAsync(stoppingToken))
            {
                try
                {
                    await runner.RunAsync(DatasetValidation.ScheduleTrigger, stoppingToken);
                }
                catch (Exception e) when (e is not OperationCanceledException || !stoppingToken.IsCancellationRequested)
                {
                    Log.ScheduledValidationFailed(logger, e, interval);
                }
            }
        }
        catch (OperationCanceledException)
        {
            // Shutting down.
        }
    }
}
