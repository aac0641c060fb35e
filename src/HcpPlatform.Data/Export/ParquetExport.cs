using System.Data.Common;
using HcpPlatform.Data.Loading;
using HcpPlatform.Engine.Model;
using HcpPlatform.Parquet;
using Npgsql;

namespace HcpPlatform.Data.Export;

/// <summary>
/// The dataset in PostgreSQL as Parquet (the layout of <see cref="ParquetTables"/>), read in one snapshot: jsonb columns as
/// PostgreSQL's text of them, rows in a fixed order (event tables by date, then id; the others by a unique key), so the same
/// dataset gives byte-identical files. Written into <paramref name="directory"/>, which should be empty.
/// </summary>
public static class ParquetExport
{
    public static async Task<ParquetOutput?> WriteAsync(NpgsqlDataSource dataSource, string directory, UuidType uuids, IProgress<ParquetProgress>? progress, CancellationToken ct)
    {
        ArgumentNullException.ThrowIfNull(dataSource);
        var clock = System.Diagnostics.Stopwatch.StartNew();
        await using var connection = await dataSource.OpenConnectionAsync(ct);
        // One snapshot for every table, so the files agree even while increments run.
        await using var tx = await connection.BeginTransactionAsync(System.Data.IsolationLevel.RepeatableRead, ct);
        var state = await DatasetState.ReadAsync(connection, ct, tx);
        if (state is null)
        {
            return null;
        }
        using var output = new ParquetDatasetWriter(directory, ShardNumber.Whole, uuids, progress);

        async Task Copy<T>(ParquetTable<T> table, string order, Func<DbDataReader, T> read, Func<string, string>? column = null)
        {
            var writer = output.Table(table);
            var columns = string.Join(", ", table.Columns.Select(c => column?.Invoke(c.Name) ?? c.Name));
            await using var cmd = new NpgsqlCommand($"SELECT {columns} FROM hcp.{table.Name} ORDER BY {order}", connection, tx) { CommandTimeout = 0 };
            await using var reader = await cmd.ExecuteReaderAsync(System.Data.CommandBehavior.SequentialAccess, ct);
            while (await reader.ReadAsync(ct))
            {
                writer.Add(read(reader));
            }
            writer.Complete();
        }

        // jsonb as PostgreSQL's text of the value.
        Func<string, string> Json(params string[] jsonColumns) => c => jsonColumns.Contains(c) ? $"{c}::text" : c;

        await Copy(ParquetTables.Info, "id", r => new DatasetInfo
        {
            Id = r.GetGuid(0), Seed = r.GetInt64(1), HcpCount = r.GetInt32(2), Months = r.GetInt32(3), Scenario = r.GetString(4),
            WindowStart = r.GetFieldValue<DateOnly>(5), SimulatedThrough = r.GetFieldValue<DateOnly>(6), EngineVersion = r.GetString(7),
            Parameters = r.GetString(8),
        }, Json("parameters"));
        await Copy(ParquetTables.Campaigns, "start_date, id", r => new Campaign
        {
            Id = r.GetGuid(0), Name = r.GetString(1), Description = Text(r, 2), CampaignType = r.GetString(3), Channels = r.GetString(4),
            TargetSegments = Text(r, 5), StartDate = r.GetDateTime(6), EndDate = r.GetDateTime(7), Budget = Double(r, 8), Status = r.GetString(9),
        }, Json("channels", "target_segments"));
        await Copy(ParquetTables.Capacity, "id", r => new ChannelCapacity
        {
            Id = r.GetGuid(0), Channel = r.GetString(1), CapacityType = r.GetString(2), LimitValue = r.GetInt32(3), Period = r.GetString(4),
            EffectiveDate = r.GetDateTime(5),
        });
        await Copy(ParquetTables.GroundTruth, "id", r => new GroundTruthParameter
        {
            Id = r.GetGuid(0), Parameter = r.GetString(1), Channel = Text(r, 2), Tier = Text(r, 3), Segment = Text(r, 4), OutcomeType = Text(r, 5),
            Period = Text(r, 6), Value = r.GetDouble(7), Details = Text(r, 8),
        }, Json("details"));
        await Copy(ParquetTables.Profiles, "hcp_index", r => new HcpProfile
        {
            Id = r.GetGuid(0), HcpIndex = r.GetInt32(1), Npi = r.GetString(2), FirstName = r.GetString(3), LastName = r.GetString(4),
            Credential = r.GetString(5), Specialty = r.GetString(6), TaxonomyCode = r.GetString(7), Tier = r.GetString(8), Segment = r.GetString(9),
            State = r.GetString(10), City = r.GetString(11), Region = r.GetString(12), Organization = r.GetString(13), ChannelAffinities = r.GetString(14),
            PreferredChannel = r.GetString(15), PreferredContent = r.GetString(16), ResponseLatencyFactor = r.GetDouble(17),
            EngagementVolatility = r.GetDouble(18), BaseConversionRate = r.GetDouble(19), ChannelEngagements = r.GetString(20),
            EngagementScore = r.GetDouble(21), IsFixture = r.GetBoolean(22), AddressLine = r.GetString(23), Zip = r.GetString(24),
            PatientVolume = r.GetInt32(25), TimeZone = r.GetString(26),
        }, Json("channel_affinities", "channel_engagements"));
        await Copy(ParquetTables.Participation, "id", r => new CampaignParticipation
        {
            Id = r.GetGuid(0), CampaignId = r.GetGuid(1), HcpId = r.GetGuid(2), EnrolledAt = r.GetDateTime(3), Status = r.GetString(4),
            TouchCount = r.GetInt32(5), ResponseCount = r.GetInt32(6),
        });
        await Copy(ParquetTables.Territories, "id", r => new TerritoryAssignment
        {
            Id = r.GetGuid(0), RepId = r.GetString(1), RepName = r.GetString(2), HcpId = r.GetGuid(3), Territory = r.GetString(4),
            Region = r.GetString(5), AssignedAt = r.GetDateTime(6), IsPrimary = r.GetBoolean(7),
        });
        await Copy(ParquetTables.ContactLimits, "id", r => new HcpContactLimit
        {
            Id = r.GetGuid(0), HcpId = r.GetGuid(1), Channel = r.GetString(2), MaxContactsPerMonth = r.GetInt32(3),
            MinDaysBetweenContacts = r.GetInt32(4), PreferredDays = Text(r, 5), BlackoutDates = Text(r, 6),
        }, Json("preferred_days", "blackout_dates"));
        await Copy(ParquetTables.Stimuli, "event_date, id", r => new StimulusEvent
        {
            Id = r.GetGuid(0), HcpId = r.GetGuid(1), CampaignId = Uuid(r, 2), Channel = r.GetString(3), StimulusType = r.GetString(4),
            ContentCategory = Text(r, 5), EventDate = r.GetDateTime(6), RepId = Text(r, 7), DeliveryStatus = r.GetString(8), Metadata = Text(r, 9),
            InterventionId = Uuid(r, 10),
        }, Json("metadata"));
        await Copy(ParquetTables.Outcomes, "event_date, id", r => new OutcomeEvent
        {
            Id = r.GetGuid(0), HcpId = r.GetGuid(1), StimulusId = Uuid(r, 2), OutcomeType = r.GetString(3), OutcomeValue = Double(r, 4),
            EventDate = r.GetDateTime(5), AttributionConfidence = Double(r, 6), Metadata = Text(r, 7),
        }, Json("metadata"));
        await Copy(ParquetTables.Rx, "month, id", r => new PrescribingHistory
        {
            Id = r.GetGuid(0), HcpId = r.GetGuid(1), Month = r.GetDateTime(2), RxCount = r.GetInt32(3), MarketShare = r.GetDouble(4),
            ProductMix = Text(r, 5)!, DataSource = r.GetString(6),
        }, Json("product_mix"));
        await tx.CommitAsync(ct);

        var stages = new SortedDictionary<string, double>(StringComparer.Ordinal) { ["read_and_write"] = Math.Round(clock.Elapsed.TotalSeconds, 3) };
        var files = output.Close(ct);
        var manifest = new ParquetManifest("parquet", state.Id, state.Seed, state.HcpCount, state.SimulatedThrough, ShardNumber.Whole.ToString(),
            ParquetGeneration.ToText(uuids), files);
        await File.WriteAllTextAsync(Path.Combine(directory, ParquetManifest.FileName), manifest.ToJson(), ct);
        stages["close_and_hash"] = Math.Round(clock.Elapsed.TotalSeconds - stages["read_and_write"], 3);
        var counts = new SortedDictionary<string, long>(files.GroupBy(f => f.Table).ToDictionary(g => g.Key, g => g.Sum(f => f.Rows)), StringComparer.Ordinal);
        return new ParquetOutput(manifest, counts, stages, clock.Elapsed.TotalSeconds);
    }

    private static string? Text(DbDataReader r, int i) => r.IsDBNull(i) ? null : r.GetString(i);

    private static double? Double(DbDataReader r, int i) => r.IsDBNull(i) ? null : r.GetDouble(i);

    private static Guid? Uuid(DbDataReader r, int i) => r.IsDBNull(i) ? null : r.GetGuid(i);
}
