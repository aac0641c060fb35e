using Microsoft.Extensions.Logging;
using Npgsql;
using Polly;
using Polly.Retry;

namespace HcpPlatform.Data.Hosting;

/// <summary>Settings of <see cref="TransientRetry"/>.</summary>
public sealed class TransientRetryOptions
{
    /// <summary>Retries after the first attempt (so at most 1 + this many calls). Default 5.</summary>
    public int MaxRetryAttempts { get; set; } = 5;

    /// <summary>Base of the exponential backoff (jittered). Default 200 ms.</summary>
    public TimeSpan BaseDelay { get; set; } = TimeSpan.FromMilliseconds(200);

    /// <summary>Upper bound of a single delay. Default 10 s.</summary>
    public TimeSpan MaxDelay { get; set; } = TimeSpan.FromSeconds(10);
}

/// <summary>
/// A Polly 8 retry pipeline for transient PostgreSQL failures around raw Npgsql work (migrations, connecting,
/// LISTEN). EF Core work already retries through <c>EnableRetryOnFailure</c>; do not nest the two.
/// </summary>
public static class TransientRetry
{
    /// <summary>Builds the pipeline: exponential backoff with jitter, bounded attempts, one log line per retry.</summary>
    public static ResiliencePipeline Create(TransientRetryOptions? options = null, ILogger? logger = null)
    {
        options ??= new TransientRetryOptions();
        return new ResiliencePipelineBuilder()
            .AddRetry(new RetryStrategyOptions
            {
                ShouldHandle = new PredicateBuilder().Handle<Exception>(IsTransient),
                MaxRetryAttempts = options.MaxRetryAttempts,
                BackoffType = DelayBackoffType.Exponential,
                UseJitter = true,
                Delay = options.BaseDelay,
                MaxDelay = options.MaxDelay,
                OnRetry = args =>
                {
                    if (logger is not null)
                    {
                        DataLog.TransientRetry(logger, args.Outcome.Exception, args.AttemptNumber + 1, options.MaxRetryAttempts, args.RetryDelay.TotalMilliseconds);
                    }
                    return default;
                },
            })
            .Build();
    }

    /// <summary>
    /// True for failures worth retrying: connection problems (SQLSTATE class 08), insufficient resources (53),
    /// admin/crash shutdown and "cannot connect now" (57P01-57P03), serialization failure (40001),
    /// deadlock (40P01), Npgsql's own transient I/O failures and timeouts.
    /// </summary>
    public static bool IsTransient(Exception exception) => exception switch
    {
        PostgresException pg => IsTransientSqlState(pg.SqlState),
        NpgsqlException npgsql => npgsql.IsTransient,
        TimeoutException => true,
        _ => false,
    };

    /// <summary>True for the SQLSTATE codes <see cref="IsTransient"/> retries.</summary>
    public static bool IsTransientSqlState(string? sqlState) => sqlState is not null
        && (sqlState.StartsWith("08", StringComparison.Ordinal)
            || sqlState.StartsWith("53", StringComparison.Ordinal)
            || sqlState is "57P01" or "57P02" or "57P03" or "40001" or "40P01");
}
