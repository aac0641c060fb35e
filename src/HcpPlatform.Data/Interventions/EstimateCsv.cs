using System.Globalization;
using HcpPlatform.Data.Platform;
using HcpPlatform.Engine.Statistics;
using Npgsql;

namespace HcpPlatform.Data.Interventions;

/// <summary>An estimates file that cannot be read: the message names the line and what is allowed.</summary>
public sealed class EstimateFormatException(string message) : FormatException(message);

/// <summary>
/// Reads a model's estimates from CSV, in one of two shapes (a header line first; blank lines and lines starting with #
/// are skipped; numbers with a decimal point; columns in any order, names case-insensitive):
/// <list type="bullet">
/// <item>per HCP: <c>hcp_id,effect[,lower,upper]</c> (or <c>npi</c> instead of <c>hcp_id</c>), one line per HCP: the estimated
/// effect on the outcome's total over the intervention's window;</item>
/// <item>one ATE: <c>ate[,lower,upper]</c> and one line: the estimated average effect and its confidence interval.</item>
/// </list>
/// </summary>
public static class EstimateCsv
{
    public const int MaxLines = 2_000_000;

    private static readonly string[] Known = ["hcp_id", "npi", "effect", "lower", "upper", "ate"];

    /// <summary>
    /// Parses <paramref name="csv"/>; NPIs (an <c>npi</c> column) are resolved with <paramref name="hcpIdByNpi"/>, which
    /// is then required.
    /// </summary>
    public static EstimateInput Parse(string csv, IReadOnlyDictionary<string, Guid>? hcpIdByNpi = null)
    {
        ArgumentNullException.ThrowIfNull(csv);
        var lines = Lines(csv).ToList();
        if (lines.Count == 0)
        {
            throw new EstimateFormatException("The estimates are empty; expected a header line 'hcp_id,effect[,lower,upper]' (or npi instead of hcp_id) or 'ate[,lower,upper]', then the values.");
        }
        var (headerLine, headerText) = lines[0];
        var columns = headerText.Split(',').Select(c => c.Trim().Trim('"').ToLowerInvariant()).ToArray();
        foreach (var c in columns)
        {
            if (!Known.Contains(c))
            {
                throw new EstimateFormatException($"line {headerLine}: column '{InputEcho.Of(c)}' is unknown; allowed: hcp_id or npi, effect, lower, upper (per HCP), or ate, lower, upper (one ATE).");
            }
        }
        if (columns.Distinct(StringComparer.Ordinal).Count() != columns.Length)
        {
            throw new EstimateFormatException($"line {headerLine}: a column is named twice.");
        }
        int Column(string name) => Array.IndexOf(columns, name);
        var lower = Column("lower");
        var upper = Column("upper");
        if ((lower < 0) != (upper < 0))
        {
            throw new EstimateFormatException($"line {headerLine}: give both lower and upper (an interval), or neither.");
        }
        var data = lines.Skip(1).ToList();
        if (data.Count > MaxLines)
        {
            throw new EstimateFormatException($"The estimates have {data.Count:N0} lines; at most {MaxLines:N0}.");
        }

        if (Column("ate") is var ate and >= 0)
        {
            if (columns.Any(c => c is "hcp_id" or "npi" or "effect"))
            {
                throw new EstimateFormatException($"line {headerLine}: an ATE file has the columns ate[,lower,upper] only; per-HCP estimates have hcp_id (or npi) and effect.");
            }
            if (data.Count != 1)
            {
                throw new EstimateFormatException($"An ATE file has exactly one line of values after its header (found {data.Count}).");
            }
            var (number, text) = data[0];
            var cells = Cells(number, text, columns.Length);
            var value = Number(number, "ate", cells[ate]);
            double? lo = lower >= 0 ? Number(number, "lower", cells[lower]) : null;
            double? hi = upper >= 0 ? Number(number, "upper", cells[upper]) : null;
            CheckInterval(number, lo, hi);
            return new EstimateInput(null, value, lo, hi);
        }

        var idColumn = Column("hcp_id");
        var npiColumn = Column("npi");
        var effect = Column("effect");
        if ((idColumn < 0) == (npiColumn < 0) || effect < 0)
        {
            throw new EstimateFormatException($"line {headerLine}: per-HCP estimates need the columns hcp_id (or npi, not both) and effect[, lower, upper]; one ATE needs ate[, lower, upper].");
        }
        if (npiColumn >= 0 && hcpIdByNpi is null)
        {
            throw new ArgumentException("NPIs need a map from NPI to HCP id.", nameof(hcpIdByNpi));
        }
        if (data.Count == 0)
        {
            throw new EstimateFormatException("The estimates have a header and no values; give one line per HCP.");
        }
        var estimates = new List<UpliftEstimate>(data.Count);
        var seen = new Dictionary<Guid, int>();
        foreach (var (number, text) in data)
        {
            var cells = Cells(number, text, columns.Length);
            Guid hcp;
            if (idColumn >= 0)
            {
                if (!Guid.TryParse(cells[idColumn], out hcp))
                {
                    throw new EstimateFormatException($"line {number}: hcp_id '{InputEcho.Of(cells[idColumn])}' is not a UUID (the id of hcp.hcp_profiles).");
                }
            }
            else if (!hcpIdByNpi!.TryGetValue(cells[npiColumn], out hcp))
            {
                throw new EstimateFormatException($"line {number}: npi '{InputEcho.Of(cells[npiColumn])}' is not an HCP of the dataset.");
            }
            if (!seen.TryAdd(hcp, number))
            {
                throw new EstimateFormatException($"line {number}: HCP {hcp} already has an estimate on line {seen[hcp]}; give one line per HCP.");
            }
            var value = Number(number, "effect", cells[effect]);
            double? lo = lower >= 0 && cells[lower].Length > 0 ? Number(number, "lower", cells[lower]) : null;
            double? hi = upper >= 0 && cells[upper].Length > 0 ? Number(number, "upper", cells[upper]) : null;
            if ((lo is null) != (hi is null))
            {
                throw new EstimateFormatException($"line {number}: give both lower and upper, or leave both empty.");
            }
            CheckInterval(number, lo, hi);
            estimates.Add(new UpliftEstimate(hcp, value, lo, hi));
        }
        return new EstimateInput(estimates, null, null, null);
    }

    /// <summary>Parses <paramref name="csv"/>, resolving an <c>npi</c> column against the dataset's HCPs.</summary>
    public static async Task<EstimateInput> ParseAsync(NpgsqlDataSource dataSource, string csv, CancellationToken ct)
    {
        ArgumentNullException.ThrowIfNull(dataSource);
        ArgumentNullException.ThrowIfNull(csv);
        var header = Lines(csv).Select(l => l.Text).FirstOrDefault() ?? "";
        if (!header.Split(',').Any(c => c.Trim().Trim('"').Equals("npi", StringComparison.OrdinalIgnoreCase)))
        {
            return Parse(csv);
        }
        var map = new Dictionary<string, Guid>(StringComparer.Ordinal);
        await using var connection = await dataSource.OpenConnectionAsync(ct);
        await using var cmd = new NpgsqlCommand("SELECT npi, id FROM hcp.hcp_profiles", connection);
        await using var reader = await cmd.ExecuteReaderAsync(ct);
        while (await reader.ReadAsync(ct))
        {
            map[reader.GetString(0)] = reader.GetGuid(1);
        }
        return Parse(csv, map);
    }

    /// <summary>The non-blank, non-comment lines with their 1-based numbers.</summary>
    private static IEnumerable<(int Number, string Text)> Lines(string csv)
    {
        var number = 0;
        foreach (var raw in csv.Split('\n'))
        {
            number++;
            var line = raw.TrimEnd('\r').Trim();
            if (number == 1)
            {
                line = line.TrimStart('\uFEFF');
            }
            if (line.Length > 0 && !line.StartsWith('#'))
            {
                yield return (number, line);
            }
        }
    }

    private static string[] Cells(int number, string line, int count)
    {
        var cells = line.Split(',').Select(c => c.Trim().Trim('"').Trim()).ToArray();
        if (cells.Length != count)
        {
            throw new EstimateFormatException($"line {number}: {cells.Length} values, but the header has {count} columns.");
        }
        return cells;
    }

    private static double Number(int number, string column, string text)
    {
        if (!double.TryParse(text, NumberStyles.Float, CultureInfo.InvariantCulture, out var value) || !double.IsFinite(value))
        {
            throw new EstimateFormatException($"line {number}: {column} '{InputEcho.Of(text)}' is not a number (e.g. 0.25, -1.5e-2).");
        }
        return value;
    }

    private static void CheckInterval(int number, double? lower, double? upper)
    {
        if (lower is { } lo && upper is { } hi && lo > hi)
        {
            throw new EstimateFormatException(string.Create(CultureInfo.InvariantCulture, $"line {number}: lower ({lo}) is above upper ({hi})."));
        }
    }
}
