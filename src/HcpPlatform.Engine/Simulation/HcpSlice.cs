namespace HcpPlatform.Engine.Simulation;

/// <summary>HCPs [<see cref="From"/>, <see cref="To"/>) of a population, by index: a shard's share of the work.</summary>
public readonly record struct HcpSlice(int From, int To)
{
    public int Count => To - From;

    public bool Contains(int hcp) => hcp >= From && hcp < To;

    /// <summary>
    /// Shard <paramref name="shard"/> (1-based) of <paramref name="shards"/> over <paramref name="hcpCount"/> HCPs: consecutive
    /// slices whose sizes differ by at most one, covering the population exactly once.
    /// </summary>
    public static HcpSlice ForShard(int shard, int shards, int hcpCount)
    {
        if (shards < 1 || shard < 1 || shard > shards)
        {
            throw new ArgumentOutOfRangeException(nameof(shard), $"Shard {shard} of {shards} does not exist; shards are numbered 1 to N.");
        }
        return new HcpSlice((int)((long)(shard - 1) * hcpCount / shards), (int)((long)shard * hcpCount / shards));
    }
}
