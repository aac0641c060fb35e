using System.Globalization;
using System.Security.Cryptography;
using System.Text.Json;
using System.Text.Json.Serialization;

namespace HcpPlatform.Parquet;

/// <summary>Rows written so far to one table (Done when the table is complete).</summary>
public sealed record ParquetProgress(string Table, long Rows, bool Done);

/// <summary>Shard <see cref="Index"/> of <see cref="Count"/> (1-based), as given by <c>--shard=I/N</c>.</summary>
public readonly record struct ShardNumber(int Index, int Count)
{
    public static readonly ShardNumber Whole = new(1, 1);

    public bool IsFirst => Index == 1;

    /// <summary>The file name of this shard's part of a table (or of one month of it): unique across the shards of a run.</summary>
    public string PartFileName => string.Create(CultureInfo.InvariantCulture, $"part-{Index:D5}-of-{Count:D5}.parquet");

    public override string ToString() => string.Create(CultureInfo.InvariantCulture, $"{Index}/{Count}");

    /// <summary>Parses "I/N" with 1 ≤ I ≤ N ≤ <paramref name="max"/>, or gives the reason it is not one.</summary>
    public static bool TryParse(string text, int max, out ShardNumber shard, out string error)
    {
        shard = Whole;
        var parts = text.Split('/');
        if (parts.Length != 2
            || !int.TryParse(parts[0], NumberStyles.None, CultureInfo.InvariantCulture, out var index)
            || !int.TryParse(parts[1], NumberStyles.None, CultureInfo.InvariantCulture, out var count))
        {
            error = $"'{text}' is not I/N (shard I of N, for example 2/8).";
            return false;
        }
        if (count < 1 || index < 1 || index > count)
        {
            error = $"'{text}' names no shard: I must be between 1 and N, and N at least 1.";
            return false;
        }
        if (count > max)
        {
            error = $"'{text}' has more shards than HCPs ({max:N0}); use at most {max:N0} shards.";
            return false;
        }
        shard = new ShardNumber(index, count);
        error = "";
        return true;
    }
}

/// <summary>One file of a Parquet output: its path relative to the output folder ('/'-separated), its table, rows and SHA-256.</summary>
public sealed record ParquetFileEntry(string File, string Table, long Rows, string Sha256);

/// <summary>
/// What a Parquet output holds, written as manifest.json beside the tables. The fields of the CSV export's manifest (less
/// its export time, so that the same dataset gives the same manifest too), plus the shard and how uuids are written.
/// </summary>
public sealed record ParquetManifest(
    string Format, Guid DatasetId, long Seed, int Hcps, DateOnly SimulatedThrough, string Shard, string Uuids, IReadOnlyList<ParquetFileEntry> Files)
{
    public const string FileName = "manifest.json";

    private static readonly JsonSerializerOptions Json = new()
    {
        WriteIndented = true,
        PropertyNamingPolicy = JsonNamingPolicy.CamelCase,
        Converters = { new JsonStringEnumConverter(JsonNamingPolicy.CamelCase) },
    };

    public string ToJson() => JsonSerializer.Serialize(this, Json);

    public static ParquetManifest FromJson(string json) =>
        JsonSerializer.Deserialize<ParquetManifest>(json, Json) ?? throw new InvalidDataException("Empty manifest.");
}

/// <summary>
/// Writes the tables of one output folder: a table's rows go to one file, or for the event tables to one file per UTC
/// month of their date in Hive-style folders (<c>stimuli_events/event_month=2026-01/part-00001-of-00001.parquet</c>).
/// Dataset-wide tables are named after themselves (<c>campaigns/campaigns.parquet</c>), the others after the shard, so the
/// folders of a run's shards can be read together, or copied into one, without two files sharing a name.
/// </summary>
public sealed class ParquetDatasetWriter(string directory, ShardNumber shard, UuidType uuids, IProgress<ParquetProgress>? progress) : IDisposable
{
    private readonly List<IDisposable> _open = [];
    private readonly List<(string Table, Func<IReadOnlyList<(string Path, long Rows)>> Complete)> _tables = [];

    public string Directory { get; } = directory;
    public ShardNumber Shard { get; } = shard;
    public UuidType Uuids { get; } = uuids;

    public TableWriter<T> Table<T>(ParquetTable<T> table)
    {
        var writer = new TableWriter<T>(this, table, progress);
        _tables.Add((table.Name, writer.Complete));
        _open.Add(writer);
        return writer;
    }

    /// <summary>Closes every file and returns them with their rows and SHA-256, in path order.</summary>
    public IReadOnlyList<ParquetFileEntry> Close(CancellationToken ct)
    {
        var files = _tables.SelectMany(t => t.Complete().Select(f => (t.Table, f.Path, f.Rows))).ToList();
        var entries = new ParquetFileEntry[files.Count];
        Parallel.For(0, files.Count, new ParallelOptions { CancellationToken = ct }, i =>
        {
            using var stream = File.OpenRead(files[i].Path);
            var relative = Path.GetRelativePath(Directory, files[i].Path).Replace(Path.DirectorySeparatorChar, '/');
            entries[i] = new ParquetFileEntry(relative, files[i].Table, files[i].Rows, Convert.ToHexStringLower(SHA256.HashData(stream)));
        });
        return entries.OrderBy(e => e.File, StringComparer.Ordinal).ToList();
    }

    public void Dispose()
    {
        foreach (var open in _open)
        {
            open.Dispose();
        }
    }

    internal string PathOf(string table, bool global, string? month) => global
        ? Path.Combine(Directory, table, table + ".parquet")
        : month is null
            ? Path.Combine(Directory, table, Shard.PartFileName)
            : Path.Combine(Directory, table, $"{ParquetTables.MonthPartition}={month}", Shard.PartFileName);
}

/// <summary>The rows of one table: to its file, or to the file of each row's month.</summary>
public sealed class TableWriter<T> : IDisposable
{
    private const int ProgressEvery = 16_384;
    private readonly ParquetDatasetWriter _output;
    private readonly ParquetTable<T> _table;
    private readonly IProgress<ParquetProgress>? _progress;
    private readonly SortedDictionary<string, ParquetTableFile<T>> _months = new(StringComparer.Ordinal);
    private readonly List<(string Path, long Rows)> _closed = [];
    private readonly ParquetTableFile<T>? _single;
    private IReadOnlyList<(string Path, long Rows)>? _completed;
    // The file of the last row's month: consecutive rows mostly share it.
    private ParquetTableFile<T>? _lastFile;
    private int _lastMonth = -1;

    internal TableWriter(ParquetDatasetWriter output, ParquetTable<T> table, IProgress<ParquetProgress>? progress)
    {
        _output = output;
        _table = table;
        _progress = progress;
        if (table.MonthOf is null)
        {
            // Written even when empty, so that every table has its schema on disk.
            _single = new ParquetTableFile<T>(output.PathOf(table.Name, table.Global, null), table, output.Uuids);
        }
    }

    public long Rows { get; private set; }

    public void Add(T row)
    {
        var file = _single ?? FileOfMonth(_table.MonthOf!(row));
        file.Add(row);
        Rows++;
        if (Rows % ProgressEvery == 0)
        {
            _progress?.Report(new ParquetProgress(_table.Name, Rows, false));
        }
    }

    public void AddRange(IEnumerable<T> rows)
    {
        foreach (var row in rows)
        {
            Add(row);
        }
    }

    /// <summary>Closes the month files written so far: their months are complete (a later row of one of them is an error).</summary>
    public void CloseMonths()
    {
        foreach (var (month, file) in _months)
        {
            file.Close();
            _closed.Add((file.Path, file.Rows));
            file.Dispose();
        }
        _months.Clear();
        (_lastFile, _lastMonth) = (null, -1);
    }

    /// <summary>Closes the table's files (once; later calls return the same list).</summary>
    public IReadOnlyList<(string Path, long Rows)> Complete()
    {
        if (_completed is null)
        {
            if (_single is not null)
            {
                _single.Close();
                _closed.Add((_single.Path, _single.Rows));
            }
            CloseMonths();
            _progress?.Report(new ParquetProgress(_table.Name, Rows, true));
            _completed = _closed;
        }
        return _completed;
    }

    private ParquetTableFile<T> FileOfMonth(DateTime instant)
    {
        var utc = instant.ToUniversalTime();
        var month = utc.Year * 12 + utc.Month;
        if (month == _lastMonth)
        {
            return _lastFile!;
        }
        var name = utc.ToString("yyyy-MM", CultureInfo.InvariantCulture);
        if (!_months.TryGetValue(name, out var file))
        {
            var path = _output.PathOf(_table.Name, false, name);
            if (_closed.Any(c => c.Path == path))
            {
                throw new InvalidOperationException($"A row of {_table.Name} for {name} came after that month's file was closed.");
            }
            file = new ParquetTableFile<T>(path, _table, _output.Uuids);
            _months[name] = file;
        }
        (_lastFile, _lastMonth) = (file, month);
        return file;
    }

    public void Dispose()
    {
        _single?.Dispose();
        foreach (var file in _months.Values)
        {
            file.Dispose();
        }
    }
}
