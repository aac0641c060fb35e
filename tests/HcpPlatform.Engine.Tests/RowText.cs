using System.Globalization;
using System.Reflection;

namespace HcpPlatform.Engine.Tests;

/// <summary>Every public property of a row as text, so two rows compare field for field.</summary>
internal static class RowText
{
    public static string Of(object row)
    {
        var props = row.GetType().GetProperties(BindingFlags.Public | BindingFlags.Instance).OrderBy(p => p.Name, StringComparer.Ordinal)
            .Where(p => !(OptionalSince.Contains(p.Name) && p.GetValue(row) is null));
        return string.Join("|", props.Select(p => p.Name + "=" + Convert.ToString(p.GetValue(row), CultureInfo.InvariantCulture)));
    }

    /// <summary>
    /// Properties added after the engine's digests were taken that a row without them leaves null (a stimulus's intervention):
    /// left out when null, so such a row prints exactly as before and the digests hold.
    /// </summary>
    private static readonly HashSet<string> OptionalSince = ["InterventionId"];

    public static List<string> All<T>(IEnumerable<T> rows) where T : notnull => rows.Select(r => Of(r)).ToList();
}
