using System.Globalization;
using System.Text;
using Bogus;
using Bogus.DataSets;
using HcpPlatform.Engine.Config;
using HcpPlatform.Engine.Model;
using HcpPlatform.Engine.Randomness;
using HcpPlatform.Engine.Reference;
using HcpPlatform.Engine.Simulation;

namespace HcpPlatform.Engine.Generators;

/// <summary>
/// HCP personas (000 Task 4). Persona #i is a pure function of (seed, i), so a larger population is a
/// superset of a smaller one; fixtures occupy the first slots. Draw order is pinned: add new draws last.
/// </summary>
public sealed class PersonaGenerator(SimulationModel model, long seed, IReadOnlyList<FixtureHcp> fixtures)
{
    private static readonly string[] CredentialNames = ["MD", "DO", "NP", "PA"];

    /// <summary>
    /// Credential weights (MD, DO, NP, PA) by segment: about 80% MDs, 12% DOs and 8% nurse practitioners and physician
    /// assistants overall, the NPs and PAs among new targets and growth prospects rather than key accounts, and no NP or PA
    /// among academic leaders. A segment not listed takes the overall mix.
    /// </summary>
    private static readonly Dictionary<string, double[]> CredentialWeightsBySegment = new(StringComparer.Ordinal)
    {
        ["Academic Leader"] = [0.88, 0.12, 0, 0],
        ["High Prescriber"] = [0.80, 0.12, 0.05, 0.03],
        ["Growth Potential"] = [0.76, 0.12, 0.08, 0.04],
        ["Engaged Digital"] = [0.76, 0.12, 0.08, 0.04],
        ["Traditional Preference"] = [0.82, 0.13, 0.03, 0.02],
        ["New Target"] = [0.70, 0.12, 0.11, 0.07],
    };

    private static readonly double[] CredentialWeights = [0.80, 0.12, 0.05, 0.03];

    /// <summary>Credential weights (MD, DO, NP, PA) for a segment.</summary>
    public static double[] CredentialWeightsFor(string segment) => CredentialWeightsBySegment.GetValueOrDefault(segment, CredentialWeights);
    private readonly HashSet<string> _fixtureNpis = fixtures.Select(f => f.Npi).ToHashSet(StringComparer.Ordinal);
    private readonly Dictionary<string, int> _fixtureSlotByNpi = fixtures.Select((f, i) => (f.Npi, i)).ToDictionary(x => x.Npi, x => x.i, StringComparer.Ordinal);

    public (HcpProfile Profile, HcpTraits Traits) Generate(int slot)
    {
        var (profile, traits) = Generate(slot, withProfile: true);
        return (profile!, traits);
    }

    /// <summary>
    /// The traits of persona #<paramref name="slot"/> alone, identical to <see cref="Generate(int)"/>'s: the same draws up to the
    /// last one the traits use, without the names and texts only the profile row carries (a shard needs every HCP's traits but
    /// only its own HCPs' profiles).
    /// </summary>
    public HcpTraits GenerateTraits(int slot) => Generate(slot, withProfile: false).Traits;

    private (HcpProfile? Profile, HcpTraits Traits) Generate(int slot, bool withProfile)
    {
        var fixture = slot < fixtures.Count ? fixtures[slot] : null;
        var rng = new KeyedRandom(seed, StreamKind.Persona, slot);

        var specialty = model.Specialties.Draw(ref rng);
        var tier = model.TierTableFor(specialty).Draw(ref rng);
        specialty = fixture?.Specialty ?? specialty;
        tier = fixture?.Tier ?? tier;
        var tierIndex = SimulationModel.TierIndex(tier);
        var segment = model.SegmentByTier[tierIndex].Draw(ref rng);
        segment = fixture?.Segment ?? segment;
        var credential = CredentialNames[rng.Choose(CredentialWeightsFor(segment))];
        credential = fixture?.Credential ?? credential;

        var state = Geography.States[rng.Choose(Geography.StateWeights)];
        if (fixture?.State is { } fixtureState)
        {
            state = Geography.Find(fixtureState)!;
        }
        var city = UsCities.In(state.Code)[rng.Choose(UsCities.Weights(state.Code))].Name;
        city = fixture?.City ?? city;
        var organizationVariant = rng.NextInt(Geography.OrganizationVariants);

        var affinity = new double[Channel.Count];
        var segmentAffinity = model.Config.SegmentChannelAffinity[segment];
        for (var c = 0; c < Channel.Count; c++)
        {
            affinity[c] = Math.Round(Math.Clamp(rng.Normal(segmentAffinity[Channel.Names[c]], 0.12), 0.02, 0.98), 4);
        }
        var preferredContent = rng.Choose(model.Content.Weights);
        // Lognormal with mean 1: an HCP answers faster or slower than the population by a stable factor.
        const double latencySigma = 0.25;
        var latencyFactor = Math.Round(Math.Exp(rng.Normal(0, latencySigma) - latencySigma * latencySigma / 2), 4);
        var volatility = Math.Round(rng.Uniform(0.05, 0.5), 4);
        var conversion = Math.Round(segment switch
        {
            "High Prescriber" => rng.Uniform(0.35, 0.60),
            "Academic Leader" => rng.Uniform(0.25, 0.45),
            "New Target" => rng.Uniform(0.05, 0.20),
            "Traditional Preference" => rng.Uniform(0.15, 0.30),
            _ => rng.Uniform(0.15, 0.35),
        }, 4);
        // Prescribing traits, from a stream of their own: whether the HCP writes the brand at all (zero-inflation) and its
        // patient volume in the brand's class (heavy-tailed: lognormal with mean 1 around the specialty's mean).
        var cfg = model.Config;
        var rx = new KeyedRandom(seed, StreamKind.Persona, slot, 0, 1);
        if (!rx.Chance(cfg.RxWriterShare[segment]))
        {
            conversion = 0;
        }
        // (Fault FlatPatientVolume: no spread around the specialty's mean.)
        var sigma = model.Has(EngineFault.FlatPatientVolume) ? 0 : cfg.RxPatientVolumeSigma;
        var patientVolume = Math.Max(1, (int)Math.Round(cfg.RxBaselineMultiplier * cfg.RxSpecialtyVolume.GetValueOrDefault(specialty, 1.0)
            * Math.Exp(rx.Normal(0, sigma) - sigma * sigma / 2)));
        var limits = ContactLimitGenerator.Rules(model, seed, slot, tierIndex);
        var blackouts = ContactLimitGenerator.Blackouts(seed, slot);
        var id = DeterministicId.Create(seed, StreamKind.Persona, slot);
        var traits = new HcpTraits
        {
            Index = slot,
            Id = id,
            Tier = tierIndex,
            Segment = segment,
            Specialty = specialty,
            State = state.Code,
            City = city,
            Region = state.Region,
            TimeZone = Geography.TimeZoneOf(state.Code, city),
            PreferredContent = preferredContent,
            Affinity = affinity,
            LatencyFactor = latencyFactor,
            Volatility = volatility,
            BaseConversionRate = conversion,
            PatientVolume = patientVolume,
            // (Fault ProductByIndex: a brand by the HCP's index, whatever its specialty.)
            Product = model.Has(EngineFault.ProductByIndex) ? Specialties.Products[slot % Specialties.Products.Count] : Specialties.ProductFor(specialty).Name,
            Limits = limits,
            Blackouts = blackouts,
        };
        if (!withProfile)
        {
            return (null, traits);
        }

        var organization = fixture?.Organization ?? Geography.Organization(city, specialty, organizationVariant);
        var nameSeed = (int)(rng.NextUInt64() & 0x7FFFFFFF);
        var female = rng.Chance(0.5);

        string firstName, lastName;
        if (fixture is not null)
        {
            (firstName, lastName) = (fixture.FirstName, fixture.LastName);
        }
        else
        {
            // Bogus takes a global lock per draw: one local-seeded instance per persona, one draw. Surnames follow the Census.
            var names = new Name("en") { Random = new Randomizer(nameSeed) };
            firstName = names.FirstName(female ? Name.Gender.Female : Name.Gender.Male);
            var surname = new KeyedRandom(seed, StreamKind.Persona, slot, 0, 2);
            lastName = Surnames.Census2010[surname.Choose(Surnames.Weights)].Name;
        }
        var (addressLine, zip) = Address(state, city, organization);

        var profile = new HcpProfile
        {
            Id = id,
            HcpIndex = slot,
            Npi = fixture?.Npi ?? NpiFor(slot),
            FirstName = firstName,
            LastName = lastName,
            Credential = credential,
            Specialty = specialty,
            TaxonomyCode = Specialties.TaxonomyFor(specialty, credential),
            Tier = tier,
            Segment = segment,
            State = state.Code,
            City = city,
            Region = state.Region,
            TimeZone = traits.TimeZone.Name,
            Organization = organization,
            ChannelAffinities = AffinityJson(affinity),
            PreferredChannel = Channel.Names[ArgMax(affinity)],
            PreferredContent = model.Content.Names[preferredContent],
            ResponseLatencyFactor = latencyFactor,
            EngagementVolatility = volatility,
            BaseConversionRate = conversion,
            IsFixture = fixture is not null,
            AddressLine = addressLine,
            Zip = zip,
            PatientVolume = patientVolume,
        };
        return (profile, traits);
    }

    /// <summary>
    /// A practice's street address and ZIP code: a function of (seed, state, city, organization), so the HCPs of one
    /// organization share them. A city outside the reference table (a fixture's) takes its state's largest city's ZIPs.
    /// </summary>
    private (string AddressLine, string Zip) Address(UsState state, string city, string organization)
    {
        var key = StimuliGenerator.StableHash(state.Code + "|" + city + "|" + organization);
        var rng = new KeyedRandom(seed, StreamKind.Address, (long)(key & 0x7FFF_FFFF_FFFF_FFFF));
        var number = rng.Chance(0.7) ? rng.NextInt(100, 2999) : rng.NextInt(3000, 19999);
        var street = UsCities.StreetNames[rng.NextInt(UsCities.StreetNames.Count)];
        var suffix = UsCities.StreetSuffixes[rng.Choose(UsCities.StreetSuffixWeights)];
        var suite = rng.Chance(0.6) ? string.Create(CultureInfo.InvariantCulture, $", Suite {rng.NextInt(1, 9)}{rng.NextInt(0, 9)}0") : "";
        var zipIndex = rng.NextInt(1_000_000);
        var place = UsCities.Find(state.Code, city) ?? UsCities.In(state.Code)[0];
        return (string.Create(CultureInfo.InvariantCulture, $"{number} {street} {suffix}{suite}"), place.Zip(zipIndex));
    }

    /// <summary>The slot's NPI, moved aside (deterministically) in the rare case a fixture already holds it.</summary>
    private string NpiFor(int slot)
    {
        var npi = Npi.ForSlot(seed, slot);
        if (_fixtureNpis.Contains(npi))
        {
            // Slots never reach the top of the permutation's domain, so these values are free.
            npi = Npi.ForSlot(seed, Npi.Bodies - 1 - _fixtureSlotByNpi[npi]);
        }
        return npi;
    }

    private static int ArgMax(double[] values)
    {
        var best = 0;
        for (var i = 1; i < values.Length; i++)
        {
            if (values[i] > values[best])
            {
                best = i;
            }
        }
        return best;
    }

    private static string AffinityJson(double[] affinity)
    {
        var sb = new StringBuilder(160).Append('{');
        for (var c = 0; c < affinity.Length; c++)
        {
            if (c > 0)
            {
                sb.Append(", ");
            }
            // Affinities are rounded to 4 decimals inside (0, 1), so the shortest round-trip text is what the format "0.0###"
            // gives, at a fraction of a custom format's cost (600,000 of them at load_test scale).
            sb.Append('"').Append(Channel.Names[c]).Append("\": ").Append(CultureInfo.InvariantCulture, $"{affinity[c]}");
        }
        return sb.Append('}').ToString();
    }
}
