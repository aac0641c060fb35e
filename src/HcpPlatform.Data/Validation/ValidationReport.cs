namespace HcpPlatform.Data.Validation;

/// <summary>Which families of checks to run. The loader runs everything but performance before a swap.</summary>
[Flags]
public enum ValidationScope
{
    Integrity = 1,
    Structure = 2,
    Volumes = 4,
    Fidelity = 8,
    Performance = 16,
    BeforeSwap = Integrity | Structure | Volumes | Fidelity,
    /// <summary>What must be exactly right before a regenerated dataset replaces the live one.</summary>
    SwapGate = Integrity | Structure,
    All = BeforeSwap | Performance,
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
