using System.Collections.Concurrent;
using HcpPlatform.Engine.Generators;
using HcpPlatform.Engine.Model;
using HcpPlatform.Engine.Randomness;

namespace HcpPlatform.Engine.Simulation;

/// <summary>
/// Everything about the population that does not change day to day: profiles, territories, campaigns
/// and enrollment. Memory is proportional to HCPs; events are never held here.
/// </summary>
public sealed class Population
{
    private readonly ConcurrentDictionary<int, int[]> _enrollmentPrefix = new();
    private readonly Dictionary<(string Region, string Specialty), Rep> _overlayByKey;

    public Population(SimulationModel model, long seed, int hcpCount, IReadOnlyList<FixtureHcp> fixtures, int parallelism = 1)
    {
        if (hcpCount < fixtures.Count)
        {
            throw new ArgumentException($"The population ({hcpCount}) is smaller than the fixtures file ({fixtures.Count} HCPs); use --hcps of at least {fixtures.Count}.", nameof(hcpCount));
        }
        Model = model;
        Seed = seed;
        Profiles = new HcpProfile[hcpCount];
        Traits = new HcpTraits[hcpCount];
        var generator = new PersonaGenerator(model, seed, fixtures);
        Parallel.For(0, hcpCount, new ParallelOptions { MaxDegreeOfParallelism = Math.Max(1, parallelism) }, i =>
        {
            (Profiles[i], Traits[i]) = generator.Generate(i);
        });
        (Reps, OverlayReps) = TerritoryGenerator.Assign(model, seed, Traits);
        _overlayByKey = OverlayReps.ToDictionary(r => (r.Region, SpecialtyOf(r)));
        Campaigns = new CampaignCalendar(model, seed, hcpCount);
    }

    private static string SpecialtyOf(Rep overlay) => overlay.Territory[(overlay.Region.Length + 1)..^" Overlay".Length];

    public SimulationModel Model { get; }
    public long Seed { get; }
    public HcpProfile[] Profiles { get; }
    public HcpTraits[] Traits { get; }
    public IReadOnlyList<Rep> Reps { get; }
    public IReadOnlyList<Rep> OverlayReps { get; }
    public CampaignCalendar Campaigns { get; }
    public int Count => Traits.Length;

    public Rep OverlayRepFor(HcpTraits hcp) => _overlayByKey[(hcp.Region, hcp.Specialty)];

    public IEnumerable<TerritoryAssignment> TerritoryRows(HcpTraits hcp)
    {
        var rep = Reps[hcp.PrimaryRep];
        var rng = new KeyedRandom(Seed, StreamKind.Territory, hcp.Index, 0, 1);
        // Assignment dates sit before the engine's first possible window so they never depend on one.
        var assigned = new DateTime(2019, 1, 1, 0, 0, 0, DateTimeKind.Utc).AddDays(rng.NextInt(0, 364));
        yield return new TerritoryAssignment
        {
            Id = DeterministicId.Create(Seed, StreamKind.Territory, hcp.Index, 0, 1),
            RepId = rep.Id,
            RepName = rep.Name,
            HcpId = hcp.Id,
            Territory = rep.Territory,
            Region = rep.Region,
            AssignedAt = assigned,
            IsPrimary = true,
        };
        if (TerritoryGenerator.HasOverlay(Model, Seed, hcp.Index))
        {
            var o = OverlayRepFor(hcp);
            yield return new TerritoryAssignment
            {
                Id = DeterministicId.Create(Seed, StreamKind.Territory, hcp.Index, 0, 2),
                RepId = o.Id,
                RepName = o.Name,
                HcpId = hcp.Id,
                Territory = o.Territory,
                Region = o.Region,
                AssignedAt = assigned.AddDays(rng.NextInt(0, 180)),
                IsPrimary = false,
            };
        }
    }

    /// <summary>Whether an HCP is enrolled in a campaign: its segment is targeted and a keyed draw says so.</summary>
    public bool IsEnrolled(CampaignPlan campaign, int hcp)
    {
        var segment = Traits[hcp].Segment;
        if (Array.IndexOf(campaign.TargetSegments, segment) < 0)
        {
            return false;
        }
        return new KeyedRandom(Seed, StreamKind.Participation, campaign.Index, hcp).NextDouble() < Model.Config.EnrollmentRate;
    }

    /// <summary>
    /// Position of an enrolled HCP among the campaign's enrolled HCPs (by index): email sends go out in
    /// batches of <c>EmailBatchSize</c> consecutive positions. Prefix counts per block of 64 keep this O(64).
    /// </summary>
    public int EnrollmentOrdinal(CampaignPlan campaign, int hcp)
    {
        var prefix = _enrollmentPrefix.GetOrAdd(campaign.Index, _ =>
        {
            var blocks = new int[(Count + 63) / 64 + 1];
            var running = 0;
            for (var b = 0; b * 64 < Count; b++)
            {
                blocks[b] = running;
                var end = Math.Min(Count, (b + 1) * 64);
                for (var h = b * 64; h < end; h++)
                {
                    if (IsEnrolled(campaign, h))
                    {
                        running++;
                    }
                }
            }
            return blocks;
        });
        var ordinal = prefix[hcp / 64];
        for (var h = hcp / 64 * 64; h < hcp; h++)
        {
            if (IsEnrolled(campaign, h))
            {
                ordinal++;
            }
        }
        return ordinal;
    }

    public CampaignParticipation ParticipationRow(CampaignPlan campaign, int hcp, DateOnly asOf)
    {
        var rng = new KeyedRandom(Seed, StreamKind.Participation, campaign.Index, hcp, 1);
        return new CampaignParticipation
        {
            Id = DeterministicId.Create(Seed, StreamKind.Participation, campaign.Index, hcp),
            CampaignId = campaign.Id,
            HcpId = Traits[hcp].Id,
            EnrolledAt = Calendar.SimDate.AtUtc(campaign.Start.AddDays(-rng.NextInt(1, 7)), 12),
            Status = campaign.StatusOn(asOf) switch { "completed" => "completed", "active" => "active", _ => "enrolled" },
        };
    }
}
