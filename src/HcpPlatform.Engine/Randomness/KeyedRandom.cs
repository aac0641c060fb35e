using System.Runtime.CompilerServices;

namespace HcpPlatform.Engine.Randomness;

/// <summary>What a random stream is drawn for; part of every stream key. Values are pinned: never renumber.</summary>
public enum StreamKind : ulong
{
    Persona = 1,
    Npi = 2,
    Territory = 3,
    Campaign = 4,
    Participation = 5,
    Budget = 6,
    Placement = 7,
    RepDay = 8,
    Stimulus = 9,
    Outcome = 10,
    Rx = 11,
    ContactLimit = 12,
    Webinar = 13,
    Conference = 14,
    Rep = 15,
    Dynamics = 16,
    /// <summary>A rep's day: the order of its calls and their times.</summary>
    Route = 17,
    /// <summary>When an HCP is due a rep visit (the phase and jitter of its visit cadence).</summary>
    Visit = 18,
    /// <summary>When an HCP's email address lapses (hard bounce, then suppression).</summary>
    AddressLapse = 19,
    /// <summary>When a response comes (its latency in the HCP's activity time).</summary>
    Timing = 20,
    /// <summary>The local time of a touch on its day.</summary>
    TouchTime = 21,
    /// <summary>A practice's street address and ZIP, keyed by a hash of its state, city and organization.</summary>
    Address = 22,
    /// <summary>An intervention's draws: assignment per (intervention, HCP), exposure placement, ids of its touches.</summary>
    Intervention = 23,
}

/// <summary>
/// A random stream keyed by (seed, kind, entity index, day, purpose). The algorithm is pinned
/// (SplitMix64 over a SplitMix64-mixed key) so the same key gives the same numbers on every
/// runtime, thread count and machine; System.Random's algorithm is unspecified and is not used.
/// </summary>
public struct KeyedRandom
{
    private ulong _state;

    public KeyedRandom(long seed, StreamKind kind, long index, long day = 0, long purpose = 0)
    {
        _state = Key(seed, kind, index, day, purpose);
    }

    /// <summary>The 64-bit key of a stream; also the basis of deterministic ids.</summary>
    public static ulong Key(long seed, StreamKind kind, long index, long day, long purpose)
    {
        var h = Mix((ulong)seed ^ 0x9E3779B97F4A7C15UL);
        h = Mix(h ^ (ulong)kind);
        h = Mix(h ^ (ulong)index);
        h = Mix(h ^ (ulong)day);
        return Mix(h ^ (ulong)purpose);
    }

    /// <summary>SplitMix64 finaliser: a bijective avalanche of 64 bits.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static ulong Mix(ulong z)
    {
        z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9UL;
        z = (z ^ (z >> 27)) * 0x94D049BB133111EBUL;
        return z ^ (z >> 31);
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public ulong NextUInt64()
    {
        _state += 0x9E3779B97F4A7C15UL;
        return Mix(_state);
    }

    /// <summary>Uniform in [0, 1).</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public double NextDouble() => (NextUInt64() >> 11) * (1.0 / (1UL << 53));

    /// <summary>Uniform integer in [0, n).</summary>
    public int NextInt(int n)
    {
        if (n <= 0)
        {
            throw new ArgumentOutOfRangeException(nameof(n), n, "must be positive");
        }
        return (int)(((NextUInt64() >> 32) * (ulong)n) >> 32);
    }

    /// <summary>Uniform integer in [min, max] inclusive.</summary>
    public int NextInt(int min, int max) => min + NextInt(max - min + 1);

    public double Uniform(double min, double max) => min + (max - min) * NextDouble();

    public bool Chance(double p) => NextDouble() < p;

    /// <summary>Standard normal by Box–Muller (one value per call, the pair's twin discarded for simplicity).</summary>
    public double Normal(double mean = 0, double sd = 1)
    {
        var u1 = 1.0 - NextDouble();
        var u2 = NextDouble();
        return mean + sd * Math.Sqrt(-2.0 * Math.Log(u1)) * Math.Cos(2.0 * Math.PI * u2);
    }

    /// <summary>Exponential with the given mean.</summary>
    public double Exponential(double mean) => -mean * Math.Log(1.0 - NextDouble());

    /// <summary>Exponential with the given mean, truncated to (0, max] by inverse CDF (no rejection loop).</summary>
    public double TruncatedExponential(double mean, double max)
    {
        var u = NextDouble();
        var tail = 1.0 - Math.Exp(-max / mean);
        return -mean * Math.Log(1.0 - u * tail);
    }

    /// <summary>Poisson by inversion; means here are small (a few touches a month).</summary>
    public int Poisson(double mean)
    {
        if (mean <= 0)
        {
            return 0;
        }
        if (mean > 30)
        {
            return Math.Max(0, (int)Math.Round(Normal(mean, Math.Sqrt(mean))));
        }
        var l = Math.Exp(-mean);
        var k = 0;
        var p = NextDouble();
        var cumulative = l;
        var term = l;
        while (p > cumulative && k < 200)
        {
            k++;
            term *= mean / k;
            cumulative += term;
        }
        return k;
    }

    /// <summary>
    /// Poisson of any mean, exactly (no normal approximation): inversion below a mean of 10, above it Hörmann's transformed
    /// rejection with squeeze (PTRS, "The transformed rejection method for generating Poisson random variables", 1993), whose
    /// cost does not grow with the mean.
    /// </summary>
    public int PoissonExact(double mean)
    {
        if (!(mean > 0))
        {
            return 0;
        }
        if (mean < 10)
        {
            return Poisson(mean);
        }
        var sqrt = Math.Sqrt(mean);
        var log = Math.Log(mean);
        var b = 0.931 + 2.53 * sqrt;
        var a = -0.059 + 0.02483 * b;
        var alpha = 1.1239 + 1.1328 / (b - 3.4);
        var vr = 0.9277 - 3.6224 / (b - 2);
        while (true)
        {
            var u = NextDouble() - 0.5;
            var v = NextDouble();
            var us = 0.5 - Math.Abs(u);
            var k = Math.Floor((2 * a / us + b) * u + mean + 0.43);
            if (us >= 0.07 && v <= vr)
            {
                return (int)k;
            }
            if (k < 0 || (us < 0.013 && v > us))
            {
                continue;
            }
            if (Math.Log(v) + Math.Log(alpha) - Math.Log(a / (us * us) + b) <= -mean + k * log - Statistics.Stats.LogGamma(k + 1))
            {
                return (int)k;
            }
        }
    }

    /// <summary>Gamma with the given shape (≥ 1) and scale 1, by Marsaglia and Tsang's method (2000).</summary>
    public double Gamma(double shape)
    {
        if (!(shape >= 1))
        {
            throw new ArgumentOutOfRangeException(nameof(shape), shape, "must be at least 1");
        }
        var d = shape - 1.0 / 3;
        var c = 1 / Math.Sqrt(9 * d);
        while (true)
        {
            double x, v;
            do
            {
                x = Normal();
                v = 1 + c * x;
            }
            while (v <= 0);
            v = v * v * v;
            var u = NextDouble();
            if (u < 1 - 0.0331 * x * x * x * x || Math.Log(u) < 0.5 * x * x + d * (1 - v + Math.Log(v)))
            {
                return d * v;
            }
        }
    }

    /// <summary>Index drawn with probability proportional to weights (which need not sum to 1).</summary>
    public int Choose(ReadOnlySpan<double> weights)
    {
        var total = 0.0;
        foreach (var w in weights)
        {
            total += w;
        }
        var target = NextDouble() * total;
        var acc = 0.0;
        for (var i = 0; i < weights.Length; i++)
        {
            acc += weights[i];
            if (target < acc)
            {
                return i;
            }
        }
        return weights.Length - 1;
    }

    public T Pick<T>(IReadOnlyList<T> items) => items[NextInt(items.Count)];
}
