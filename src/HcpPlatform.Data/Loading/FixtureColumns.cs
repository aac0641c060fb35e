using System.Globalization;
using HcpPlatform.Engine.Generators;

namespace HcpPlatform.Data.Loading;

/// <summary>
/// The free-text fixture fields checked against the hcp_profiles columns they land in (V001; the model's HasMaxLength),
/// so an over-long name is a clear usage error before anything is generated rather than a PostgreSQL error mid-load.
/// The other fixture fields are checked against their allowed values by <see cref="Fixtures.Parse"/>.
/// </summary>
public static class FixtureColumns
{
    private static readonly (string Field, int MaxLength, Func<FixtureHcp, string?> Value)[] Limits =
    [
        ("firstName", 100, f => f.FirstName),
        ("lastName", 100, f => f.LastName),
        ("city", 100, f => f.City),
        ("organization", 200, f => f.Organization),
    ];

    /// <summary>The first fixture field too long for its column, named with its entry and the limit; null when all fit.</summary>
    public static string? Problem(IReadOnlyList<FixtureHcp> fixtures, string source)
    {
        ArgumentNullException.ThrowIfNull(fixtures);
        for (var i = 0; i < fixtures.Count; i++)
        {
            foreach (var (field, max, value) in Limits)
            {
                if (value(fixtures[i]) is { } text && text.Length > max)
                {
                    return string.Create(CultureInfo.InvariantCulture,
                        $"{source}: entry {i + 1}'s {field} has {text.Length} characters; at most {max} are allowed.");
                }
            }
        }
        return null;
    }
}
