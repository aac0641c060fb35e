using HcpPlatform.Data.Loading;
using HcpPlatform.Engine.Calendar;
using HcpPlatform.Engine.Simulation;
using Npgsql;

namespace HcpPlatform.Data.Validation;

/// <summary>
/// What every check needs to know about the dataset under validation: the schema (quoted once, so every
/// query can run against the live "hcp" schema or a build schema), the dataset's own description
/// (hcp.dataset_info: window, scale, the generation parameters with their configuration) and the
/// configuration compiled into the engine's model (expected shares), plus the holiday blackout days.
/// </summary>
internal sealed class ValidationContext
{
    private ValidationContext(string schema, DatasetInfoRow info, GenerationParameters parameters, SimulationModel model)
    {
        Schema = schema;
        S = Quote(schema);
        Info = info;
        Parameters = parameters;
        Model = model;
        Holidays = HolidaysBetween(info.WindowStart, info.SimulatedThrough);
        VolumeEventPeriods = (model.Config.Events ?? [])
            .Where(e => e.Type != Engine.Dynamics.ScenarioEvent.TerritoryChange)
            .Select(e => (e.Start, e.End ?? info.SimulatedThrough))
            // Interventions add touches (and their responses) to the HCPs they treat: their windows are left out the same way.
            .Concat((model.Config.Interventions ?? []).Select(i => (i.Start, i.End)))
            .ToList();
        WindowChannelFactor = ChannelFactors(model, parameters.Seed, info.WindowStart, info.SimulatedThrough, IsVolumeEventDay);
        VolumeDays = Enumerable.Range(0, WindowDays).Count(d => !IsVolumeEventDay(info.WindowStart.AddDays(d)));
    }

    /// <summary>
    /// The periods of scenario events that add or remove touches or responses (seasonal_dip, product_launch, email_fatigue)
    /// and of interventions: the volume and mix checks leave their days out (their effects are recorded in the ground truth,
    /// not modelled by those checks; the response checks model email_fatigue themselves, and count exposures like any touch).
    /// </summary>
    public IReadOnlyList<(DateOnly Start, DateOnly End)> VolumeEventPeriods { get; }

    /// <summary>Days of the window outside <see cref="VolumeEventPeriods"/>.</summary>
    public int VolumeDays { get; }

    public bool IsVolumeEventDay(DateOnly day) => VolumeEventPeriods.Any(p => day >= p.Start && day <= p.End);

    /// <summary>
    /// A condition on the stimuli alias <paramref name="alias"/> that leaves out touches in <see cref="VolumeEventPeriods"/>
    /// (parameters added by <see cref="AddVolumeEventPeriods"/>); "true" when there are none.
    /// </summary>
    public string OutsideVolumeEvents(string alias) => VolumeEventPeriods.Count == 0 ? "true" : $"""
        NOT EXISTS (SELECT 1 FROM unnest(@volumeEventStart::date[], @volumeEventEnd::date[]) AS v(first_day, last_day)
                    WHERE ({alias}.event_date AT TIME ZONE 'UTC')::date BETWEEN v.first_day AND v.last_day)
        """;

    public void AddVolumeEventPeriods(Npgsql.NpgsqlParameterCollection p)
    {
        p.AddWithValue("volumeEventStart", VolumeEventPeriods.Select(x => x.Start).ToArray());
        p.AddWithValue("volumeEventEnd", VolumeEventPeriods.Select(x => x.End).ToArray());
    }

    /// <summary>The schema name as given.</summary>
    public string Schema { get; }

    /// <summary>The schema as a quoted identifier, ready to prefix table names: <c>"hcp".stimuli_events</c>.</summary>
    public string S { get; }

    public DatasetInfoRow Info { get; }
    public GenerationParameters Parameters { get; }
    public SimulationModel Model { get; }

    /// <summary>Every major-holiday blackout day (the holiday and its observed weekday) of the years the dataset touches.</summary>
    public DateOnly[] Holidays { get; }

    public Engine.Config.SimulationConfig Config => Model.Config;

    /// <summary>Days in [window start, simulated through], inclusive.</summary>
    public int WindowDays => Info.SimulatedThrough.DayNumber - Info.WindowStart.DayNumber + 1;

    public static string Quote(string identifier)
    {
        ArgumentException.ThrowIfNullOrEmpty(identifier);
        return "\"" + identifier.Replace("\"", "\"\"", StringComparison.Ordinal) + "\"";
    }

    /// <summary>
    /// Per channel, the mean of the engine's month factors (the quarter-end push: Mar/Jun/Sep/Dec carry more email and
    /// field volume, other months less) over the days of the window, each day weighted by its share of its month (<see cref="MonthDayShares"/>); for conference touches, the congresses starting in
    /// the window per year of it. 1 for every channel over whole years; a short window's expected volume and channel mix
    /// follow it.
    /// </summary>
    public double[] WindowChannelFactor { get; }

    /// <summary>Expected channel mix of the window: the configured mix weighted by <see cref="WindowChannelFactor"/>.</summary>
    public double[] WindowChannelShare
    {
        get
        {
            var weighted = Model.ChannelShare.Select((share, c) => share * WindowChannelFactor[c]).ToArray();
            var total = weighted.Sum();
            return weighted.Select(w => total > 0 ? w / total : 0).ToArray();
        }
    }

    /// <summary>Expected touches per HCP-year over the window (outside volume events): StimuliPerHcpYear × the window's channel factors.</summary>
    public double WindowStimuliPerHcpYear =>
        Model.Config.StimuliPerHcpYear * Model.ChannelShare.Select((share, c) => share * WindowChannelFactor[c]).Sum();

    private static double[] ChannelFactors(SimulationModel model, long seed, DateOnly from, DateOnly to, Func<DateOnly, bool> skip)
    {
        var factors = new double[Channel.Count];
        var days = 0;
        var month = DateOnly.MinValue;
        var shares = new double[Channel.Count][];
        for (var day = from; day <= to; day = day.AddDays(1))
        {
            if (skip(day))
            {
                continue;
            }
            // A month's day shares, once per month of the window.
            var first = new DateOnly(day.Year, day.Month, 1);
            if (first != month)
            {
                month = first;
                for (var c = 0; c < Channel.Count; c++)
                {
                    shares[c] = MonthDayShares(c, first, seed, model.Config.WebinarInviteLeadDays);
                }
            }
            days++;
            for (var c = 0; c < Channel.Count; c++)
            {
                factors[c] += model.QuarterFactor[c, day.Month - 1] * shares[c][day.Day - 1];
            }
        }
        var result = factors.Select(f => days == 0 ? 1 : f / days).ToArray();
        // Conference touches come only at each specialty's congress: a window holds the congresses (or the parts of them)
        // that fall in it, not a year's worth pro rata (over whole years, one each).
        var congresses = model.Specialties.Names.Sum(s => model.Specialties.ShareOf(s) * Engine.Reference.Specialties.CongressesIn(s, from, to, skip));
        result[Channel.Conference] = days == 0 ? 1 : congresses * 365.25 / days;
        return result;
    }

    /// <summary>
    /// Each day's expected touches of a channel in the month starting <paramref name="first"/> (index: day of month − 1),
    /// relative to an even year-round rate (StimuliPerHcpYear / 365.25 a day). Channels budgeted by month get a twelfth of a
    /// year in every month, so a day of February holds more than a day of March; email, phone and digital ads are placed on
    /// the month's days by weekday weight, holidays skipped and drawn again, so a window holding part of a month (a weekend,
    /// a Christmas week) holds those days' share of it, not a pro-rata one. Webinar invitations go out only on the month's
    /// invitation days (a weekly webinar's day less the lead), one drawn evenly.
    /// </summary>
    internal static double[] MonthDayShares(int channel, DateOnly first, long seed, int webinarLeadDays)
    {
        var length = DateTime.DaysInMonth(first.Year, first.Month);
        var shares = new double[length];
        if (!Engine.Generators.StimuliGenerator.IsBudgetedByMonth(channel))
        {
            Array.Fill(shares, 1.0);
            return shares;
        }
        var monthOfYear = 365.25 / 12;
        if (channel == Channel.Webinar)
        {
            var invites = Engine.Generators.WebinarCalendar.EventsInvitedBetween(seed, first, first.AddDays(length - 1), webinarLeadDays)
                .Select(e => e.AddDays(-webinarLeadDays)).Where(d => !UsHolidays.IsBlackout(d)).ToList();
            foreach (var invite in invites.Where(d => d.Year == first.Year && d.Month == first.Month))
            {
                shares[invite.Day - 1] = monthOfYear / invites.Count;
            }
            return shares;
        }
        var weights = Engine.Generators.StimuliGenerator.WeekdayWeights(channel);
        if (weights is null)
        {
            Array.Fill(shares, monthOfYear / length);
            return shares;
        }
        var sum = 0.0;
        for (var d = first; d.Month == first.Month; d = d.AddDays(1))
        {
            sum += UsHolidays.IsBlackout(d) ? 0 : weights[SimDate.IsoWeekday(d) - 1];
        }
        for (var d = first; d.Month == first.Month; d = d.AddDays(1))
        {
            shares[d.Day - 1] = UsHolidays.IsBlackout(d) || sum <= 0 ? 0 : monthOfYear * weights[SimDate.IsoWeekday(d) - 1] / sum;
        }
        return shares;
    }

    /// <summary>Reads hcp.dataset_info of <paramref name="schema"/>; null when the schema has no dataset description.</summary>
    public static async Task<(ValidationContext? Context, string? Problem)> LoadAsync(NpgsqlConnection connection, string schema, CancellationToken ct)
    {
        var s = Quote(schema);
        await using (var exists = new NpgsqlCommand("SELECT to_regclass(@t) IS NOT NULL", connection))
        {
            exists.Parameters.AddWithValue("t", s + ".dataset_info");
            if (!(bool)(await exists.ExecuteScalarAsync(ct))!)
            {
                return (null, $"schema {schema} has no dataset_info table");
            }
        }
        var rows = new List<DatasetInfoRow>();
        await using (var cmd = new NpgsqlCommand(
            $"SELECT seed, hcp_count, months, scenario, window_start, simulated_through, parameters::text FROM {s}.dataset_info", connection))
        await using (var reader = await cmd.ExecuteReaderAsync(ct))
        {
            while (await reader.ReadAsync(ct))
            {
                rows.Add(new DatasetInfoRow(reader.GetInt64(0), reader.GetInt32(1), reader.GetInt32(2), reader.GetString(3),
                    reader.GetFieldValue<DateOnly>(4), reader.GetFieldValue<DateOnly>(5), reader.GetString(6)));
            }
        }
        if (rows.Count != 1)
        {
            return (null, $"{schema}.dataset_info has {rows.Count} rows; exactly one describes a dataset");
        }
        var info = rows[0];
        if (info.SimulatedThrough < info.WindowStart)
        {
            return (null, $"dataset window ends ({info.SimulatedThrough:yyyy-MM-dd}) before it starts ({info.WindowStart:yyyy-MM-dd})");
        }
        GenerationParameters parameters;
        SimulationModel model;
        try
        {
            parameters = GenerationParameters.FromJson(info.ParametersJson);
            model = new SimulationModel(parameters.Config);
        }
        catch (Exception e) when (e is System.Text.Json.JsonException or ArgumentException or InvalidOperationException or NotSupportedException)
        {
            return (null, $"dataset_info.parameters cannot be read as generation parameters: {e.Message}");
        }
        return (new ValidationContext(schema, info, parameters, model), null);
    }

    internal static DateOnly[] HolidaysBetween(DateOnly from, DateOnly to)
    {
        var days = new SortedSet<DateOnly>();
        // One year either side: an observed date can fall in the neighbouring year (New Year's Day on a Saturday).
        for (var year = from.Year - 1; year <= to.Year + 1; year++)
        {
            foreach (var (_, date, observed) in UsHolidays.ForYear(year))
            {
                days.Add(date);
                days.Add(observed);
            }
        }
        return [.. days];
    }
}

internal sealed record DatasetInfoRow(long Seed, int HcpCount, int Months, string Scenario, DateOnly WindowStart, DateOnly SimulatedThrough, string ParametersJson);
