using System.Globalization;
using System.Text;
using HcpPlatform.Data.Platform;
using HcpPlatform.Engine.Statistics;
using Npgsql;

namespace HcpPlatform.Data.Interventions;

/// <summary>An estimates file that cannot be read: the message names the line and what is allowed.</summary>
public sealed class EstimateFormatException(string message) : FormatException(message);

/// <summary>
/// Reads a model's estimates from CSV, in one of two shapes (a header line first; blank lines and lines starting with #
/// are skipped; numbers with a decimal point; columns in any order, names case-insensitive; a value may be quoted as in
/// RFC 4180, "1,5" being one value and "" inside quotes one quote):
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
        return Parse(Lines(csv).ToList(), hcpIdByNpi);
    }

    private static EstimateInput Parse(List<(int Number, string Text)> lines, IReadOnlyDictionary<string, Guid>? hcpIdByNpi)
    {
        if (lines.Count == 0)
        {
            throw new EstimateFormatException("The estimates are empty; expected a header line 'hcp_id,effect[,lower,upper]' (or npi instead of hcp_id) or 'ate[,lower,upper]', then the values.");
        }
        var (headerLine, headerText) = lines[0];
        var columns = Columns(headerLine, headerText);
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

    /// <summary>Parses <paramref name="csv"/>, resolving an <c>npi</c> column against the dataset's HCPs (only the NPIs it gives).</summary>
    public static async Task<EstimateInput> ParseAsync(NpgsqlDataSource dataSource, string csv, CancellationToken ct)
    {
        ArgumentNullException.ThrowIfNull(dataSource);
        ArgumentNullException.ThrowIfNull(csv);
        var lines = Lines(csv).ToList();
        var npiColumn = lines.Count == 0 ? -1 : Array.IndexOf(Columns(lines[0].Number, lines[0].Text), "npi");
        if (npiColumn < 0)
        {
            return Parse(lines, null);
        }
        // The NPIs of the lines that have one; a line that does not read is left for Parse to name in its turn.
        var npis = new HashSet<string>(StringComparer.Ordinal);
        foreach (var (_, text) in lines.Skip(1))
        {
            if (TrySplit(text, out var cells, out _) && npiColumn < cells.Count && cells[npiColumn].Length > 0)
            {
                npis.Add(cells[npiColumn]);
            }
        }
        var map = new Dictionary<string, Guid>(StringComparer.Ordinal);
        await using var connection = await dataSource.OpenConnectionAsync(ct);
        await using var cmd = new NpgsqlCommand("SELECT npi, id FROM hcp.hcp_profiles WHERE npi = ANY(@npis)", connection);
        cmd.Parameters.AddWithValue("npis", npis.ToArray());
        await using var reader = await cmd.ExecuteReaderAsync(ct);
        while (await reader.ReadAsync(ct))
        {
            map[reader.GetString(0)] = reader.GetGuid(1);
        }
        return Parse(lines, map);
    }

    /// <summary>
    /// The non-blank, non-comment lines with the 1-based number of their first line; a quoted value that holds a line
    /// break continues its line on the next.
    /// </summary>
    private static IEnumerable<(int Number, string Text)> Lines(string csv)
    {
        var number = 0;
        var start = 0;
        StringBuilder? open = null; // a line whose quoted value is not closed yet
        foreach (var raw in csv.Split('\n'))
        {
            number++;
            var line = raw.TrimEnd('\r');
            if (number == 1)
            {
                line = line.TrimStart('\uFEFF');
            }
            if (open is not null)
            {
                open.Append('\n').Append(line);
                if (!OddQuotes(line))
                {
                    continue; // an even number of quotes on this line leaves the value open
                }
                yield return (start, open.ToString().Trim());
                open = null;
                continue;
            }
            line = line.Trim();
            if (line.Length == 0 || line.StartsWith('#'))
            {
                continue;
            }
            if (OddQuotes(line))
            {
                (start, open) = (number, new StringBuilder(line));
                continue;
            }
            yield return (number, line);
        }
        if (open is not null)
        {
            // Split names the unclosed quote with the line it starts on.
            yield return (start, open.ToString().Trim());
        }
    }

    /// <summary>
    /// Whether <paramref name="text"/> holds an odd number of quotes: a line that opens a quoted value and does not close
    /// it, or closes one opened on an earlier line ("" inside quotes counts twice). Counted line by line, so a long
    /// unclosed value costs one pass.
    /// </summary>
    private static bool OddQuotes(string text) => text.Count(c => c == '"') % 2 == 1;

    /// <summary>The header's column names, lower case.</summary>
    private static string[] Columns(int number, string header) => Split(number, header).Select(c => c.ToLowerInvariant()).ToArray();

    private static string[] Cells(int number, string line, int count)
    {
        var cells = Split(number, line);
        if (cells.Length != count)
        {
            throw new EstimateFormatException($"line {number}: {cells.Length} values, but the header has {count} columns.");
        }
        return cells;
    }

    private static string[] Split(int number, string line) =>
        TrySplit(line, out var cells, out var problem) ? [.. cells] : throw new EstimateFormatException($"line {number}: {problem}");

    /// <summary>
    /// A line's values, RFC 4180: separated by commas; a value in quotes may hold commas, line breaks and quotes (each
    /// written twice). Spaces around a value are dropped, inside the quotes too (no value of these files has any).
    /// </summary>
    private static bool TrySplit(string line, out List<string> cells, out string problem)
    {
        cells = [];
        problem = "";
        var value = new StringBuilder();
        var i = 0;
        while (true)
        {
            while (i < line.Length && line[i] is ' ' or '\t')
            {
                i++;
            }
            if (i < line.Length && line[i] == '"')
            {
                i++;
                while (true)
                {
                    if (i >= line.Length)
                    {
                        problem = "a quoted value is not closed; end it with a quote (a quote inside it is written twice: \"a\"\"b\").";
                        return false;
                    }
                    if (line[i] == '"')
                    {
                        if (i + 1 < line.Length && line[i + 1] == '"')
                        {
                            value.Append('"');
                            i += 2;
                            continue;
                        }
                        i++;
                        break;
                    }
                    value.Append(line[i++]);
                }
                while (i < line.Length && line[i] is ' ' or '\t')
                {
                    i++;
                }
                if (i < line.Length && line[i] != ',')
                {
                    problem = $"text after the quoted value \"{InputEcho.Of(value.ToString())}\"; a comma must follow its closing quote.";
                    return false;
                }
            }
            else
            {
                while (i < line.Length && line[i] != ',')
                {
                    if (line[i] == '"')
                    {
                        problem = "a quote inside an unquoted value; quote the whole value and write the quote twice (\"a\"\"b\").";
                        return false;
                    }
                    value.Append(line[i++]);
                }
            }
            cells.Add(value.ToString().Trim());
            value.Clear();
            if (i >= line.Length)
            {
                return true;
            }
            i++; // the comma
        }
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
