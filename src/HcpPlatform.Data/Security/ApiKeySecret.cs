using System.Buffers.Text;
using System.Security.Cryptography;
using System.Text;

namespace HcpPlatform.Data.Security;

/// <summary>The scopes an API key can have: read (every GET) or admin (everything, including mutating calls).</summary>
public static class ApiKeyScopes
{
    public const string Read = "read";
    public const string Admin = "admin";

    public static readonly IReadOnlyList<string> All = [Read, Admin];

    public static bool IsValid(string? scope) => scope is Read or Admin;

    /// <summary>Whether a key of scope <paramref name="granted"/> may call an endpoint that needs <paramref name="required"/>.</summary>
    public static bool Satisfies(string granted, string required) => granted == Admin || (granted == Read && required == Read);
}

/// <summary>
/// The one implementation of API key material, shared by the CLI (<c>hcp keys</c>) and the admin API:
/// a key is <c>hcp_</c> + 43 base64url characters (256 random bits); only its SHA-256 (hex) is stored, with its first
/// <see cref="PrefixLength"/> characters as a non-secret prefix to identify it. Hashes are compared in constant time.
/// </summary>
public static class ApiKeySecret
{
    public const string Marker = "hcp_";
    public const int RandomBytes = 32;
    /// <summary>Characters of a key: the marker and the base64url (unpadded) form of <see cref="RandomBytes"/> bytes.</summary>
    public const int KeyLength = 47;
    /// <summary>Characters shown to identify a key: the marker and 8 random characters (48 bits).</summary>
    public const int PrefixLength = 12;
    /// <summary>Lower bound for a key given in configuration (AdminApi:BootstrapKey), which need not have the generated shape.</summary>
    public const int MinConfiguredKeyLength = 32;

    /// <summary>A new random key. Show it once; store only <see cref="Hash"/> and <see cref="PrefixOf"/>.</summary>
    public static string Generate() => Marker + Base64Url.EncodeToString(RandomNumberGenerator.GetBytes(RandomBytes));

    /// <summary>True when the text has the shape of a generated key (a cheap filter before any lookup).</summary>
    public static bool HasKeyShape(string? key)
    {
        if (key is null || key.Length != KeyLength || !key.StartsWith(Marker, StringComparison.Ordinal))
        {
            return false;
        }
        foreach (var c in key.AsSpan(Marker.Length))
        {
            if (!(char.IsAsciiLetterOrDigit(c) || c == '-' || c == '_'))
            {
                return false;
            }
        }
        return true;
    }

    public static string PrefixOf(string key) => key.Length <= PrefixLength ? key : key[..PrefixLength];

    public static byte[] HashBytes(string key) => SHA256.HashData(Encoding.UTF8.GetBytes(key));

    /// <summary>SHA-256 of the whole key, lower-case hex (the stored form, platform.api_keys.key_hash).</summary>
    public static string Hash(string key) => Convert.ToHexStringLower(HashBytes(key));

    /// <summary>Parses a stored hex hash; an empty array when it is not 64 hex digits.</summary>
    public static byte[] ParseHash(string hex)
    {
        if (hex.Length != 64)
        {
            return [];
        }
        try
        {
            return Convert.FromHexString(hex);
        }
        catch (FormatException)
        {
            return [];
        }
    }

    /// <summary>Constant-time comparison of two hashes (the time does not depend on where they differ).</summary>
    public static bool HashesEqual(ReadOnlySpan<byte> a, ReadOnlySpan<byte> b) => CryptographicOperations.FixedTimeEquals(a, b);

    /// <summary>Whether the presented key is the one whose stored hash is given, compared in constant time.</summary>
    public static bool Matches(string presentedKey, string storedHashHex) =>
        HashesEqual(HashBytes(presentedKey), ParseHash(storedHashHex));
}
