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
    private readonly ConcurrentDictionary<int, Enrollment> _enrollment = new();

    public Population(SimulationModel model, long seed, int hcpCount, IReadOnlyList<FixtureHcp> fixtures, int parallelism = 1)
        : this(model, seed, hcpCount, fixtures, parallelism, new HcpSlice(0, hcpCount))
    {
    }

    /// <summary>
    /// The population of <paramref name="hcpCount"/> HCPs with profile rows for the HCPs of <paramref name="profiles"/> only
    /// (a shard's slice). Every HCP's traits are built all the same: territories (reps over the whole population sorted by
    /// geography) and campaign enrollment (email batch positions) span the population. The profiles, two thirds of the
    /// memory and most of the time, do not.
    /// </summary>
    public Population(SimulationModel model, long seed, int hcpCount, IReadOnlyList<FixtureHcp> fixtures, int parallelism, HcpSlice profiles)
    {
        if (hcpCount < fixtures.Count)
        {
            throw new ArgumentException($"The population ({hcpCount}) is smaller than the fixtures file ({fixtures.Count} HCPs); use --hcps of at least {fixtures.Count}.", nameof(hcpCount));
        }
        if (profiles.From < 0 || profiles.To > hcpCount || profiles.From > profiles.To)
        {
            throw new ArgumentOutOfRangeException(nameof(profiles), $"The slice [{profiles.From}, {profiles.To}) is not within the population's {hcpCount} HCPs.");
        }
        Model = model;
        Seed = seed;
        _enrollmentByLane = new Enrollment?[model.Config.MaxConcurrentCampaigns][];
        for (var lane = 0; lane < _enrollmentByLane.Length; lane++)
        {
            _enrollmentByLane[lane] = new Enrollment?[CachedPerLane];
        }
        FirstProfile = profiles.From;
        Profiles = new HcpProfile[profiles.Count];
        Traits = new HcpTraits[hcpCount];
        var generator = new PersonaGenerator(model, seed, fixtures);
        Parallel.For(0, hcpCount, new ParallelOptions { MaxDegreeOfParallelism = Math.Max(1, parallelism) }, i =>
        {
            if (profiles.Contains(i))
            {
                (Profiles[i - profiles.From], Traits[i]) = generator.Generate(i);
            }
            else
            {
                Traits[i] = generator.GenerateTraits(i);
            }
        });
        Field = TerritoryGenerator.Assign(model, seed, Traits);
        Campaigns = new CampaignCalendar(model, seed, hcpCount);
    }

    public SimulationModel Model { get; }
    public long Seed { get; }
    /// <summary>The profile rows, in HCP order: all of them, or those of the slice the population was built for.</summary>
    public HcpProfile[] Profiles { get; }
    /// <summary>The HCP index of <c>Profiles[0]</c>: 0 unless the population was built for a slice.</summary>
    public int FirstProfile { get; }
    public HcpTraits[] Traits { get; }
    /// <summary>The field force: territories, route days and overlay groups.</summary>
    public Territories Field { get; }
    public IReadOnlyList<Rep> Reps => Field.Reps;
    public IReadOnlyList<Rep> OverlayReps => Field.OverlayReps;
    public CampaignCalendar Campaigns { get; }
    public int Count => Traits.Length;

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
        if (hcp.OverlayRep >= 0)
        {
            var o = OverlayReps[hcp.OverlayRep];
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

    /// <summary>Whether an HCP is enrolled in a campaign: the campaign promotes the HCP's brand, its segment is targeted and a keyed draw says so.</summary>
    public bool IsEnrolled(CampaignPlan campaign, int hcp) => EnrollmentOf(campaign).Contains(hcp);

    /// <summary>The HCPs enrolled in a campaign, in index order (a walk over the set bits, not a test of every HCP).</summary>
    public IEnumerable<int> EnrolledHcps(CampaignPlan campaign)
    {
        var bits = EnrollmentOf(campaign).Bits;
        for (var word = 0; word < bits.Length; word++)
        {
            for (var w = bits[word]; w != 0; w &= w - 1)
            {
                yield return word * 64 + System.Numerics.BitOperations.TrailingZeroCount(w);
            }
        }
    }

    /// <summary>
    /// Position of an enrolled HCP among the campaign's enrolled HCPs (by index): email sends go out in
    /// batches of <c>EmailBatchSize</c> consecutive positions.
    /// </summary>
    public int EnrollmentOrdinal(CampaignPlan campaign, int hcp) => EnrollmentOf(campaign).Ordinal(hcp);

    /// <summary>
    /// A campaign's enrolled HCPs, drawn once per campaign: the engine asks for every (campaign, HCP) pair and for
    /// batch positions on each email send, so the draws are kept as one bit per HCP with counts per 64 HCPs.
    /// </summary>
    private Enrollment EnrollmentOf(CampaignPlan campaign)
    {
        // Asked for every HCP-month and campaign: the enrollments of each lane's first campaigns are also read from an array
        // by lane and place (the dictionary's look-up was a noticeable share of a month plan), filled from the dictionary,
        // which keeps one per campaign.
        var lane = campaign.Lane;
        var place = campaign.LaneOrdinal;
        var slots = (uint)lane < (uint)_enrollmentByLane.Length ? _enrollmentByLane[lane] : [];
        if ((uint)place < (uint)slots.Length && Volatile.Read(ref slots[place]) is { } known)
        {
            return known;
        }
        // The lookup must not allocate (a capturing factory would, on every call).
        var enrollment = _enrollment.TryGetValue(campaign.Index, out var found)
            ? found
            : _enrollment.GetOrAdd(campaign.Index, static (_, state) => state.Population.DrawEnrollment(state.Campaign), (Population: this, Campaign: campaign));
        if ((uint)place < (uint)slots.Length)
        {
            Volatile.Write(ref slots[place], enrollment);
        }
        return enrollment;
    }

    /// <summary>Campaigns cached per lane: at the default 14 days or more each, a lane's first 4096 run past 2150; later ones take the dictionary.</summary>
    private const int CachedPerLane = 4096;

    /// <summary>The enrollments of <see cref="EnrollmentOf"/>'s fast path, by lane then place in the lane (null: not drawn yet).</summary>
    private readonly Enrollment?[][] _enrollmentByLane;

    /// <summary>How many HCPs a campaign enrolls.</summary>
    public int EnrolledCount(CampaignPlan campaign)
    {
        var e = EnrollmentOf(campaign);
        return e.Before.Length == 0 ? 0 : e.Before[^1] + System.Numerics.BitOperations.PopCount(e.Bits[^1]);
    }

    /// <summary>
    /// Enrollment: an HCP in one of the campaign's target segments (and, for a Congress Program, of its specialty) is enrolled
    /// by a keyed draw with probability EnrollmentRate (CongressProgramEnrollmentRate for a Congress Program).
    /// </summary>
    private Enrollment DrawEnrollment(CampaignPlan campaign)
    {
        var rate = campaign.Specialty is null ? Model.Config.EnrollmentRate : Model.Config.CongressProgramEnrollmentRate;
        var bits = new ulong[(Count + 63) / 64];
        var before = new int[bits.Length];
        var running = 0;
        for (var word = 0; word < bits.Length; word++)
        {
            before[word] = running;
            var end = Math.Min(Count, (word + 1) * 64);
            for (var h = word * 64; h < end; h++)
            {
                if (Traits[h].Product == campaign.Product && Array.IndexOf(campaign.TargetSegments, Traits[h].Segment) >= 0
                    && (campaign.Specialty is null || campaign.Specialty == Traits[h].Specialty)
                    && new KeyedRandom(Seed, StreamKind.Participation, campaign.Index, h).NextDouble() < rate)
                {
                    bits[word] |= 1UL << (h & 63);
                }
            }
            running += System.Numerics.BitOperations.PopCount(bits[word]);
        }
        return new Enrollment(bits, before);
    }

    /// <param name="Bits">Bit h is set when HCP h is enrolled.</param>
    /// <param name="Before">Enrolled HCPs in the words before each word.</param>
    private sealed record Enrollment(ulong[] Bits, int[] Before)
    {
        public bool Contains(int hcp) => (Bits[hcp >> 6] & (1UL << (hcp & 63))) != 0;

        public int Ordinal(int hcp) =>
            Before[hcp >> 6] + System.Numerics.BitOperations.PopCount(Bits[hcp >> 6] & ((1UL << (hcp & 63)) - 1));
    }

    /// <summary>The participation rows of a campaign's enrolled HCPs as of a day, in HCP order, leaving out the HCPs in <paramref name="excluded"/>.</summary>
    public IEnumerable<CampaignParticipation> ParticipationRows(CampaignPlan campaign, DateOnly asOf, IReadOnlySet<Guid> excluded) =>
        EnrolledHcps(campaign).Where(h => !excluded.Contains(Traits[h].Id)).Select(h => ParticipationRow(campaign, h, asOf));

    /// <summary>
    /// One HCP's participation rows as of a day: a row for each of <paramref name="campaigns"/> it is enrolled in, in that
    /// order (the same rows <see cref="ParticipationRows"/> gives campaign by campaign).
    /// </summary>
    public IEnumerable<CampaignParticipation> ParticipationRowsOf(int hcp, IReadOnlyList<CampaignPlan> campaigns, DateOnly asOf)
    {
        foreach (var campaign in campaigns)
        {
            if (IsEnrolled(campaign, hcp))
            {
                yield return ParticipationRow(campaign, hcp, asOf);
            }
        }
    }

    private CampaignParticipation ParticipationRow(CampaignPlan campaign, int hcp, DateOnly asOf)
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
