using HcpPlatform.Engine.Randomness;

namespace HcpPlatform.Engine.Generators;

/// <summary>
/// National Provider Identifier rules (CMS): 10 digits, first 1 or 2, Luhn check digit over "80840" + the first nine. NPIs
/// starting with 1 are individuals' (type 1), those starting with 2 organizations': every HCP gets one starting with 1.
/// </summary>
public static class Npi
{
    /// <summary>How many NPI bodies the slots are mapped onto: 100000000..199999999, an individual's (first digit 1).</summary>
    public const int Bodies = 100_000_000;

    private const int BodyCount = Bodies;
    private const int HalfBits = 14;
    private const uint HalfMask = (1u << HalfBits) - 1;

    /// <summary>Check digit for a nine-digit body.</summary>
    public static int CheckDigit(ReadOnlySpan<char> body)
    {
        if (body.Length != 9)
        {
            throw new ArgumentException("An NPI body has nine digits.", nameof(body));
        }
        // "80840" contributes 24 to the Luhn sum; the body's rightmost digit is doubled.
        var sum = 24;
        for (var i = 0; i < 9; i++)
        {
            var d = body[8 - i] - '0';
            if (d is < 0 or > 9)
            {
                throw new ArgumentException("An NPI body has only digits.", nameof(body));
            }
            if (i % 2 == 0)
            {
                d *= 2;
                if (d > 9)
                {
                    d -= 9;
                }
            }
            sum += d;
        }
        return (10 - sum % 10) % 10;
    }

    public static bool IsValid(string? npi)
    {
        if (npi is null || npi.Length != 10 || (npi[0] != '1' && npi[0] != '2'))
        {
            return false;
        }
        foreach (var c in npi)
        {
            if (c is < '0' or > '9')
            {
                return false;
            }
        }
        return CheckDigit(npi.AsSpan(0, 9)) == npi[9] - '0';
    }

    public static string FromBody(int body)
    {
        var text = body.ToString("D9");
        return text + (char)('0' + CheckDigit(text));
    }

    /// <summary>
    /// The NPI of slot <paramref name="slot"/>: a keyed permutation (4-round Feistel with cycle walking) of the individual
    /// body space, so slots never collide and slot i's NPI does not depend on the population size.
    /// </summary>
    public static string ForSlot(long seed, int slot) => FromBody(100_000_000 + Permute(seed, slot));

    internal static int Permute(long seed, int value)
    {
        if (value is < 0 or >= BodyCount)
        {
            throw new ArgumentOutOfRangeException(nameof(value));
        }
        var x = (uint)value;
        do
        {
            x = Feistel(seed, x);
        }
        while (x >= BodyCount);
        return (int)x;
    }

    private static uint Feistel(long seed, uint x)
    {
        var left = x >> HalfBits;
        var right = x & HalfMask;
        for (var round = 0; round < 4; round++)
        {
            var f = (uint)KeyedRandom.Key(seed, StreamKind.Npi, round, right, 0) & HalfMask;
            (left, right) = (right, left ^ f);
        }
        return (left << HalfBits) | right;
    }
}
