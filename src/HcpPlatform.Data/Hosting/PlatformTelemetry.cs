using System.Diagnostics;
using System.Diagnostics.Metrics;

namespace HcpPlatform.Data.Hosting;

/// <summary>
/// The platform's own ActivitySource and Meter, shared by the data layer and every host.
/// ServiceDefaults subscribes to the name <see cref="Name"/> (and "HcpPlatform.*") as a plain string,
/// so it never references this assembly.
/// </summary>
/// <remarks>
/// Traces a person can read: each unit of work — a backfill, a daily increment, a validation — is one trace whose root
/// span names it (<see cref="StartWork"/>), and bookkeeping that runs all the time (polling the desired state, listening
/// for changes, flushing key use) runs under <see cref="Untraced"/>, so the spans the libraries start beneath it
/// (Npgsql's commands above all) are not recorded and make no root traces.
/// </remarks>
public static class PlatformTelemetry
{
    /// <summary>ActivitySource and Meter name.</summary>
    public const string Name = "HcpPlatform";

    /// <summary>Spans for platform work (generation stages, validation, COPY batches...).</summary>
    public static readonly ActivitySource Source = new(Name);

    /// <summary>Counters and histograms for platform work.</summary>
    public static readonly Meter Meter = new(Name);

    /// <summary>
    /// Starts the root span of a unit of work, named for it (e.g. "hcp.increment 2026-11-14"): a trace of its own whatever
    /// the caller's activity is (an HTTP request, a polling loop), linked to that activity when it is recorded. Call it
    /// from the async method that does the work: the detached context stays inside that method.
    /// </summary>
    public static Activity? StartWork(string name, IEnumerable<KeyValuePair<string, object?>>? tags = null)
    {
        var caller = Activity.Current;
        Activity.Current = null;
        IEnumerable<ActivityLink>? links = caller is { Recorded: true } ? [new ActivityLink(caller.Context)] : null;
        return Source.StartActivity(ActivityKind.Internal, parentContext: default, tags, links, name: name);
    }

    /// <summary>
    /// Makes the calling flow untraced until the returned activity is disposed: an activity that no listener sees and that
    /// is not sampled, so that, with parent-based sampling (OpenTelemetry's default), nothing started beneath it is
    /// recorded. For polling and other bookkeeping; <see cref="StartWork"/> beneath it still starts a recorded trace.
    /// </summary>
    public static Activity Untraced(string name)
    {
        var activity = new Activity(name);
        activity.SetIdFormat(ActivityIdFormat.W3C);
        activity.Start();
        activity.ActivityTraceFlags = ActivityTraceFlags.None; // after Start, which copies a parent's flags
        activity.IsAllDataRequested = false;
        return activity;
    }
}
