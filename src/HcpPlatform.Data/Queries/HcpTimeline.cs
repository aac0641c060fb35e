using System.Globalization;
using Npgsql;

namespace HcpPlatform.Data.Queries;

public sealed record TimelineEvent(DateTime At, string Kind, string What, string Detail);

/// <summary>One HCP's profile and everything that happened to them, in time order (the seeds/000 spot check).</summary>
public sealed record HcpTimeline(IReadOnlyDictionary<string, object?> Profile, string Territory, IReadOnlyList<TimelineEvent> Events)
{
    public static async Task<HcpTimeline?> ReadAsync(NpgsqlConnection connection, string npi, CancellationToken ct)
    {
        var profile = new Dictionary<string, object?>(StringComparer.Ordinal);
        Guid id;
        await using (var cmd = new NpgsqlCommand("SELECT * FROM hcp.hcp_profiles WHERE npi = @npi", connection))
        {
            cmd.Parameters.AddWithValue("npi", npi);
            await using var reader = await cmd.ExecuteReaderAsync(ct);
            if (!await reader.ReadAsync(ct))
            {
                return null;
            }
            for (var i = 0; i < reader.FieldCount; i++)
            {
                var value = reader.IsDBNull(i) ? null : reader.GetValue(i);
                profile[reader.GetName(i)] = reader.GetDataTypeName(i) == "jsonb" && value is string s ? System.Text.Json.JsonDocument.Parse(s).RootElement.Clone() : value;
            }
            id = (Guid)profile["id"]!;
        }

        var territory = "";
        await using (var cmd = new NpgsqlCommand("""
            SELECT string_agg(rep_name || ' (' || rep_id || ', ' || territory || CASE WHEN is_primary THEN ', primary' ELSE ', overlay' END || ')', '; ' ORDER BY is_primary DESC)
            FROM hcp.territory_assignments WHERE hcp_id = @id
            """, connection))
        {
            cmd.Parameters.AddWithValue("id", id);
            territory = await cmd.ExecuteScalarAsync(ct) as string ?? "";
        }

        var events = new List<TimelineEvent>();
        const string sql = """
            SELECT s.event_date, 'touch', s.channel || ' / ' || s.stimulus_type,
                   concat_ws(', ', s.content_category, s.delivery_status, 'campaign ' || c.name, 'rep ' || s.rep_id, s.metadata::text)
            FROM hcp.stimuli_events s LEFT JOIN hcp.campaigns c ON c.id = s.campaign_id
            WHERE s.hcp_id = @id
            UNION ALL
            SELECT o.event_date, 'response', o.outcome_type,
                   concat_ws(', ', 'to ' || s.stimulus_type || ' of ' || to_char(s.event_date AT TIME ZONE 'UTC', 'YYYY-MM-DD HH24:MI'),
                             'value ' || o.outcome_value, 'confidence ' || o.attribution_confidence, o.metadata::text)
            FROM hcp.outcome_events o JOIN hcp.stimuli_events s ON s.id = o.stimulus_id
            WHERE o.hcp_id = @id
            UNION ALL
            SELECT r.month, 'rx', 'prescribing', concat_ws(', ', r.rx_count || ' Rx', 'share ' || r.market_share, r.product_mix::text)
            FROM hcp.prescribing_history r WHERE r.hcp_id = @id
            ORDER BY 1, 2
            """;
        await using (var cmd = new NpgsqlCommand(sql, connection))
        {
            cmd.Parameters.AddWithValue("id", id);
            await using var reader = await cmd.ExecuteReaderAsync(ct);
            while (await reader.ReadAsync(ct))
            {
                events.Add(new TimelineEvent(reader.GetDateTime(0), reader.GetString(1), reader.GetString(2), reader.IsDBNull(3) ? "" : reader.GetString(3)));
            }
        }
        profile["id"] = id.ToString("D", CultureInfo.InvariantCulture);
        return new HcpTimeline(profile, territory, events);
    }
}
