using HcpPlatform.Data.Hosting;
using HcpPlatform.Data.Loading;
using Microsoft.Extensions.Options;
using Npgsql;

namespace HcpPlatform.ValidationService;

/// <summary>
/// LISTENs on <see cref="Backfill.NotifyChannel"/> over a session of its own (the unpooled data source) and raises the
/// <see cref="ChangeSignal"/> for every notification. When the connection fails it reconnects with a doubling delay;
/// after every (re)connection it raises the signal once, so a change missed while not listening is still validated.
/// </summary>
public sealed class DatasetChangeListener(
    [FromKeyedServices(HcpDatabase.SessionsKey)] NpgsqlDataSource sessions,
    ChangeSignal signal,
    IOptions<ValidationServiceOptions> options,
    ILogger<DatasetChangeListener> logger) : BackgroundService
{
    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        var settings = options.Value;
        if (!settings.Listen)
        {
            return;
        }
        using var untraced = PlatformTelemetry.Untraced("validation.listen"); // (re)connecting and LISTEN: no traces
        var delay = settings.ReconnectDelay;
        while (!stoppingToken.IsCancellationRequested)
        {
            try
            {
                await using var connection = sessions.CreateConnection();
                connection.Notification += (_, e) =>
                {
                    Log.Notified(logger, e.Payload);
                    signal.Raise();
                };
                await connection.OpenAsync(stoppingToken);
                await using (var listen = new NpgsqlCommand($"LISTEN {Backfill.NotifyChannel}", connection))
                {
                    await listen.ExecuteNonQueryAsync(stoppingToken);
                }
                Log.Listening(logger, Backfill.NotifyChannel);
                delay = settings.ReconnectDelay;
                signal.Raise();
                while (true)
                {
                    await connection.WaitAsync(stoppingToken);
                }
            }
            catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
            {
                return;
            }
            catch (Exception e) when (e is NpgsqlException or IOException or TimeoutException or InvalidOperationException)
            {
                Log.ListenFailed(logger, e, delay.TotalMilliseconds, settings.PollInterval.TotalSeconds);
            }
            try
            {
                await Task.Delay(delay, stoppingToken);
            }
            catch (OperationCanceledException)
            {
                return;
            }
            delay = TimeSpan.FromTicks(Math.Min(delay.Ticks * 2, settings.MaxReconnectDelay.Ticks));
        }
    }
}
