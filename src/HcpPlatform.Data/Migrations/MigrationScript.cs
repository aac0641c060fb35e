using System.Globalization;
using System.Reflection;
using System.Security.Cryptography;
using System.Text;
using System.Text.RegularExpressions;

namespace HcpPlatform.Data.Migrations;

/// <summary>One versioned SQL script, e.g. <c>V001__initial_schema.sql</c>.</summary>
public sealed partial class MigrationScript
{
    /// <summary>Prefix of the manifest resource names the Data project embeds (see its .csproj).</summary>
    public const string ResourcePrefix = "HcpPlatform.Data.Migrations.";

    public MigrationScript(int version, string name, string sql)
    {
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(version);
        ArgumentException.ThrowIfNullOrWhiteSpace(name);
        ArgumentNullException.ThrowIfNull(sql);
        Version = version;
        Name = name;
        // Line endings are normalised so that a CRLF checkout does not look like an edited migration.
        Sql = sql.Replace("\r\n", "\n", StringComparison.Ordinal);
        Checksum = Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(Sql)));
    }

    public int Version { get; }
    public string Name { get; }
    public string Sql { get; }

    /// <summary>SHA-256 of the script (UTF-8, LF line endings), lowercase hex.</summary>
    public string Checksum { get; }

    /// <summary>V001__initial_schema</summary>
    public string DisplayName => string.Create(CultureInfo.InvariantCulture, $"V{Version:D3}__{Name}");

    public override string ToString() => DisplayName;

    /// <summary>The scripts embedded in this assembly, ordered by version.</summary>
    public static IReadOnlyList<MigrationScript> LoadEmbedded() => LoadEmbedded(typeof(MigrationScript).Assembly);

    internal static IReadOnlyList<MigrationScript> LoadEmbedded(Assembly assembly)
    {
        var scripts = new List<MigrationScript>();
        foreach (var resource in assembly.GetManifestResourceNames())
        {
            if (!resource.StartsWith(ResourcePrefix, StringComparison.Ordinal)
                || !resource.EndsWith(".sql", StringComparison.OrdinalIgnoreCase))
            {
                continue;
            }

            var fileName = resource[ResourcePrefix.Length..];
            var match = FileNamePattern().Match(fileName);
            if (!match.Success)
            {
                // A misnamed script would silently never run: refuse to start instead.
                throw new InvalidOperationException(
                    $"Embedded migration '{fileName}' is not named V<version>__<name>.sql (e.g. V002__add_views.sql).");
            }

            using var stream = assembly.GetManifestResourceStream(resource)
                ?? throw new InvalidOperationException($"Embedded migration '{resource}' cannot be read.");
            using var reader = new StreamReader(stream, Encoding.UTF8, detectEncodingFromByteOrderMarks: true);
            scripts.Add(new MigrationScript(
                int.Parse(match.Groups["version"].Value, NumberStyles.None, CultureInfo.InvariantCulture),
                match.Groups["name"].Value,
                reader.ReadToEnd()));
        }

        return Ordered(scripts);
    }

    /// <summary>Orders scripts by version and rejects duplicate versions.</summary>
    internal static IReadOnlyList<MigrationScript> Ordered(IEnumerable<MigrationScript> scripts)
    {
        var ordered = scripts.OrderBy(s => s.Version).ToList();
        for (var i = 1; i < ordered.Count; i++)
        {
            if (ordered[i].Version == ordered[i - 1].Version)
            {
                throw new InvalidOperationException(
                    $"Two migrations share version {ordered[i].Version}: {ordered[i - 1]} and {ordered[i]}.");
            }
        }
        return ordered;
    }

    [GeneratedRegex(@"^V(?<version>[0-9]{1,9})__(?<name>[A-Za-z0-9_]+)\.sql$", RegexOptions.CultureInvariant)]
    private static partial Regex FileNamePattern();
}
