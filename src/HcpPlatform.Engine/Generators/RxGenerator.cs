using System.Globalization;
using HcpPlatform.Engine.Calendar;
using HcpPlatform.Engine.Model;
using HcpPlatform.Engine.Randomness;
using HcpPlatform.Engine.Simulation;

namespace HcpPlatform.Engine.Generators;

/// <summary>
/// Monthly prescribing of the HCP's brand (000 Task 9: baseline × engagement lift × seasonality × noise), written when the
/// month is complete (on its last day), never before:
/// <code>
/// expected = patient_volume × base_conversion_rate × seasonality(month) × exp(segment_responsiveness × Σ_d lift_d × A_d)
/// A_d      = Σ_{j=0..RxCarryoverMonths} carryover_d^j × (count of driver d in calendar month − j)
/// rx_count ~ Poisson(expected × G),  G ~ Gamma(mean 1, coefficient of variation s),  s = NoiseSigma + NoiseSigmaPerVolatility × volatility
/// </code>
/// The drivers are the HCP's delivered touches of each channel (answered or not) and its engaged responses of each type,
/// counted in the calendar month (UTC) of their own date. An HCP with base conversion rate 0 never writes the brand.
/// </summary>
public sealed class RxGenerator
{
    /// <summary>The noise's coefficient of variation is NoiseSigma + NoiseSigmaPerVolatility × the HCP's engagement volatility.</summary>
    public const double NoiseSigma = 0.08;

    /// <inheritdoc cref="NoiseSigma"/>
    public const double NoiseSigmaPerVolatility = 0.3;

    private readonly SimulationModel _model;
    private readonly long _seed;
    private readonly double[] _lift;
    private readonly double[] _carryover;
    private readonly bool _ignoreSeasonality;
    private readonly bool _noSegmentLift;

    public RxGenerator(Population population)
    {
        _model = population.Model;
        _seed = population.Seed;
        var cfg = _model.Config;
        // A fault-injection test may remove or halve the lift, flatten it over the drivers, drop its carryover or its
        // heterogeneity by segment, or flatten the seasonality (EngineFault); without faults these are the configured values.
        var scale = _model.Has(EngineFault.NoEngagementLift) ? 0 : _model.Has(EngineFault.HalfEngagementLift) ? 0.5 : 1;
        var drivers = RxDrivers.For(cfg);
        _lift = drivers.Select(d => scale * d.LogLift).ToArray();
        if (_model.Has(EngineFault.UniformRxLift))
        {
            var mean = _lift.Average();
            Array.Fill(_lift, mean);
        }
        _carryover = drivers.Select(d => _model.Has(EngineFault.NoRxCarryover) ? 0 : d.Carryover).ToArray();
        _ignoreSeasonality = _model.Has(EngineFault.NoRxSeasonality);
        _noSegmentLift = _model.Has(EngineFault.NoSegmentRxLift);
    }

    /// <summary>
    /// The log-lift of a month: <paramref name="counts"/> holds the driver counts of the month and the ones before it, month
    /// after month (<see cref="RxDrivers.Count"/> each), the month's own last.
    /// </summary>
    public double LogLift(HcpTraits hcp, ReadOnlySpan<int> counts)
    {
        var months = counts.Length / _lift.Length;
        var sum = 0.0;
        for (var d = 0; d < _lift.Length; d++)
        {
            if (_lift[d] == 0)
            {
                continue;
            }
            var weight = 1.0;
            var stock = 0.0;
            for (var j = 0; j < months; j++)
            {
                stock += weight * counts[(months - 1 - j) * _lift.Length + d];
                weight *= _carryover[d];
            }
            sum += _lift[d] * stock;
        }
        return (_noSegmentLift ? 1.0 : _model.Config.RxLiftBySegment[hcp.Segment]) * sum;
    }

    /// <summary>The month's Rx row; <paramref name="counts"/> as for <see cref="LogLift"/> (RxCarryoverMonths + 1 months).</summary>
    public PrescribingHistory Generate(HcpTraits hcp, int monthNumber, ReadOnlySpan<int> counts)
    {
        var cfg = _model.Config;
        var start = SimDate.MonthStart(monthNumber);
        var season = _ignoreSeasonality ? 1.0 : cfg.RxSeasonality[start.Month - 1];
        var expected = hcp.PatientVolume * hcp.BaseConversionRate * season * Math.Exp(LogLift(hcp, counts));
        var rng = new KeyedRandom(_seed, StreamKind.Rx, hcp.Index, monthNumber, 1);
        var cv = NoiseSigma + NoiseSigmaPerVolatility * hcp.Volatility;
        var shape = 1 / (cv * cv);
        var rx = expected > 0 ? rng.PoissonExact(expected * rng.Gamma(shape) / shape) : 0;
        // The class's other scripts: the competitors write the rest of the HCP's patients, untouched by the brand's promotion.
        var market = new KeyedRandom(_seed, StreamKind.Rx, hcp.Index, monthNumber, 2);
        var competitors = market.PoissonExact(hcp.PatientVolume * season * (1 - hcp.BaseConversionRate));
        var share = rx + competitors == 0 ? 0 : Math.Round((double)rx / (rx + competitors), 4);
        var competitorA = Math.Round((1 - share) * market.Uniform(0.4, 0.7), 4);
        var competitorB = Math.Round(1 - share - competitorA, 4);
        return new PrescribingHistory
        {
            Id = DeterministicId.Create(_seed, StreamKind.Rx, hcp.Index, monthNumber),
            HcpId = hcp.Id,
            Month = SimDate.StartUtc(start),
            RxCount = rx,
            MarketShare = share,
            ProductMix = string.Create(CultureInfo.InvariantCulture,
                $"{{\"{hcp.Product}\": {new FourDecimals(share)}, \"competitor_a\": {new FourDecimals(competitorA)}, \"competitor_b\": {new FourDecimals(competitorB)}}}"),
        };
    }

    /// <summary>
    /// A value rounded to four decimals (Math.Round(x, 4), the double nearest n / 10⁴), formatted as the shortest round-trip
    /// text gives it (n / 10⁴ without trailing zeros, "-0" for negative zero), from n's digits: shortest round-trip formatting
    /// was a large share of the Rx model's time.
    /// </summary>
    private readonly struct FourDecimals(double value) : ISpanFormattable
    {
        public bool TryFormat(Span<char> destination, out int charsWritten, ReadOnlySpan<char> format, IFormatProvider? provider)
        {
            if (!(Math.Abs(value) < 1e9))
            {
                return value.TryFormat(destination, out charsWritten, format, CultureInfo.InvariantCulture);
            }
            var n = (long)Math.Round(Math.Abs(value) * 10_000);
            charsWritten = 0;
            if (double.IsNegative(value))
            {
                if (destination.IsEmpty)
                {
                    return false;
                }
                destination[charsWritten++] = '-';
            }
            if (!(n / 10_000).TryFormat(destination[charsWritten..], out var whole, default, CultureInfo.InvariantCulture))
            {
                return false;
            }
            charsWritten += whole;
            var fraction = (int)(n % 10_000);
            if (fraction == 0)
            {
                return true;
            }
            var digits = 4;
            while (fraction % 10 == 0)
            {
                fraction /= 10;
                digits--;
            }
            if (destination.Length < charsWritten + 1 + digits)
            {
                return false;
            }
            destination[charsWritten++] = '.';
            for (var i = digits - 1; i >= 0; i--)
            {
                destination[charsWritten + i] = (char)('0' + fraction % 10);
                fraction /= 10;
            }
            charsWritten += digits;
            return true;
        }

        public string ToString(string? format, IFormatProvider? formatProvider) => value.ToString(format, CultureInfo.InvariantCulture);
    }
}

/// <summary>
/// What lifts Rx, in a fixed order: the delivered touches of each channel (<see cref="Channel"/> order), then the engaged
/// responses of each type in RxResponseLift (ordinal order).
/// </summary>
public static class RxDrivers
{
    public readonly record struct Driver(string Kind, string Name, double LogLift, double Carryover);

    /// <summary>The drivers of a configuration.</summary>
    public static IReadOnlyList<Driver> For(Config.SimulationConfig config) =>
    [
        .. Channel.Names.Select(c => new Driver("touch", c, config.RxTouchLift[c].LogLift, config.RxTouchLift[c].Carryover)),
        .. config.RxResponseLift.OrderBy(p => p.Key, StringComparer.Ordinal).Select(p => new Driver("response", p.Key, p.Value.LogLift, p.Value.Carryover)),
    ];

    /// <summary>Index of an engaged response type among the drivers, or -1.</summary>
    public static int ResponseIndex(Config.SimulationConfig config, string outcomeType)
    {
        var i = 0;
        foreach (var key in config.RxResponseLift.Keys.Order(StringComparer.Ordinal))
        {
            if (key == outcomeType)
            {
                return Channel.Count + i;
            }
            i++;
        }
        return -1;
    }
}
