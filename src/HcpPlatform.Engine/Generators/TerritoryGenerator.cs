using Bogus;
using Bogus.DataSets;
using HcpPlatform.Engine.Model;
using HcpPlatform.Engine.Randomness;
using HcpPlatform.Engine.Simulation;

namespace HcpPlatform.Engine.Generators;

public sealed record Rep(int Index, string Id, string Name, string Territory, string Region);

/// <summary>
/// Territories (000 Task 5): about one primary rep per <c>HcpsPerRep</c> HCPs, clustered geographically
/// (HCPs ordered by region, state, city), exactly one primary rep per HCP, plus specialty overlay
/// (secondary) assignments for a share of HCPs so rows ≈ 1.25 × HCPs.
/// </summary>
public static class TerritoryGenerator
{
    public static (IReadOnlyList<Rep> Reps, IReadOnlyList<Rep> OverlayReps) Assign(
        SimulationModel model, long seed, HcpTraits[] hcps)
    {
        var n = hcps.Length;
        var repCount = Math.Max(1, (int)Math.Ceiling(n / model.Config.HcpsPerRep));
        var order = hcps
            .OrderBy(h => h.Region, StringComparer.Ordinal)
            .ThenBy(h => h.State, StringComparer.Ordinal)
            .ThenBy(h => h.City, StringComparer.Ordinal)
            .ThenBy(h => h.Index)
            .ToArray();

        var reps = new Rep[repCount];
        for (var r = 0; r < repCount; r++)
        {
            // Even split: rep r covers sorted positions [r*n/R, (r+1)*n/R), never more than ceil(n/R) HCPs.
            var from = (int)((long)r * n / repCount);
            var to = (int)((long)(r + 1) * n / repCount);
            var first = order[Math.Min(from, n - 1)];
            for (var p = from; p < to; p++)
            {
                order[p].PrimaryRep = r;
                order[p].RankInRep = p - from;
            }
            reps[r] = new Rep(r, $"REP-{r + 1:D5}", RepName(seed, r), $"{first.Region}-{first.State}-{r + 1:D4}", first.Region);
        }

        // One overlay specialist per region and specialty covers the HCPs chosen for overlay.
        var overlay = hcps
            .Select(h => (h.Region, h.Specialty))
            .Distinct()
            .OrderBy(x => x.Region, StringComparer.Ordinal)
            .ThenBy(x => x.Specialty, StringComparer.Ordinal)
            .Select((x, i) => new Rep(100_000 + i, $"OVL-{x.Region.ToUpperInvariant()[..2]}-{x.Specialty.ToUpperInvariant()[..4]}",
                RepName(seed, 100_000 + i), $"{x.Region} {x.Specialty} Overlay", x.Region))
            .ToArray();
        return (reps, overlay);
    }

    public static bool HasOverlay(SimulationModel model, long seed, int hcpIndex) =>
        new KeyedRandom(seed, StreamKind.Territory, hcpIndex).NextDouble() < model.Config.OverlayShare;

    private static string RepName(long seed, int rep)
    {
        var rng = new KeyedRandom(seed, StreamKind.Rep, rep);
        var names = new Name("en") { Random = new Randomizer((int)(rng.NextUInt64() & 0x7FFFFFFF)) };
        return $"{names.FirstName()} {names.LastName()}";
    }
}
