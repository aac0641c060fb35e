using ParquetSharp;

namespace HcpPlatform.Parquet;

/// <summary>
/// One Parquet file of one table, written as rows arrive: rows are gathered per column in batches and appended to a
/// buffered row group (which holds only its encoded, compressed pages), and every row group but the last holds exactly
/// the table's <see cref="ParquetTable{T}.RowGroupRows"/>. Same rows in the same order → the same bytes: nothing in the file depends on time,
/// threads or the batches rows arrived in.
/// </summary>
internal sealed class ParquetTableFile<T> : IDisposable
{
    /// <summary>Rows gathered before they are handed to the column writers (their objects are held until then).</summary>
    private const int BatchRows = 512;

    private readonly ParquetFileWriter _file;
    private readonly int _rowGroupRows;
    private readonly ColumnBuffer<T>[] _buffers;
    private RowGroupWriter? _rowGroup;
    private int _buffered;
    private int _inRowGroup;

    public ParquetTableFile(string path, ParquetTable<T> table, UuidType uuids)
    {
        Path = path;
        Directory.CreateDirectory(System.IO.Path.GetDirectoryName(path)!);
        using var builder = new WriterPropertiesBuilder().Compression(Compression.Snappy);
        foreach (var column in table.Columns.Where(c => c.Unique))
        {
            // Every value differs: a dictionary would be built per row group only to be given up.
            builder.DisableDictionary(column.Name);
        }
        using var properties = builder.Build();
        _file = new ParquetFileWriter(path, table.Columns.Select(c => c.Definition(uuids)).ToArray(), properties);
        _buffers = table.Columns.Select(c => c.NewBuffer(BatchRows, uuids)).ToArray();
        _rowGroupRows = table.RowGroupRows;
    }

    public string Path { get; }
    public long Rows { get; private set; }

    public void Add(T row)
    {
        foreach (var buffer in _buffers)
        {
            buffer.Add(row);
        }
        Rows++;
        _buffered++;
        _inRowGroup++;
        if (_buffered == BatchRows || _inRowGroup == _rowGroupRows)
        {
            WriteBatch();
        }
        if (_inRowGroup == _rowGroupRows)
        {
            CloseRowGroup();
        }
    }

    /// <summary>Writes what is buffered, the footer, and closes the file.</summary>
    public void Close()
    {
        WriteBatch();
        CloseRowGroup();
        _file.Close();
    }

    public void Dispose()
    {
        _rowGroup?.Dispose();
        _rowGroup = null;
        _file.Dispose();
    }

    private void WriteBatch()
    {
        if (_buffered == 0)
        {
            return;
        }
        _rowGroup ??= _file.AppendBufferedRowGroup();
        for (var i = 0; i < _buffers.Length; i++)
        {
            using var column = _rowGroup.Column(i);
            _buffers[i].WriteTo(column);
        }
        _buffered = 0;
    }

    private void CloseRowGroup()
    {
        if (_rowGroup is null)
        {
            return;
        }
        _rowGroup.Close();
        _rowGroup.Dispose();
        _rowGroup = null;
        _inRowGroup = 0;
    }
}
