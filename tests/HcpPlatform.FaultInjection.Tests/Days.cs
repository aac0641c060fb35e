using System.Globalization;
using HcpPlatform.Data.Loading;
using HcpPlatform.Data.Platform;
using HcpPlatform.Engine.Simulation;
using HcpPlatform.Testing;
using Npgsql;

namespace HcpPlatform.FaultInjection.Tests;

/// <summary>The desired generation state, the watermark, and whether every simulated day landed exactly once and whole.</summary>
internal static class Days
{
    /// <summary>Writes the desired state as the admin API does, and NOTIFYs the workers.</summary>
    public static async Task SetStateAsync(string connectionString, string mode, double? secondsPerDay = null)
    {
        await using var connection = new NpgsqlConnection(connectionString);
        await connection.OpenAsync();
        await using var cmd = new NpgsqlCommand($"""
            UPDATE platform.simulation_state SET desired_mode = @mode, seconds_per_simulated_day = @speed, updated_at = now() WHERE id = 1;
            NOTIFY {SimulationControl.Channel};
            """, connection);
        cmd.Parameters.AddWithValue("mode", mode);
        cmd.Parameters.AddWithValue("speed", NpgsqlTypes.NpgsqlDbType.Double, (object?)secondsPerDay ?? DBNull.Value);
        await cmd.ExecuteNonQueryAsync();
    }

    /// <summary>The last simulated day; null while the server cannot be reached (it is being restarted).</summary>
    public static async Task<DateOnly?> WatermarkAsync(string connectionString)
    {
        try
        {
            return await Sql.ScalarAsync<DateOnly>(connectionString, "SELECT simulated_through FROM hcp.dataset_info");
        }
        catch (NpgsqlException)
        {
            return null;
        }
    }

    /// <summary>Waits until the watermark reaches <paramref name="day"/>.</summary>
    public static Task ReachAsync(string connectionString, DateOnly day, TimeSpan timeout) =>
        Poll.UntilAsync(async () => await WatermarkAsync(connectionString) >= day, $"simulated days through {day:yyyy-MM-dd}", timeout);

    /// <summary>
    /// Every day after <paramref name="from"/> through the watermark was appended exactly once (one succeeded increment
    /// each, none left running), and each holds exactly the rows the engine gives for it: no day is missing, doubled or partial.
    /// </summary>
    public static async Task AssertEachDayExactlyOnceAndWholeAsync(string cs, DateOnly from)
    {
        var through = (await WatermarkAsync(cs))!.Value;
        Assert.True(through > from, $"no day was appended after {from:yyyy-MM-dd}");
        var succeeded = await Sql.ListAsync(cs, "SELECT as_of FROM platform.generation_runs WHERE kind = 'increment' AND status = 'succeeded' ORDER BY started_at, id",
            r => r.GetFieldValue<DateOnly>(0));
        var expected = Enumerable.Range(1, through.DayNumber - from.DayNumber).Select(from.AddDays).ToList();
        Assert.Equal(expected, succeeded);
        Assert.Equal(0L, await Sql.ScalarAsync<long>(cs, "SELECT count(*) FROM platform.generation_runs WHERE kind = 'increment' AND status <> 'succeeded'"));

        var parameters = GenerationParameters.FromJson(await Sql.ScalarAsync<string>(cs, "SELECT parameters::text FROM hcp.dataset_info"));
        var windowStart = await Sql.ScalarAsync<DateOnly>(cs, "SELECT window_start FROM hcp.dataset_info");
        var simulator = new Simulator(new Population(new SimulationModel(parameters.Config), parameters.Seed, parameters.Hcps, parameters.Fixtures, 2));
        var stored = (await Sql.ListAsync(cs, $"""
            SELECT d::date,
                   (SELECT count(*) FROM hcp.stimuli_events WHERE (event_date AT TIME ZONE 'UTC')::date = d::date),
                   (SELECT count(*) FROM hcp.outcome_events WHERE (event_date AT TIME ZONE 'UTC')::date = d::date)
            FROM generate_series('{from.AddDays(1).ToString("yyyy-MM-dd", CultureInfo.InvariantCulture)}'::date, '{through.ToString("yyyy-MM-dd", CultureInfo.InvariantCulture)}'::date, interval '1 day') AS d
            """, r => (Day: r.GetFieldValue<DateOnly>(0), Stimuli: r.GetInt64(1), Outcomes: r.GetInt64(2)))).ToDictionary(r => r.Day);
        foreach (var day in expected)
        {
            var blocks = simulator.Evaluate(windowStart, day, day, 2).ToList();
            Assert.Equal((day, (long)blocks.Sum(b => b.Stimuli.Count), (long)blocks.Sum(b => b.Outcomes.Count)), stored[day]);
        }
    }
}
