using System.Globalization;
using System.Text.Json;
using System.Text.Json.Serialization;
using HcpPlatform.Data.Hosting;
using HcpPlatform.Data.Platform;
using HcpPlatform.Engine.Dynamics;
using HcpPlatform.Engine.Simulation;
using Npgsql;
using NpgsqlTypes;

namespace HcpPlatform.Data.Loading;

public enum AdoptionStatus
{
    /// <summary>The desired state names no events ("events" absent): the dataset keeps its own.</summary>
    NotRequested,
    Unchanged,
    Adopted,
    Busy,
    NoDataset,
    Invalid,
}

/// <summary>What an adoption did; <paramref name="EffectiveFrom"/> is the first day the adopted list applies to.</summary>
public sealed record AdoptionResult(AdoptionStatus Status, IReadOnlyList<ScenarioEvent> Events, IReadOnlyList<string> Notes, string? Problem = null, DateOnly? EffectiveFrom = null);

/// <summary>
/// Applies the scenario events the admin asked for (platform.simulation_state.config → "events", see
/// <see cref="SimulationSettings"/>) to the dataset in place, going forward only (<see cref="ScenarioEventSchedule"/>):
/// the dataset's stored generation parameters (hcp.dataset_info.parameters, which every daily increment reads) get the
/// adopted list, and hcp.ground_truth its
/// "scenario_event" rows, in one transaction under the generation lock. Days already simulated stay exactly as they
/// are; a backfill with the stored parameters yields the same rows on every day it shares with the increments.
/// Other keys of the desired config are not applied to a live dataset (they change whole months of history); they
/// take effect at the next regenerate.
/// </summary>
public static class ScenarioEventAdoption
{
    private static readonly JsonSerializerOptions Json = new()
    {
        PropertyNamingPolicy = JsonNamingPolicy.CamelCase,
        DefaultIgnoreCondition = JsonIgnoreCondition.WhenWritingNull,
    };

    /// <summary>
    /// Adopts the events of the desired config document <paramref name="desiredConfigJson"/>, if it names any and they
    /// differ from the dataset's going forward.
    /// </summary>
    public static async Task<AdoptionResult> ApplyAsync(NpgsqlDataSource dataSource, string desiredConfigJson, CancellationToken ct)
    {
        ArgumentNullException.ThrowIfNull(dataSource);
        IReadOnlyList<ScenarioEvent>? desired;
        try
        {
            desired = SimulationSettings.Parse(desiredConfigJson).ScenarioEvents;
        }
        catch (JsonException e)
        {
            return new AdoptionResult(AdoptionStatus.Invalid, [], [], e.Message);
        }
        if (desired is null)
        {
            return new AdoptionResult(AdoptionStatus.NotRequested, [], []);
        }
        var problems = ScenarioEvent.Validate(desired);
        if (problems.Count > 0)
        {
            return new AdoptionResult(AdoptionStatus.Invalid, desired, [], string.Join(" ", problems));
        }

        using var span = PlatformTelemetry.Source.StartActivity("adopt_events");
        await using var connection = await dataSource.OpenConnectionAsync(ct);
        // Cheap check first, without locks: most of the time nothing changed.
        var peek = await DatasetState.ReadAsync(connection, ct);
        if (peek is null)
        {
            return new AdoptionResult(AdoptionStatus.NoDataset, desired, []);
        }
        if (!ScenarioEventSchedule.ApplyGoingForward(GenerationParameters.FromJson(peek.ParametersJson).Config.Events, desired, peek.SimulatedThrough).Changed)
        {
            return new AdoptionResult(AdoptionStatus.Unchanged, desired, []);
        }

        await using var tx = await connection.BeginTransactionAsync(ct);
        if (!await GenerationLock.TryAcquireTransactionAsync(connection, tx, ct))
        {
            return new AdoptionResult(AdoptionStatus.Busy, desired, []);
        }
        await StaleRuns.RecoverAsync(connection, tx, ct);
        var state = await DatasetState.ReadAsync(connection, ct, tx, forUpdate: true);
        if (state is null)
        {
            return new AdoptionResult(AdoptionStatus.NoDataset, desired, []);
        }
        var parameters = GenerationParameters.FromJson(state.ParametersJson);
        var adoption = ScenarioEventSchedule.ApplyGoingForward(parameters.Config.Events, desired, state.SimulatedThrough);
        if (!adoption.Changed)
        {
            return new AdoptionResult(AdoptionStatus.Unchanged, adoption.Events, adoption.Notes);
        }
        parameters.Config.Events = adoption.Events.Count == 0 ? null : [.. adoption.Events];
        SimulationModel model;
        try
        {
            model = new SimulationModel(parameters.Config);
        }
        catch (ArgumentException e)
        {
            return new AdoptionResult(AdoptionStatus.Invalid, adoption.Events, adoption.Notes, e.Message);
        }
        var parametersJson = parameters.ToJson();

        const string schema = HcpDbContext.DatasetSchema;
        await using (var update = new NpgsqlCommand($"""
            UPDATE {schema}.dataset_info SET parameters = @p, updated_at = now();
            DELETE FROM {schema}.ground_truth WHERE parameter = 'scenario_event';
            """, connection, tx))
        {
            update.Parameters.AddWithValue("p", NpgsqlDbType.Jsonb, parametersJson);
            await update.ExecuteNonQueryAsync(ct);
        }
        // The same rows, with the same ids, as a backfill with these parameters writes.
        CopyWriter.Copy(connection, schema, DatasetTables.GroundTruth,
            GroundTruth.Build(model, parameters.Seed).Where(g => g.Parameter == "scenario_event"), freeze: false, ct: ct);

        var runId = Guid.CreateVersion7();
        var from = state.SimulatedThrough.AddDays(1);
        var lineage = JsonSerializer.Serialize(new { events = adoption.Events, effectiveFrom = from, dataset = state.Id, notes = adoption.Notes }, Json);
        await Lineage.StartAsync(connection, runId, "scenario_events", lineage, from, ct, tx);
        await Lineage.FinishAsync(connection, runId, "succeeded", new Dictionary<string, long> { ["events"] = adoption.Events.Count }, null, null, null, null, ct, tx);
        await using (var notify = new NpgsqlCommand(string.Create(CultureInfo.InvariantCulture, $"NOTIFY {Backfill.NotifyChannel}, '{runId}'"), connection, tx))
        {
            await notify.ExecuteNonQueryAsync(ct);
        }
        await tx.CommitAsync(ct);
        span?.SetTag("hcp.events", adoption.Events.Count);
        span?.SetTag("hcp.effective_from", from.ToString("yyyy-MM-dd", CultureInfo.InvariantCulture));
        return new AdoptionResult(AdoptionStatus.Adopted, adoption.Events, adoption.Notes, EffectiveFrom: from);
    }
}
