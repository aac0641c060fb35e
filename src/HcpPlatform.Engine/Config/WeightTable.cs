using HcpPlatform.Engine.Randomness;

namespace HcpPlatform.Engine.Config;

/// <summary>
/// A categorical distribution in a canonical (ordinal-sorted) order, so draws never depend on
/// dictionary enumeration order.
/// </summary>
public sealed class WeightTable
{
    public WeightTable(IReadOnlyDictionary<string, double> weights)
    {
        Names = weights.Keys.OrderBy(k => k, StringComparer.Ordinal).ToArray();
        Weights = Names.Select(n => weights[n]).ToArray();
        var total = Weights.Sum();
        Shares = Weights.Select(w => w / total).ToArray();
    }

    public string[] Names { get; }
    public double[] Weights { get; }
    public double[] Shares { get; }

    public string Draw(ref KeyedRandom rng) => Names[rng.Choose(Weights)];

    public double ShareOf(string name)
    {
        var i = Array.IndexOf(Names, name);
        return i < 0 ? 0 : Shares[i];
    }
}
