using System.Globalization;
using HcpPlatform.Data.Loading;
using HcpPlatform.Data.Platform;
using HcpPlatform.Engine.Interventions;
using HcpPlatform.Engine.Model;
using HcpPlatform.Engine.Randomness;
using HcpPlatform.Engine.Reference;
using Microsoft.EntityFrameworkCore;
using Npgsql;

namespace HcpPlatform.Data.Interventions;

/// <summary>A touch as an external system posts it: the HCP by id or NPI, a channel of the intervention, a coming day.</summary>
public sealed record PlannedTouchInput(Guid? HcpId, string? Npi, string? Channel, DateOnly? Day, string? ContentCategory = null, string? Product = null,
    string? ExternalRef = null);

/// <summary>One posted touch: accepted (stored, with its id) or refused with the reasons, each naming the field and what is allowed.</summary>
public sealed record PlannedTouchDecision(int Index, string? ExternalRef, bool Accepted, Guid? Id, IReadOnlyList<string> Reasons);

public sealed record SubmitResult(Guid InterventionId, int Accepted, int Refused, IReadOnlyList<PlannedTouchDecision> Touches);

/// <summary>A stored planned touch and what became of it: planned (its day is not simulated yet), realized or rejected (why).</summary>
public sealed record PlannedTouchView(Guid Id, Guid HcpId, string? Npi, string Channel, DateOnly Day, string? ContentCategory, string? Product,
    string? ExternalRef, DateTime SubmittedAt, string? SubmittedBy, string Status, string? Reason, Guid? StimulusId);

/// <summary>
/// The next-best-action closed loop's input (platform.planned_touches): touches an external system plans for days not
/// simulated yet, within an intervention whose schedule is "planned". Each touch is checked on its own (the HCP exists,
/// the channel is one of the intervention's, the day is in its window and after the last simulated day, the content and
/// product are known); the valid ones are stored, the others refused with their reasons. The increments then realize or
/// reject them (hcp.planned_touch_results).
/// </summary>
public static class PlannedTouches
{
    public const string Planned = "planned";
    public const int MaxBatch = 10_000;

    /// <summary>
    /// Checks and stores a batch of touches for intervention <paramref name="interventionId"/>; null when there is no such
    /// intervention. A touch already planned (same HCP, channel and day) is refused, so a batch posted twice adds nothing.
    /// </summary>
    /// <exception cref="InterventionInputException">The batch as a whole is not acceptable (empty, too large).</exception>
    /// <exception cref="InterventionConflictException">The intervention's schedule is not "planned" (the engine places its touches), or it is stopped.</exception>
    public static Task<SubmitResult?> SubmitAsync(HcpDbContext db, Guid interventionId, IReadOnlyList<PlannedTouchInput> touches, string? submittedBy,
        CancellationToken ct)
    {
        ArgumentNullException.ThrowIfNull(db);
        return InterventionCatalog.Retried(db, () => SubmitOnceAsync(db, interventionId, touches, submittedBy, ct));
    }

    private static async Task<SubmitResult?> SubmitOnceAsync(HcpDbContext db, Guid interventionId, IReadOnlyList<PlannedTouchInput> touches, string? submittedBy,
        CancellationToken ct)
    {
        ArgumentNullException.ThrowIfNull(db);
        ArgumentNullException.ThrowIfNull(touches);
        if (touches.Count == 0 || touches.Count > MaxBatch)
        {
            throw new InterventionInputException([$"touches needs 1 to {MaxBatch:N0} touches (got {touches.Count:N0})."]);
        }
        if (submittedBy is { Length: > 100 })
        {
            throw new InterventionInputException(["submittedBy needs at most 100 characters."]);
        }
        if (submittedBy is not null && submittedBy.Any(char.IsControl))
        {
            // PostgreSQL's text cannot hold NUL (it was a 500), and a line break would split a log or table line.
            throw new InterventionInputException(["submittedBy cannot hold control characters (NUL, tab, line breaks)."]);
        }
        await using var tx = await InterventionCatalog.BeginLockedAsync(db, ct);
        var row = await db.Interventions.AsNoTracking().FirstOrDefaultAsync(i => i.Id == interventionId, ct);
        if (row is null)
        {
            return null;
        }
        if (row.Schedule != Intervention.PlannedSchedule)
        {
            // Like a stopped one below, the intervention's state (its schedule), not the request, is why: a conflict.
            throw new InterventionConflictException($"Intervention {interventionId} has schedule \"{row.Schedule}\": the engine places its touches. Planned touches need an intervention with schedule \"{Intervention.PlannedSchedule}\".");
        }
        if (row.Status == InterventionDefinition.Stopped)
        {
            // Not bad input but the intervention's state: a conflict (409 / exit 1).
            throw new InterventionConflictException($"Intervention {interventionId} is stopped; it takes no more touches.");
        }
        var connection = InterventionCatalog.Connection(db);
        var dataset = await DatasetState.ReadAsync(connection, ct, InterventionCatalog.Transaction(tx))
            ?? throw new InterventionInputException(["There is no dataset yet: touches name HCPs of the dataset. Generate one first ('hcp generate' or POST /api/admin/generation/backfill)."]);
        var config = InterventionCatalog.ConfigOf(dataset);
        var definition = Intervention.FromJson(row.Definition);

        var hcps = await HcpsAsync(connection, touches, ct);
        var planned = new HashSet<Guid>(await db.PlannedTouches.AsNoTracking().Where(p => p.InterventionId == interventionId).Select(p => p.Id).ToListAsync(ct));
        var firstDay = Max(definition.Start, dataset.SimulatedThrough.AddDays(1));
        var decisions = new List<PlannedTouchDecision>(touches.Count);
        var now = InterventionCatalog.Now();
        for (var k = 0; k < touches.Count; k++)
        {
            var t = touches[k];
            var reasons = new List<string>();
            (Guid Id, int Index)? hcp = null;
            if (t is null)
            {
                decisions.Add(new PlannedTouchDecision(k, null, false, null, ["The touch is empty."]));
                continue;
            }
            if (t.HcpId is null && string.IsNullOrWhiteSpace(t.Npi))
            {
                reasons.Add("hcpId or npi is required: the HCP to touch.");
            }
            else if (t.HcpId is { } id)
            {
                if (hcps.ById.TryGetValue(id, out var index))
                {
                    hcp = (id, index);
                }
                else
                {
                    reasons.Add($"hcpId {id} is not an HCP of the dataset.");
                }
                if (t.Npi is not null && hcp is not null && (!hcps.ByNpi.TryGetValue(t.Npi, out var byNpi) || byNpi.Id != id))
                {
                    reasons.Add($"npi {InputEcho.Of(t.Npi)} is not the NPI of hcpId {id}; give one of them.");
                }
            }
            else if (hcps.ByNpi.TryGetValue(t.Npi!, out var byNpi))
            {
                hcp = byNpi;
            }
            else
            {
                reasons.Add($"npi {InputEcho.Of(t.Npi)} is not an HCP of the dataset.");
            }
            if (t.Channel is null || !definition.Channels.Contains(t.Channel))
            {
                reasons.Add($"channel \"{InputEcho.Of(t.Channel)}\" is not a channel of the intervention; allowed: {string.Join(", ", definition.Channels)}.");
            }
            if (t.Day is not { } day)
            {
                reasons.Add("day is required (YYYY-MM-DD).");
            }
            else if (day < firstDay || day > definition.End)
            {
                reasons.Add(firstDay > definition.End
                    ? string.Create(CultureInfo.InvariantCulture, $"day {day:yyyy-MM-dd} cannot be planned: the intervention's window ends {definition.End:yyyy-MM-dd}, and the dataset is simulated through {dataset.SimulatedThrough:yyyy-MM-dd}.")
                    : string.Create(CultureInfo.InvariantCulture, $"day {day:yyyy-MM-dd} is outside the days that can be planned; allowed: {firstDay:yyyy-MM-dd} to {definition.End:yyyy-MM-dd} (in the intervention's window, after the last simulated day {dataset.SimulatedThrough:yyyy-MM-dd})."));
            }
            if (t.ContentCategory is not null && !config.ContentCategories.ContainsKey(t.ContentCategory))
            {
                reasons.Add($"contentCategory \"{InputEcho.Of(t.ContentCategory)}\" is unknown; allowed: {string.Join(", ", config.ContentCategories.Keys)} (or none: the intervention's).");
            }
            if (t.Product is not null && !Specialties.Products.Contains(t.Product))
            {
                reasons.Add($"product \"{InputEcho.Of(t.Product)}\" is unknown; allowed: {string.Join(", ", Specialties.Products)} (or none: the intervention's).");
            }
            if (t.ExternalRef is { Length: > 100 })
            {
                reasons.Add("externalRef needs at most 100 characters.");
            }
            else if (t.ExternalRef is not null && t.ExternalRef.Any(char.IsControl))
            {
                reasons.Add("externalRef cannot hold control characters (NUL, tab, line breaks).");
            }
            Guid? touchId = null;
            if (reasons.Count == 0)
            {
                touchId = TouchId(definition, hcp!.Value.Index, t.Channel!, t.Day!.Value);
                if (!planned.Add(touchId.Value))
                {
                    reasons.Add(string.Create(CultureInfo.InvariantCulture, $"a touch of this HCP on {t.Channel} on {t.Day:yyyy-MM-dd} is already planned (id {touchId})."));
                }
            }
            if (reasons.Count > 0)
            {
                // A reference too long to store is echoed cut, as any input in a message.
                decisions.Add(new PlannedTouchDecision(k, t.ExternalRef is { Length: > 100 } ? InputEcho.Of(t.ExternalRef) : t.ExternalRef, false, null, reasons));
                continue;
            }
            db.PlannedTouches.Add(new PlannedTouchRequest
            {
                Id = touchId!.Value,
                InterventionId = interventionId,
                HcpId = hcp!.Value.Id,
                Channel = t.Channel!,
                Day = t.Day!.Value,
                ContentCategory = t.ContentCategory,
                Product = t.Product,
                ExternalRef = t.ExternalRef,
                SubmittedAt = now,
                SubmittedBy = submittedBy,
            });
            decisions.Add(new PlannedTouchDecision(k, t.ExternalRef, true, touchId, []));
        }
        await db.SaveChangesAsync(ct);
        await tx.CommitAsync(ct);
        db.ChangeTracker.Clear();
        var accepted = decisions.Count(d => d.Accepted);
        return new SubmitResult(interventionId, accepted, decisions.Count - accepted, decisions);
    }

    /// <summary>
    /// The planned touches of one intervention with what became of them, by day then id (at most <paramref name="limit"/>);
    /// <paramref name="status"/> planned | realized | rejected filters.
    /// </summary>
    public static async Task<IReadOnlyList<PlannedTouchView>> ListAsync(HcpDbContext db, Guid interventionId, string? status, int limit, CancellationToken ct)
    {
        ArgumentNullException.ThrowIfNull(db);
        await db.Database.OpenConnectionAsync(ct);
        try
        {
            await using var cmd = new NpgsqlCommand("""
                SELECT t.id, t.hcp_id, p.npi, t.channel, t.day, t.content_category, t.product, t.external_ref, t.submitted_at, t.submitted_by,
                       coalesce(r.status, 'planned'), r.reason, r.stimulus_id
                FROM platform.planned_touches t
                LEFT JOIN hcp.planned_touch_results r ON r.planned_touch_id = t.id
                LEFT JOIN hcp.hcp_profiles p ON p.id = t.hcp_id
                WHERE t.intervention_id = @id AND (@status::text IS NULL OR coalesce(r.status, 'planned') = @status::text)
                ORDER BY t.day, t.id
                LIMIT @limit
                """, InterventionCatalog.Connection(db));
            cmd.Parameters.AddWithValue("id", interventionId);
            cmd.Parameters.AddWithValue("status", NpgsqlTypes.NpgsqlDbType.Text, (object?)status ?? DBNull.Value);
            cmd.Parameters.AddWithValue("limit", limit);
            var result = new List<PlannedTouchView>();
            await using var reader = await cmd.ExecuteReaderAsync(ct);
            while (await reader.ReadAsync(ct))
            {
                result.Add(new PlannedTouchView(reader.GetGuid(0), reader.GetGuid(1), reader.IsDBNull(2) ? null : reader.GetString(2), reader.GetString(3),
                    reader.GetFieldValue<DateOnly>(4), reader.IsDBNull(5) ? null : reader.GetString(5), reader.IsDBNull(6) ? null : reader.GetString(6),
                    reader.IsDBNull(7) ? null : reader.GetString(7), reader.GetDateTime(8), reader.IsDBNull(9) ? null : reader.GetString(9),
                    reader.GetString(10), reader.IsDBNull(11) ? null : reader.GetString(11), reader.IsDBNull(12) ? null : reader.GetGuid(12)));
            }
            return result;
        }
        finally
        {
            await db.Database.CloseConnectionAsync();
        }
    }

    /// <summary>planned | realized | rejected.</summary>
    public static readonly IReadOnlyList<string> Statuses = [Planned, PlannedTouchResult.Realized, PlannedTouchResult.Rejected];

    /// <summary>
    /// A planned touch's id: a function of the intervention, the HCP, the channel and the day, so the same touch posted
    /// twice is recognised (and its id is the same in every run).
    /// </summary>
    public static Guid TouchId(Intervention intervention, int hcpIndex, string channel, DateOnly day)
    {
        ArgumentNullException.ThrowIfNull(intervention);
        var channelIndex = Intervention.AllowedChannels.ToList().IndexOf(channel);
        return DeterministicId.Create(intervention.StreamKey, StreamKind.Intervention, hcpIndex, day.DayNumber, 1_000 + channelIndex);
    }

    private sealed record Hcps(Dictionary<Guid, int> ById, Dictionary<string, (Guid Id, int Index)> ByNpi);

    /// <summary>The HCPs the batch names, by id and by NPI, with their index.</summary>
    private static async Task<Hcps> HcpsAsync(NpgsqlConnection connection, IReadOnlyList<PlannedTouchInput> touches, CancellationToken ct)
    {
        var ids = touches.Where(t => t?.HcpId is not null).Select(t => t.HcpId!.Value).Distinct().ToArray();
        var npis = touches.Where(t => t?.Npi is not null).Select(t => t.Npi!).Distinct(StringComparer.Ordinal).ToArray();
        var result = new Hcps(new Dictionary<Guid, int>(), new Dictionary<string, (Guid, int)>(StringComparer.Ordinal));
        await using var cmd = new NpgsqlCommand("SELECT id, npi, hcp_index FROM hcp.hcp_profiles WHERE id = ANY(@ids) OR npi = ANY(@npis)", connection);
        cmd.Parameters.AddWithValue("ids", ids);
        cmd.Parameters.AddWithValue("npis", npis);
        await using var reader = await cmd.ExecuteReaderAsync(ct);
        while (await reader.ReadAsync(ct))
        {
            var id = reader.GetGuid(0);
            var index = reader.GetInt32(2);
            result.ById[id] = index;
            result.ByNpi[reader.GetString(1)] = (id, index);
        }
        return result;
    }

    private static DateOnly Max(DateOnly a, DateOnly b) => a > b ? a : b;
}
