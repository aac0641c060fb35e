using HcpPlatform.Data.Loading;

namespace HcpPlatform.Data.Tests;

/// <summary>The checksum a COPY stream carries: per-row hashes that neither row order nor buffer boundaries change.</summary>
public sealed class CopyRowWriterTests
{
    private static ulong RowHashSum(IEnumerable<(int Number, string Text)> rows)
    {
        using var sink = new MemoryStream();
        var writer = new CopyRowWriter(sink);
        foreach (var (number, text) in rows)
        {
            writer.StartRow(2);
            writer.Int4(number);
            writer.Text(text);
        }
        writer.Finish();
        return writer.RowHashSum;
    }

    private static List<(int Number, string Text)> Rows() =>
    [
        .. Enumerable.Range(0, 3_000).Select(i => (i, $"row {i} {new string('x', i % 97)}")),
        (-1, new string('é', 50_000)), // larger than the buffer: written aside
        (-2, ""),
    ];

    [Fact]
    public void The_sum_of_row_hashes_does_not_depend_on_row_order_or_where_the_buffer_is_flushed()
    {
        var rows = Rows();
        var reordered = rows.AsEnumerable().Reverse().ToList();
        // Shuffled deterministically, so rows straddle different buffer boundaries than in either order above.
        var shuffled = rows.OrderBy(r => (r.Number * 7919) % 3001).ToList();

        var expected = RowHashSum(rows);

        Assert.Equal(expected, RowHashSum(reordered));
        Assert.Equal(expected, RowHashSum(shuffled));
    }

    [Fact]
    public void Any_changed_value_changes_the_checksum()
    {
        var rows = Rows();
        var expected = Checksums.FromRowHashes(rows.Count, RowHashSum(rows));
        var oneTextChanged = rows.Select(r => r.Number == 1_500 ? (r.Number, r.Text + "!") : r).ToList();
        var oneNumberChanged = rows.Select(r => r.Number == 2_999 ? (3_000, r.Text) : r).ToList();
        var twoValuesSwapped = rows.Select(r => r.Number switch { 10 => (10, "row 11 " + new string('x', 11)), 11 => (11, "row 10 " + new string('x', 10)), _ => r }).ToList();

        Assert.Matches("^[0-9a-f]{32}$", expected);
        Assert.NotEqual(expected, Checksums.FromRowHashes(rows.Count, RowHashSum(oneTextChanged)));
        Assert.NotEqual(expected, Checksums.FromRowHashes(rows.Count, RowHashSum(oneNumberChanged)));
        Assert.NotEqual(expected, Checksums.FromRowHashes(rows.Count, RowHashSum(twoValuesSwapped)));
        Assert.NotEqual(expected, Checksums.FromRowHashes(rows.Count - 1, RowHashSum(rows)));
    }
}
