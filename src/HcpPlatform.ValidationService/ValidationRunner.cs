using HcpPlatform.Data.Validation;
using Microsoft.Extensions.Options;
using Npgsql;

namespace HcpPlatform.ValidationService;

/// <summary>
/// Runs the service's validations one at a time with the data layer's "validate and store" (<see cref="DatasetValidation"/>:
/// one snapshot for every check and the generation run recorded), and records their metrics and log lines.
/// </summary>
public sealed class ValidationRunner(NpgsqlDataSource dataSource, IOptions<ValidationServiceOptions> options, ILogger<ValidationRunner> logger) : IDisposable
{
    private readonly SemaphoreSlim _gate = new(1, 1);

    /// <summary>Validates the dataset now (on demand or scheduled) and stores the result under <paramref name="trigger"/>.</summary>
    public async Task<StoredValidation> RunAsync(string trigger, CancellationToken ct)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(trigger);
        await _gate.WaitAsync(ct);
        try
        {
            return Record((await DatasetValidation.ValidateAndStoreAsync(dataSource, options.Value.Scope, trigger, ct)).Stored);
        }
        finally
        {
            _gate.Release();
        }
    }

    /// <summary>
    /// Validates the dataset when the newest succeeded backfill or increment has no validation of its own yet; null when
    /// there was nothing to do (see <see cref="DatasetValidation.ValidateLatestChangeAsync"/>).
    /// </summary>
    public async Task<StoredValidation?> ValidateLatestChangeAsync(CancellationToken ct)
    {
        await _gate.WaitAsync(ct);
        try
        {
            return await DatasetValidation.ValidateLatestChangeAsync(dataSource, options.Value.Scope, ct) is { } outcome ? Record(outcome.Stored) : null;
        }
        finally
        {
            _gate.Release();
        }
    }

    private StoredValidation Record(StoredValidation stored)
    {
        var trigger = new KeyValuePair<string, object?>("hcp.trigger", stored.Trigger);
        var verdict = stored.Passed ? "passed" : "failed";
        ValidationMetrics.Runs.Add(1, trigger, new KeyValuePair<string, object?>("hcp.verdict", verdict));
        ValidationMetrics.ChecksPassed.Add(stored.ChecksTotal - stored.ChecksFailed, trigger);
        ValidationMetrics.ChecksFailed.Add(stored.ChecksFailed, trigger);
        ValidationMetrics.Duration.Record(stored.DurationMs / 1000.0, trigger);

        Log.Validated(logger, stored.Id, stored.Trigger, stored.GenerationRunId, verdict, stored.ChecksFailed, stored.ChecksTotal, stored.DurationMs);
        foreach (var check in stored.Checks.Where(c => !c.Passed))
        {
            Log.CheckFailed(logger, stored.Id, check.Name, check.Category, check.Measured, check.Threshold, check.Examples.Count > 0 ? check.Examples[0] : null);
        }
        return stored;
    }

    public void Dispose() => _gate.Dispose();
}
