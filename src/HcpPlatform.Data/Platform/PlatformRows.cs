namespace HcpPlatform.Data.Platform;

// Tables of schema "platform": what the platform records about itself. They survive dataset swaps.

/// <summary>One backfill, increment, erasure or validation run: lineage of the dataset.</summary>
public sealed class GenerationRun
{
    public Guid Id { get; set; }
    /// <summary>backfill | increment | erasure</summary>
    public string Kind { get; set; } = "";
    /// <summary>running | succeeded | failed | cancelled</summary>
    public string Status { get; set; } = "";
    public string Parameters { get; set; } = "{}";
    public DateOnly? AsOf { get; set; }
    public string EngineVersion { get; set; } = "";
    public DateTime StartedAt { get; set; }
    public DateTime? FinishedAt { get; set; }
    public long? DurationMs { get; set; }
    public string? Counts { get; set; }
    public string? Checksums { get; set; }
    public string? StageDurations { get; set; }
    public string? Verdict { get; set; }
    public string? Error { get; set; }
}

/// <summary>Desired state of continuous generation, written by the admin API and read by the generator.</summary>
public sealed class SimulationState
{
    public int Id { get; set; }
    /// <summary>running | paused | stopped</summary>
    public string DesiredMode { get; set; } = "stopped";
    /// <summary>Accelerated play: seconds of wall time per simulated day; null means nightly schedule.</summary>
    public double? SecondsPerSimulatedDay { get; set; }
    public string Scenario { get; set; } = "development";
    public string Config { get; set; } = "{}";
    public DateTime UpdatedAt { get; set; }

    // Observed state, written by the generator worker only (migration V002).

    /// <summary>Mode the worker has applied: running | pausing | paused | stopping | stopped (pausing/stopping: finishing the day in progress).</summary>
    public string? ObservedMode { get; set; }
    /// <summary>Speed the worker applies; null means nightly schedule.</summary>
    public double? ObservedSecondsPerSimulatedDay { get; set; }
    /// <summary>The worker that wrote the last heartbeat (host/pid).</summary>
    public string? WorkerId { get; set; }
    /// <summary>Last heartbeat of a worker (about every second while one runs).</summary>
    public DateTime? HeartbeatAt { get; set; }
    /// <summary>The dataset's watermark (last simulated day) as the worker last saw it.</summary>
    public DateOnly? CurrentSimulatedDay { get; set; }
    public DateOnly? LastIncrementDay { get; set; }
    public DateTime? LastIncrementAt { get; set; }
    public long? LastIncrementRows { get; set; }
    public double? LastIncrementSeconds { get; set; }
    /// <summary>The last failure, cleared by the next successful increment.</summary>
    public string? LastError { get; set; }
    public DateTime? LastErrorAt { get; set; }
}

public sealed class ValidationResult
{
    public Guid Id { get; set; }
    public Guid? GenerationRunId { get; set; }
    public string Trigger { get; set; } = "";
    public DateTime StartedAt { get; set; }
    public long DurationMs { get; set; }
    public bool Passed { get; set; }
    public int ChecksTotal { get; set; }
    public int ChecksFailed { get; set; }
    public string Checks { get; set; } = "[]";
}

public sealed class ApiKey
{
    public Guid Id { get; set; }
    public string Name { get; set; } = "";
    /// <summary>First characters of the key, shown to identify it; the key itself is never stored.</summary>
    public string KeyPrefix { get; set; } = "";
    /// <summary>SHA-256 of the whole key, hex.</summary>
    public string KeyHash { get; set; } = "";
    /// <summary>read | admin</summary>
    public string Scope { get; set; } = "read";
    public DateTime CreatedAt { get; set; }
    public DateTime? ExpiresAt { get; set; }
    public DateTime? RevokedAt { get; set; }
    public DateTime? LastUsedAt { get; set; }
}

public sealed class PrivacyRequest
{
    public Guid Id { get; set; }
    /// <summary>access | deletion</summary>
    public string RequestType { get; set; } = "";
    public string Npi { get; set; } = "";
    public Guid? HcpId { get; set; }
    public string Regulation { get; set; } = "ccpa";
    /// <summary>pending | completed | denied</summary>
    public string Status { get; set; } = "";
    public DateTime RequestedAt { get; set; }
    public DateTime? CompletedAt { get; set; }
    public string? Details { get; set; }
}

/// <summary>
/// An intervention as defined by a user (V006): the validated definition (Engine.Interventions.Intervention as JSON),
/// with its name, type, schedule and dates as columns. The dataset applies it going forward (like scenario events).
/// </summary>
public sealed class InterventionDefinition
{
    public const string Active = "active";
    public const string Stopped = "stopped";

    public Guid Id { get; set; }
    public string Name { get; set; } = "";
    /// <summary>test | policy | campaign | trigger</summary>
    public string Type { get; set; } = "";
    /// <summary>rule | planned</summary>
    public string Schedule { get; set; } = "";
    /// <summary>active | stopped (stopping ends it after the last simulated day).</summary>
    public string Status { get; set; } = Active;
    /// <summary>The whole definition as JSON (camelCase).</summary>
    public string Definition { get; set; } = "{}";
    public DateOnly StartDate { get; set; }
    public DateOnly EndDate { get; set; }
    public DateTime CreatedAt { get; set; }
    public string? CreatedBy { get; set; }
    public DateTime? StoppedAt { get; set; }
}

/// <summary>A touch an external system plans for a coming day within a "planned" intervention (V006).</summary>
public sealed class PlannedTouchRequest
{
    public Guid Id { get; set; }
    public Guid InterventionId { get; set; }
    public Guid HcpId { get; set; }
    public string Channel { get; set; } = "";
    public DateOnly Day { get; set; }
    public string? ContentCategory { get; set; }
    public string? Product { get; set; }
    /// <summary>The external system's own id for the touch, echoed back.</summary>
    public string? ExternalRef { get; set; }
    public DateTime SubmittedAt { get; set; }
    public string? SubmittedBy { get; set; }
}
