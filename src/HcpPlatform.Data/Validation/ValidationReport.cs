namespace HcpPlatform.Data.Validation;

/// <summary>Which families of checks to run.</summary>
[Flags]
public enum ValidationScope
{
    Integrity = 1,
    Structure = 2,
    Volumes = 4,
    Fidelity = 8,
    Performance = 16,
    /// <summary>The integrity checks that stored aggregates equal their recomputation (channel_engagements_match, participation_counts_match).</summary>
    StoredAggregates = 32,
    /// <summary>
    /// What must be exactly right before a regenerated dataset replaces the live one. The stored-aggregate checks are
    /// left out: the loader has just computed those columns with the very queries the checks would compare them
    /// with; they run, with the statistical checks, in every validation after the swap.
    /// </summary>
    SwapGate = Integrity | Structure,
    /// <summary>Every check but the timed queries (whose thresholds mean little on a busy machine).</summary>
    AllButPerformance = Integrity | StoredAggregates | Structure | Volumes | Fidelity,
    All = AllButPerformance | Performance,
}

/// <summary>One check: pass/fail, what was measured against what threshold, and a few offending rows.</summary>
public sealed record CheckResult(
    string Name,
    string Category,
    bool Passed,
    double? Measured,
    string Threshold,
    string Description,
    IReadOnlyList<string> Examples);

public sealed record ValidationReport(IReadOnlyList<CheckResult> Checks, long DurationMs)
{
    public bool Passed => Checks.All(c => c.Passed);
    public int Failed => Checks.Count(c => !c.Passed);

    /// <summary>When the validation started (UTC); default when the report was built by hand.</summary>
    public DateTimeOffset StartedAt { get; init; }

    /// <summary>The check of that name, or null.</summary>
    public CheckResult? this[string name] => Checks.FirstOrDefault(c => c.Name == name);
}
