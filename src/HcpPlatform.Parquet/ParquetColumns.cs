using ParquetSharp;

namespace HcpPlatform.Parquet;

/// <summary>How uuid columns are written.</summary>
public enum UuidType
{
    /// <summary>FIXED_LEN_BYTE_ARRAY(16) with the UUID logical type (DuckDB, Trino, Snowflake, pandas read it as a uuid).</summary>
    Uuid,

    /// <summary>
    /// The 36-character text (STRING logical type), for Spark and the engines built on it, which reject the Parquet UUID type
    /// (up to at least Spark 4.0: "Illegal Parquet type: FIXED_LEN_BYTE_ARRAY (UUID)").
    /// </summary>
    Text,
}

/// <summary>One column of a table's Parquet layout: its name, its Parquet type, and how a row fills it.</summary>
public abstract class ParquetColumn<TRow>(string name)
{
    public string Name { get; } = name;

    /// <summary>(Nearly) every row has its own value: written without a dictionary.</summary>
    public bool Unique { get; private set; }

    /// <summary>Marks the column <see cref="Unique"/>.</summary>
    public ParquetColumn<TRow> AsUnique()
    {
        Unique = true;
        return this;
    }

    internal abstract Column Definition(UuidType uuids);

    internal abstract ColumnBuffer<TRow> NewBuffer(int capacity, UuidType uuids);
}

/// <summary>A batch of one column's values, written to a row group's column as one batch.</summary>
internal abstract class ColumnBuffer<TRow>
{
    public abstract void Add(TRow row);

    public abstract void WriteTo(ColumnWriter column);
}

internal sealed class ValueColumn<TRow, TValue>(string name, Func<TRow, TValue> get, Func<string, Column> definition) : ParquetColumn<TRow>(name)
{
    internal override Column Definition(UuidType uuids) => definition(Name);

    internal override ColumnBuffer<TRow> NewBuffer(int capacity, UuidType uuids) => new Buffer<TRow, TValue>(capacity, get);
}

/// <summary>A uuid column, as a Parquet UUID or as its text (<see cref="UuidType"/>).</summary>
internal sealed class UuidColumn<TRow>(string name, Func<TRow, Guid?> get, bool nullable) : ParquetColumn<TRow>(name)
{
    internal override Column Definition(UuidType uuids) => uuids switch
    {
        UuidType.Text => new Column<string>(Name, LogicalType.String()),
        _ when nullable => new Column<Guid?>(Name),
        _ => new Column<Guid>(Name),
    };

    internal override ColumnBuffer<TRow> NewBuffer(int capacity, UuidType uuids) => uuids switch
    {
        UuidType.Text => new Buffer<TRow, string?>(capacity, r => get(r)?.ToString("D")),
        _ when nullable => new Buffer<TRow, Guid?>(capacity, get),
        _ => new Buffer<TRow, Guid>(capacity, r => get(r) ?? throw new InvalidOperationException($"Column {Name} is not nullable.")),
    };
}

internal sealed class Buffer<TRow, TValue>(int capacity, Func<TRow, TValue> get) : ColumnBuffer<TRow>
{
    private readonly TValue[] _values = new TValue[capacity];
    private int _count;

    public override void Add(TRow row) => _values[_count++] = get(row);

    public override void WriteTo(ColumnWriter column)
    {
        using (var writer = column.LogicalWriter<TValue>())
        {
            writer.WriteBatch(_values.AsSpan(0, _count));
        }
        // Let the batch's strings go.
        Array.Clear(_values, 0, _count);
        _count = 0;
    }
}

/// <summary>The column kinds of the dataset tables, with their Parquet types.</summary>
internal static class Columns
{
    private static readonly DateOnly UnixEpoch = new(1970, 1, 1);

    public static ParquetColumn<T> Uuid<T>(string name, Func<T, Guid> get) => new UuidColumn<T>(name, r => get(r), nullable: false);

    public static ParquetColumn<T> NullableUuid<T>(string name, Func<T, Guid?> get) => new UuidColumn<T>(name, get, nullable: true);

    public static ParquetColumn<T> Int<T>(string name, Func<T, int> get) => new ValueColumn<T, int>(name, get, n => new Column<int>(n));

    public static ParquetColumn<T> Long<T>(string name, Func<T, long> get) => new ValueColumn<T, long>(name, get, n => new Column<long>(n));

    public static ParquetColumn<T> Double<T>(string name, Func<T, double> get) => new ValueColumn<T, double>(name, get, n => new Column<double>(n));

    public static ParquetColumn<T> NullableDouble<T>(string name, Func<T, double?> get) => new ValueColumn<T, double?>(name, get, n => new Column<double?>(n));

    public static ParquetColumn<T> Bool<T>(string name, Func<T, bool> get) => new ValueColumn<T, bool>(name, get, n => new Column<bool>(n));

    /// <summary>text and varchar: UTF-8 with the STRING logical type (nullable, like every Parquet string column written here).</summary>
    public static ParquetColumn<T> Text<T>(string name, Func<T, string?> get) =>
        new ValueColumn<T, string?>(name, get, n => new Column<string>(n, LogicalType.String()));

    /// <summary>jsonb: the JSON text PostgreSQL gives back for it, with the JSON logical type.</summary>
    public static ParquetColumn<T> Json<T>(string name, Func<T, string?> get) =>
        new ValueColumn<T, string?>(name, get, n => new Column<string>(n, LogicalType.Json()));

    /// <summary>timestamptz: microseconds since the Unix epoch, adjusted to UTC (PostgreSQL keeps microseconds).</summary>
    public static ParquetColumn<T> Timestamp<T>(string name, Func<T, DateTime> get) =>
        new ValueColumn<T, DateTime>(name, r => Utc(get(r)), n => new Column<DateTime>(n, LogicalType.Timestamp(isAdjustedToUtc: true, TimeUnit.Micros)));

    /// <summary>date: days since the Unix epoch.</summary>
    public static ParquetColumn<T> Date<T>(string name, Func<T, DateOnly> get) =>
        new ValueColumn<T, Date>(name, r => new Date(get(r).DayNumber - UnixEpoch.DayNumber), n => new Column<Date>(n));

    private static DateTime Utc(DateTime value) => value.Kind == DateTimeKind.Utc
        ? value
        : throw new ArgumentException($"A timestamptz value must be UTC (DateTimeKind.Utc); got {value.Kind} {value:O}.", nameof(value));
}
