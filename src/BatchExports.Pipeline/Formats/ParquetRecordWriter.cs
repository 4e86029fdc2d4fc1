using System.Buffers;
using System.Globalization;
using System.IO.Compression;
using System.Runtime.CompilerServices;
using System.Text;
using System.Text.Json;
using Parquet;
using Parquet.Schema;

namespace BatchExports.Pipeline.Formats;

/// <summary>
/// Writes a Parquet file with one row group per batch, or, under a size limit, row groups of about an eighth of the
/// limit (so a file ends within one small row group of it). Every column is optional; JSON columns are strings holding
/// the JSON text and string arrays are standard three-level lists. Works on forward-only streams.
/// </summary>
internal sealed class ParquetRecordWriter : RecordFileWriter
{
    // Levels of an element in an optional list of optional strings: list null, list empty, element null, element set.
    private const int ListNull = 0;
    private const int ListEmpty = 1;
    private const int ElementNull = 2;
    private const int ElementPresent = 3;

    // Row groups under a size limit: a fraction of it, so the file overshoots by little, within sizes readers handle
    // well (tiny groups cost a footer entry and a page header per column; huge ones, reader memory).
    private const int RowGroupsPerLimit = 8;
    private const long MinRowGroupBytes = 64 * 1024;
    private const long MaxRowGroupBytes = 128 * 1024 * 1024;

    private readonly ParquetSchema _schema;
    private readonly DataField[] _leaves;
    private readonly ParquetOptions _options;
    private ParquetWriter? _writer;

    // JSON columns' decoded text, one column chunk at a time: reused across row groups, so it is allocated about once.
    private char[] _jsonChars = [];

    public ParquetRecordWriter(Stream output, IReadOnlyList<Column> columns, CompressionMethod compression, CompressionLevel level)
        : base(output, columns)
    {
        _schema = new ParquetSchema(Columns.Select(ToField));
        _leaves = [.. _schema.Fields.Select(f => f is ListField list ? (DataField)list.Item : (DataField)f)];
        _options = new ParquetOptions
        {
            CompressionMethod = compression,
            CompressionLevel = level,
            // Sampling lets high-cardinality columns (ids, uuids) give up on a dictionary after a quick look.
            DictionaryEncodingSampleSize = 1_000,
        };
        for (var i = 0; i < Columns.Length; i++)
        {
            if (Columns[i].Kind == ColumnKind.String)
            {
                _options.ColumnEncodingHints[_leaves[i].Path.ToString()] = EncodingHint.Dictionary;
            }

            if (Columns[i].Kind == ColumnKind.StringArray && (_leaves[i].MaxDefinitionLevel != ElementPresent || _leaves[i].MaxRepetitionLevel != 1))
            {
                throw new InvalidOperationException(
                    $"Unexpected list levels for '{Columns[i].Name}': {_leaves[i]}; the list writer assumes DL 3, RL 1.");
            }
        }
    }

    protected override async Task<int> WriteRowsAsync(RecordBatch batch, int start, long sizeLimit, CancellationToken cancellationToken)
    {
        _writer ??= await ParquetWriter.CreateAsync(_schema, Output, _options, append: false, cancellationToken).ConfigureAwait(false);
        var rows = batch.Rows;
        if (sizeLimit == long.MaxValue)
        {
            await WriteRowGroupAsync(Slice(rows, start, rows.Count - start), cancellationToken).ConfigureAwait(false);
            return rows.Count - start;
        }

        // The group is cut by the rows' uncompressed size, which bounds what encoding and compression leave of it.
        var groupBytes = Math.Clamp(sizeLimit / RowGroupsPerLimit, MinRowGroupBytes, MaxRowGroupBytes);
        var next = start;
        while (next < rows.Count)
        {
            var end = next;
            for (long bytes = 0; end < rows.Count && (end == next || bytes < groupBytes); end++)
            {
                bytes += EstimatedSize(rows[end]);
            }

            await WriteRowGroupAsync(Slice(rows, next, end - next), cancellationToken).ConfigureAwait(false);
            next = end;
            // Parquet.Net writes each column chunk to the output as it goes, so the count is the file's size so far.
            if (Output.BytesWritten >= sizeLimit)
            {
                break;
            }
        }

        return next - start;
    }

    private async Task WriteRowGroupAsync(IReadOnlyList<object?[]> rows, CancellationToken cancellationToken)
    {
        using var rowGroup = _writer!.CreateRowGroup();
        for (var i = 0; i < Columns.Length; i++)
        {
            cancellationToken.ThrowIfCancellationRequested();
            await WriteColumnAsync(rowGroup, i, rows, cancellationToken).ConfigureAwait(false);
        }

        rowGroup.CompleteValidate();
    }

    private static IReadOnlyList<object?[]> Slice(IReadOnlyList<object?[]> rows, int start, int count) =>
        start == 0 && count == rows.Count ? rows
        : rows is object?[][] array ? new ArraySegment<object?[]>(array, start, count)
        : rows.Skip(start).Take(count).ToArray();

    /// <summary>About the bytes a row takes before encoding: text as UTF-16 code units (ASCII-heavy), eight per scalar.</summary>
    private static long EstimatedSize(object?[] row)
    {
        long size = 0;
        foreach (var value in row)
        {
            size += value switch
            {
                null => 1,
                string text => text.Length,
                byte[] utf8 => utf8.Length,
                JsonElement element => element.GetRawText().Length,
                IEnumerable<string?> items => items.Sum(item => (item?.Length ?? 0) + 4),
                _ => 8,
            };
        }

        return size;
    }

    protected override async Task FinishFileAsync(CancellationToken cancellationToken)
    {
        // A file with no batches still gets magic, schema and footer: a valid Parquet file with zero rows.
        var writer = _writer ?? await ParquetWriter.CreateAsync(_schema, Output, _options, append: false, cancellationToken).ConfigureAwait(false);
        _writer = null;
        await writer.DisposeAsync().ConfigureAwait(false);
    }

    // Disposing a ParquetWriter is what writes the footer, and it holds nothing but memory, so an unfinished one is
    // dropped rather than disposed.
    protected override ValueTask ReleaseAsync()
    {
        _writer = null;
        _jsonChars = [];
        return ValueTask.CompletedTask;
    }

    private static Field ToField(Column column) => column.Kind switch
    {
        ColumnKind.String or ColumnKind.Json => new DataField<string>(column.Name, nullable: true),
        ColumnKind.Int64 => new DataField<long>(column.Name, nullable: true),
        ColumnKind.Float64 => new DataField<double>(column.Name, nullable: true),
        ColumnKind.Boolean => new DataField<bool>(column.Name, nullable: true),
        ColumnKind.Timestamp => new DateTimeDataField(
            column.Name, DateTimeFormat.Timestamp, isAdjustedToUTC: true, unit: DateTimeTimeUnit.Micros, isNullable: true),
        ColumnKind.StringArray => new ListField(column.Name, new DataField<string>(ListField.ElementName, nullable: true)),
        _ => throw new ArgumentOutOfRangeException(nameof(column), column.Kind, "Unknown column kind."),
    };

    private Task WriteColumnAsync(ParquetRowGroupWriter rowGroup, int index, IReadOnlyList<object?[]> rows, CancellationToken cancellationToken)
    {
        var column = Columns[index];
        var field = _leaves[index];
        return column.Kind switch
        {
            ColumnKind.String => WriteNullableAsync(rowGroup, field, rows, index, v => ToText(column, v).AsMemory(), cancellationToken),
            ColumnKind.Json => WriteJsonAsync(rowGroup, column, field, rows, index, cancellationToken),
            ColumnKind.Int64 => WriteNullableAsync(rowGroup, field, rows, index, v => FormatChecks.ToInt64(column, v), cancellationToken),
            ColumnKind.Float64 => WriteNullableAsync(rowGroup, field, rows, index, v => FormatChecks.ToDouble(column, v), cancellationToken),
            ColumnKind.Boolean => WriteNullableAsync(rowGroup, field, rows, index, v => v as bool? ?? throw FormatChecks.Mismatch(column, v), cancellationToken),
            ColumnKind.Timestamp => WriteNullableAsync(rowGroup, field, rows, index, v => ToUtcMicroseconds(column, v), cancellationToken),
            ColumnKind.StringArray => WriteStringListAsync(rowGroup, column, field, rows, index, cancellationToken),
            _ => throw new ArgumentOutOfRangeException(nameof(index), column.Kind, "Unknown column kind."),
        };
    }

    private static async Task WriteNullableAsync<T>(
        ParquetRowGroupWriter rowGroup,
        DataField field,
        IReadOnlyList<object?[]> rows,
        int index,
        Func<object, T> convert,
        CancellationToken cancellationToken)
        where T : struct
    {
        var values = ArrayPool<T?>.Shared.Rent(rows.Count);
        try
        {
            for (var r = 0; r < rows.Count; r++)
            {
                values[r] = rows[r][index] is { } value ? convert(value) : null;
            }

            await rowGroup.WriteAsync<T>(field, values.AsMemory(0, rows.Count), null, null, cancellationToken).ConfigureAwait(false);
        }
        finally
        {
            ArrayPool<T?>.Shared.Return(values, clearArray: RuntimeHelpers.IsReferenceOrContainsReferences<T>());
        }
    }

    /// <summary>
    /// JSON given as UTF-8 bytes is decoded into the writer's one buffer for the whole column chunk, and Parquet.Net
    /// reads the values as slices of it: no string per value (the largest values of a row, <c>properties</c>, would
    /// otherwise be decoded into a fresh string each, only to be encoded back to UTF-8 by the writer). The buffer is
    /// the writer's own rather than rented: a shared pool would keep a copy of it per thread the writer ran on.
    /// </summary>
    private async Task WriteJsonAsync(
        ParquetRowGroupWriter rowGroup, Column column, DataField field, IReadOnlyList<object?[]> rows, int index, CancellationToken cancellationToken)
    {
        // UTF-8 never takes fewer bytes than UTF-16 code units, so the bytes' length bounds the decoded length.
        long capacity = 0;
        for (var r = 0; r < rows.Count; r++)
        {
            capacity += rows[r][index] is byte[] utf8 ? utf8.Length : 0;
        }

        if (_jsonChars.Length < capacity)
        {
            _jsonChars = new char[(int)Math.Min(capacity + capacity / 4, Array.MaxLength)];
        }

        var chars = _jsonChars;
        var values = ArrayPool<ReadOnlyMemory<char>?>.Shared.Rent(rows.Count);
        try
        {
            var used = 0;
            for (var r = 0; r < rows.Count; r++)
            {
                values[r] = rows[r][index] switch
                {
                    // Typed: a bare null would convert to an empty ReadOnlyMemory<char> (through char[]), not to no value.
                    null => (ReadOnlyMemory<char>?)null,
                    byte[] utf8 when used + (long)utf8.Length <= chars.Length => Decode(utf8),
                    var other => ToJsonText(column, other).AsMemory(),
                };
            }

            await rowGroup.WriteAsync<ReadOnlyMemory<char>>(field, values.AsMemory(0, rows.Count), null, null, cancellationToken).ConfigureAwait(false);

            ReadOnlyMemory<char> Decode(byte[] utf8)
            {
                var length = Encoding.UTF8.GetChars(utf8, chars.AsSpan(used));
                var slice = chars.AsMemory(used, length);
                used += length;
                return slice;
            }
        }
        finally
        {
            ArrayPool<ReadOnlyMemory<char>?>.Shared.Return(values, clearArray: true);
        }
    }

    private static async Task WriteStringListAsync(
        ParquetRowGroupWriter rowGroup,
        Column column,
        DataField field,
        IReadOnlyList<object?[]> rows,
        int index,
        CancellationToken cancellationToken)
    {
        var lists = ArrayPool<IReadOnlyList<string?>?>.Shared.Rent(rows.Count);
        var slots = 0;
        for (var r = 0; r < rows.Count; r++)
        {
            var list = rows[r][index] switch
            {
                null => null,
                IReadOnlyList<string?> items => items,
                IEnumerable<string?> items => items.ToArray(),
                var other => throw FormatChecks.Mismatch(column, other),
            };
            lists[r] = list;
            slots += Math.Max(list?.Count ?? 0, 1);
        }

        var values = ArrayPool<ReadOnlyMemory<char>>.Shared.Rent(slots);
        var definitions = ArrayPool<int>.Shared.Rent(slots);
        var repetitions = ArrayPool<int>.Shared.Rent(slots);
        try
        {
            var slot = 0;
            var valueCount = 0;
            for (var r = 0; r < rows.Count; r++)
            {
                var list = lists[r];
                if (list is null || list.Count == 0)
                {
                    definitions[slot] = list is null ? ListNull : ListEmpty;
                    repetitions[slot++] = 0;
                    continue;
                }

                for (var e = 0; e < list.Count; e++)
                {
                    repetitions[slot] = e == 0 ? 0 : 1;
                    if (list[e] is { } item)
                    {
                        definitions[slot++] = ElementPresent;
                        values[valueCount++] = item.AsMemory();
                    }
                    else
                    {
                        definitions[slot++] = ElementNull;
                    }
                }
            }

            await rowGroup.WriteAllPartsAsync<ReadOnlyMemory<char>>(
                field, values.AsMemory(0, valueCount), definitions.AsMemory(0, slots), repetitions.AsMemory(0, slots), cancellationToken)
                .ConfigureAwait(false);
        }
        finally
        {
            ArrayPool<IReadOnlyList<string?>?>.Shared.Return(lists, clearArray: true);
            ArrayPool<ReadOnlyMemory<char>>.Shared.Return(values, clearArray: true);
            ArrayPool<int>.Shared.Return(definitions);
            ArrayPool<int>.Shared.Return(repetitions);
        }
    }

    // Parquet.Net truncates towards the epoch; rounding down first matches JSONLines for instants before 1970 too.
    private static DateTime ToUtcMicroseconds(Column column, object value)
    {
        var utc = FormatChecks.ToUtcDateTime(column, value);
        return new DateTime(utc.Ticks - utc.Ticks % TimeSpan.TicksPerMicrosecond, DateTimeKind.Utc);
    }

    private static string ToText(Column column, object value) =>
        value as string ?? Convert.ToString(value, CultureInfo.InvariantCulture) ?? throw FormatChecks.Mismatch(column, value);

    private static string ToJsonText(Column column, object value) => value switch
    {
        string text => text,
        byte[] utf8 => Encoding.UTF8.GetString(utf8),
        JsonElement element => element.GetRawText(),
        _ => throw FormatChecks.Mismatch(column, value),
    };
}
