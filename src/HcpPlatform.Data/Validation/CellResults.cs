using System.Globalization;
using HcpPlatform.Engine.Statistics;

namespace HcpPlatform.Data.Validation;

/// <summary>
/// Turns a statistical check's cells (observed against expected, with the variance under the model and any stated margin)
/// into a check result, judged by <see cref="Stats.JudgeCells"/> at <see cref="Stats.FalseAlarmRate"/>. A cell too small to
/// test is reported in the examples with its expected size, never silently dropped; a check whose every cell is too
/// small passes as informational and says so in its threshold.
/// </summary>
internal static class CellResults
{
    public static CheckResult From(string name, string category, string description, IReadOnlyList<Cell> cells, double? measured = null, string? unit = null)
    {
        var verdict = Stats.JudgeCells(cells);
        var small = verdict.TooSmall.Select(c => F($"too small to test (expects {c.Events:0.#} events, needs {Stats.MinExpectedPerCell}): {c.Label}")).ToList();
        if (verdict.Tested.Count == 0)
        {
            return new CheckResult(name, category, true, measured, "informational: no cell large enough to test", description, small.Take(DatasetValidator.ExampleCount).ToList());
        }
        var z = Stats.ZCritical(Stats.FalseAlarmRate, verdict.Tested.Count);
        var margins = cells.Where(c => c.Margin > 0).Select(c => c.Margin).Distinct().ToList();
        var threshold = F($"every cell within {z:0.##} sd (false-alarm rate {Stats.FalseAlarmRate} over {verdict.Tested.Count} cells)")
            + (margins.Count > 0 ? F($" + {margins.Max():0.#%} of expected") : "");
        var examples = verdict.Tested.Where(x => !(x.Ratio <= 1)).Concat(verdict.Tested.Where(x => x.Ratio <= 1)).Take(DatasetValidator.ExampleCount)
            .Select(x => F($"{x.Cell.Label}: {Show(x.Cell.Observed, unit)} observed, {Show(x.Cell.Expected, unit)} expected ± {Show(Stats.Allowance(x.Cell.Expected, x.Cell.Variance, x.Cell.Margin, Stats.FalseAlarmRate, verdict.Tested.Count), unit)} ({(x.Ratio <= 1 ? "ok" : "OUT")})"))
            .Concat(small).ToList();
        return new CheckResult(name, category, verdict.Passed, measured ?? Math.Round(verdict.WorstRatio, 3), threshold, description, examples);
    }

    private static string Show(double value, string? unit) => unit == "share"
        ? value.ToString("0.0000", CultureInfo.InvariantCulture)
        : value.ToString(Math.Abs(value) >= 100 ? "0" : "0.###", CultureInfo.InvariantCulture);

    private static string F(FormattableString s) => s.ToString(CultureInfo.InvariantCulture);
}
