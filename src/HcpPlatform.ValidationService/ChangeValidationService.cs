using HcpPlatform.Data.Hosting;
using Microsoft.Extensions.Options;

namespace HcpPlatform.ValidationService;

/// <summary>
/// Validates the dataset after each backfill and increment: consumes the <see cref="ChangeSignal"/> (raised by
/// <see cref="DatasetChangeListener"/>) and raises it itself every <see cref="ValidationServiceOptions.PollInterval"/>,
/// the polling fallback; each signal validates the newest generation run unless it already has its validation.
/// </summary>
public sealed class ChangeValidationService(
    ValidationRunner runner,
    ChangeSignal signal,
    IOptions<ValidationServiceOptions> options,
    ILogger<ChangeValidationService> logger) : BackgroundService
{
    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        // Looking for an unvalidated change is polling: untraced. A validation it starts is a trace of its own.
        using var untraced = PlatformTelemetry.Untraced("validation.watch");
        var poll = PollAsync(options.Value.PollInterval, stoppingToken);
        signal.Raise(); // whatever happened while the service was down
        try
        {
            await foreach (var _ in signal.ReadAllAsync(stoppingToken))
            {
                try
                {
                    await runner.ValidateLatestChangeAsync(stoppingToken);
                }
                catch (Exception e) when (e is not OperationCanceledException || !stoppingToken.IsCancellationRequested)
                {
                    Log.ChangeValidationFailed(logger, e);
                }
            }
        }
        catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
        {
            // Shutting down.
        }
        await poll;
    }

    private async Task PollAsync(TimeSpan interval, CancellationToken ct)
    {
        if (interval <= TimeSpan.Zero)
        {
            return;
        }
        using var timer = new PeriodicTimer(interval);
        try
        {
            while (await timer.WaitForNextTickAsync(ct))
            {
                signal.Raise();
            }
        }
        catch (OperationCanceledException)
        {
            // Shutting down.
        }
    }
}
