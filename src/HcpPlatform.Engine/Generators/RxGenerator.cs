using System.Globalization;
using HcpPlatform.Engine.Calendar;
using HcpPlatform.Engine.Model;
using HcpPlatform.Engine.Randomness;
using HcpPlatform.Engine.Reference;
using HcpPlatform.Engine.Simulation;

namespace HcpPlatform.Engine.Generators;

/// <summary>
/// Monthly prescribing (000 Task 9): Rx = baseline (base conversion rate × 50) × engagement lift
/// (+10% per engaged response in the 30 days before the month, at most +30%) × seasonality × noise.
/// The row for a month is written on its first day, from engagement already observed.
/// </summary>
public sealed class RxGenerator(Population population)
{
    /// <summary>The noise on a month's Rx is lognormal with mean 1 and log-sd NoiseSigma + NoiseSigmaPerVolatility × the HCP's engagement volatility.</summary>
    public const double NoiseSigma = 0.08;

    /// <inheritdoc cref="NoiseSigma"/>
    public const double NoiseSigmaPerVolatility = 0.3;

    private readonly SimulationModel _model = population.Model;
    private readonly long _seed = population.Seed;
    // A fault-injection test may remove or halve the lift, or flatten the seasonality (EngineFault); without faults
    // these are exactly the configured values.
    private readonly double _liftScale = population.Model.Has(EngineFault.NoEngagementLift) ? 0
        : population.Model.Has(EngineFault.HalfEngagementLift) ? 0.5 : 1;
    private readonly bool _ignoreSeasonality = population.Model.Has(EngineFault.NoRxSeasonality);

    public double Lift(int engagedResponses) =>
        _liftScale == 1
            ? 1.0 + Math.Min(_model.Config.RxLiftCap, _model.Config.RxLiftPerResponse * engagedResponses)
            : 1.0 + _liftScale * Math.Min(_model.Config.RxLiftCap, _model.Config.RxLiftPerResponse * engagedResponses);

    public PrescribingHistory Generate(HcpTraits hcp, int monthNumber, int engagedResponsesLast30Days)
    {
        var cfg = _model.Config;
        var rng = new KeyedRandom(_seed, StreamKind.Rx, hcp.Index, monthNumber);
        var start = SimDate.MonthStart(monthNumber);
        var lift = Lift(engagedResponsesLast30Days);
        var sigma = NoiseSigma + NoiseSigmaPerVolatility * hcp.Volatility;
        var noise = Math.Exp(rng.Normal(0, sigma) - sigma * sigma / 2);
        var rx = (int)Math.Round(hcp.BaseConversionRate * cfg.RxBaselineMultiplier * lift * (_ignoreSeasonality ? 1.0 : cfg.RxSeasonality[start.Month - 1]) * noise);
        var baseShare = hcp.Segment switch
        {
            "High Prescriber" => 0.32,
            "Academic Leader" => 0.26,
            "Engaged Digital" => 0.22,
            "Growth Potential" => 0.18,
            "Traditional Preference" => 0.16,
            _ => 0.10,
        };
        var share = Math.Round(Math.Clamp(baseShare * (1 + (lift - 1) * 0.5) * Math.Exp(rng.Normal(0, 0.1)), 0.01, 0.95), 4);
        var competitorA = Math.Round((1 - share) * rng.Uniform(0.4, 0.7), 4);
        var competitorB = Math.Round(1 - share - competitorA, 4);
        var product = Specialties.Products[hcp.Index % Specialties.Products.Count];
        return new PrescribingHistory
        {
            Id = DeterministicId.Create(_seed, StreamKind.Rx, hcp.Index, monthNumber),
            HcpId = hcp.Id,
            Month = SimDate.StartUtc(start),
            RxCount = Math.Max(0, rx),
            MarketShare = share,
            ProductMix = string.Create(CultureInfo.InvariantCulture,
                $"{{\"{product}\": {share}, \"competitor_a\": {competitorA}, \"competitor_b\": {competitorB}}}"),
        };
    }
}
