using System.Buffers;
using System.Globalization;
using System.IO.Compression;
using System.Text;
using System.Text.Json;

namespace BatchExports.Pipeline.Formats;

/// <summary>
/// Writes one compact JSON object per record and line, shaped like PostHog's orjson output: JSON columns nested,
/// timestamps as <c>2024-01-01T00:00:00.123456+00:00</c>, non-ASCII text unescaped.
/// </summary>
internal sealed class JsonLinesRecordWriter : RecordFileWriter
{
    /// <summary>
    /// Brotli quality for JSONLines. Measured on event rows (~1 KB each): quality 5 compressed about 4x slower than 4
    /// (roughly 20 against 70 MB/s on one core) for output only 3% smaller, and qualities above 5 slow down further.
    /// </summary>
    internal const int BrotliQuality = 4;

    private const int BufferCapacity = 128 * 1024;
    private const int FlushThreshold = 96 * 1024;
    private const int MaxJsonDepth = 512;

    private static readonly JsonReaderOptions ValidationOptions = new() { MaxDepth = MaxJsonDepth };
    private static readonly JsonDocumentOptions ReformatOptions = new() { MaxDepth = MaxJsonDepth };

    private readonly Stream? _compressor;
    private readonly Stream _sink;
    private readonly JsonEncodedText[] _names;
    private readonly PooledBufferWriter _buffer = new(BufferCapacity);
    private readonly Utf8JsonWriter _json;
    private byte[] _scratch = [];

    // Bytes handed to the compressor since its last flush: it may still hold them, so BytesWritten does not count them.
    private long _heldByCompressor;

    public JsonLinesRecordWriter(Stream output, IReadOnlyList<Column> columns, string? compression)
        : base(output, columns)
    {
        _compressor = compression switch
        {
            null => null,
            FileFormats.Gzip => new GZipStream(Output, CompressionLevel.Fastest, leaveOpen: true),
            FileFormats.Brotli => new BrotliStream(Output, new BrotliCompressionOptions { Quality = BrotliQuality }, leaveOpen: true),
            _ => throw new ArgumentException($"Compression {compression} is not supported for JSONLines.", nameof(compression)),
        };
        _sink = _compressor ?? Output;
        _names = [.. Columns.Select(c => JsonEncodedText.Encode(c.Name, MinimalJsonEncoder.Instance))];
        _json = new Utf8JsonWriter(_buffer, new JsonWriterOptions { Encoder = MinimalJsonEncoder.Instance, SkipValidation = true });
    }

    protected override async Task<int> WriteRowsAsync(RecordBatch batch, int start, long sizeLimit, CancellationToken cancellationToken)
    {
        var rows = batch.Rows;
        for (var r = start; r < rows.Count; r++)
        {
            WriteRow(rows[r]);
            // Compressed output never much exceeds its input, so this bounds the file's size were it finished now.
            // Only when that bound reaches the limit is the compressor flushed for the exact size: near the limit
            // that is a few dozen flushes per file, and the file ends within one record of the limit.
            if (sizeLimit != long.MaxValue && Output.BytesWritten + _heldByCompressor + _buffer.WrittenCount >= sizeLimit)
            {
                await FlushAllAsync(cancellationToken).ConfigureAwait(false);
                if (Output.BytesWritten >= sizeLimit)
                {
                    return r - start + 1;
                }
            }
            else if (_buffer.WrittenCount >= FlushThreshold)
            {
                await FlushBufferAsync(cancellationToken).ConfigureAwait(false);
            }
        }

        // Brotli may hold megabytes before emitting a block; flushing at each batch keeps BytesWritten close to the
        // real size, for a few bytes per batch and no loss of the compression window.
        await FlushAllAsync(cancellationToken).ConfigureAwait(false);
        return rows.Count - start;
    }

    private async ValueTask FlushAllAsync(CancellationToken cancellationToken)
    {
        await FlushBufferAsync(cancellationToken).ConfigureAwait(false);
        if (_compressor is not null)
        {
            await _compressor.FlushAsync(cancellationToken).ConfigureAwait(false);
            _heldByCompressor = 0;
        }
    }

    protected override async Task FinishFileAsync(CancellationToken cancellationToken)
    {
        await FlushBufferAsync(cancellationToken).ConfigureAwait(false);
        if (_compressor is not null)
        {
            await _compressor.DisposeAsync().ConfigureAwait(false);
        }
    }

    protected override async ValueTask ReleaseAsync()
    {
        if (_compressor is not null)
        {
            await _compressor.DisposeAsync().ConfigureAwait(false);
        }

        await _json.DisposeAsync().ConfigureAwait(false);
        _buffer.Dispose();
        if (_scratch.Length > 0)
        {
            ArrayPool<byte>.Shared.Return(_scratch);
            _scratch = [];
        }
    }

    private async ValueTask FlushBufferAsync(CancellationToken cancellationToken)
    {
        if (_buffer.WrittenCount == 0)
        {
            return;
        }

        await _sink.WriteAsync(_buffer.WrittenMemory, cancellationToken).ConfigureAwait(false);
        if (_compressor is not null)
        {
            _heldByCompressor += _buffer.WrittenCount;
        }

        _buffer.Clear();
    }

    private void WriteRow(object?[] row)
    {
        _json.WriteStartObject();
        for (var i = 0; i < Columns.Length; i++)
        {
            _json.WritePropertyName(_names[i]);
            WriteValue(Columns[i], row[i]);
        }

        _json.WriteEndObject();
        _json.Flush();
        _buffer.GetSpan(1)[0] = (byte)'\n';
        _buffer.Advance(1);
        // Without a reset the writer would put a comma before the next top-level object.
        _json.Reset();
    }

    private void WriteValue(Column column, object? value)
    {
        if (value is null)
        {
            _json.WriteNullValue();
            return;
        }

        switch (column.Kind)
        {
            case ColumnKind.String:
                _json.WriteStringValue(value as string ?? Convert.ToString(value, CultureInfo.InvariantCulture));
                break;
            case ColumnKind.Int64:
                WriteInteger(column, value);
                break;
            case ColumnKind.Float64:
                WriteDouble(FormatChecks.ToDouble(column, value));
                break;
            case ColumnKind.Boolean:
                _json.WriteBooleanValue(value as bool? ?? throw FormatChecks.Mismatch(column, value));
                break;
            case ColumnKind.Timestamp:
                WriteTimestamp(FormatChecks.ToUtcDateTime(column, value));
                break;
            case ColumnKind.Json:
                WriteJson(column, value);
                break;
            case ColumnKind.StringArray:
                WriteStringArray(column, value);
                break;
            default:
                throw new ArgumentOutOfRangeException(nameof(column), column.Kind, "Unknown column kind.");
        }
    }

    private void WriteInteger(Column column, object value)
    {
        switch (value)
        {
            case long l:
                _json.WriteNumberValue(l);
                break;
            case int i:
                _json.WriteNumberValue(i);
                break;
            case ulong u:
                _json.WriteNumberValue(u);
                break;
            case uint u:
                _json.WriteNumberValue(u);
                break;
            case short s:
                _json.WriteNumberValue(s);
                break;
            case ushort s:
                _json.WriteNumberValue(s);
                break;
            case byte b:
                _json.WriteNumberValue(b);
                break;
            case sbyte b:
                _json.WriteNumberValue(b);
                break;
            default:
                throw FormatChecks.Mismatch(column, value);
        }
    }

    private void WriteDouble(double value)
    {
        // orjson writes NaN and infinities as null: JSON has no spelling for them.
        if (!double.IsFinite(value))
        {
            _json.WriteNullValue();
            return;
        }

        Span<byte> text = stackalloc byte[40];
        value.TryFormat(text, out var length, "R", CultureInfo.InvariantCulture);
        // Spelled as Python does (1.0, 1e+300): an integral float keeps its fraction so that readers inferring
        // column types from the text see a float, not an integer.
        var exponent = text[..length].IndexOf((byte)'E');
        if (exponent >= 0)
        {
            text[exponent] = (byte)'e';
        }
        else if (text[..length].IndexOf((byte)'.') < 0)
        {
            text[length++] = (byte)'.';
            text[length++] = (byte)'0';
        }

        _json.WriteRawValue(text[..length], skipInputValidation: true);
    }

    private void WriteTimestamp(DateTime utc)
    {
        Span<byte> text = stackalloc byte[32];
        WriteDigits(text[..4], utc.Year);
        text[4] = (byte)'-';
        WriteDigits(text.Slice(5, 2), utc.Month);
        text[7] = (byte)'-';
        WriteDigits(text.Slice(8, 2), utc.Day);
        text[10] = (byte)'T';
        WriteDigits(text.Slice(11, 2), utc.Hour);
        text[13] = (byte)':';
        WriteDigits(text.Slice(14, 2), utc.Minute);
        text[16] = (byte)':';
        WriteDigits(text.Slice(17, 2), utc.Second);
        var length = 19;
        // Python's datetime holds microseconds, and isoformat() omits them when they are zero.
        var micros = (int)(utc.Ticks % TimeSpan.TicksPerSecond / TimeSpan.TicksPerMicrosecond);
        if (micros != 0)
        {
            text[length++] = (byte)'.';
            WriteDigits(text.Slice(length, 6), micros);
            length += 6;
        }

        "+00:00"u8.CopyTo(text[length..]);
        length += 6;
        _json.WriteStringValue(text[..length]);
    }

    private static void WriteDigits(Span<byte> destination, int value)
    {
        for (var i = destination.Length - 1; i >= 0; i--)
        {
            destination[i] = (byte)('0' + value % 10);
            value /= 10;
        }
    }

    private void WriteJson(Column column, object value)
    {
        switch (value)
        {
            case string text when column.IsCanonicalJson:
                // Checking a value the source guarantees was a full parse of every record's largest field.
                _json.WriteRawValue(Utf8(text), skipInputValidation: true);
                break;
            case byte[] utf8 when column.IsCanonicalJson:
                _json.WriteRawValue(utf8, skipInputValidation: true);
                break;
            case string text:
                WriteJsonText(text);
                break;
            case byte[] utf8:
                WriteJsonText(Encoding.UTF8.GetString(utf8));
                break;
            case JsonElement element:
                element.WriteTo(_json);
                break;
            default:
                throw FormatChecks.Mismatch(column, value);
        }
    }

    private void WriteJsonText(string text)
    {
        var utf8 = Utf8(text);
        if (!IsSingleJsonValue(utf8))
        {
            _json.WriteStringValue(text);
            return;
        }

        // A raw line break would split the record across lines; re-serializing drops insignificant whitespace.
        if (utf8.IndexOfAny((byte)'\n', (byte)'\r') >= 0)
        {
            using var document = JsonDocument.Parse(_scratch.AsMemory(0, utf8.Length), ReformatOptions);
            document.RootElement.WriteTo(_json);
            return;
        }

        _json.WriteRawValue(utf8, skipInputValidation: true);
    }

    /// <summary>The text as UTF-8 in the writer's scratch buffer (valid until the next call).</summary>
    private ReadOnlySpan<byte> Utf8(string text)
    {
        var needed = Encoding.UTF8.GetMaxByteCount(text.Length);
        if (_scratch.Length < needed)
        {
            if (_scratch.Length > 0)
            {
                ArrayPool<byte>.Shared.Return(_scratch);
            }

            _scratch = ArrayPool<byte>.Shared.Rent(Math.Max(needed, 4096));
        }

        return _scratch.AsSpan(0, Encoding.UTF8.GetBytes(text, _scratch));
    }

    private static bool IsSingleJsonValue(ReadOnlySpan<byte> utf8)
    {
        var reader = new Utf8JsonReader(utf8, ValidationOptions);
        try
        {
            var any = false;
            while (reader.Read())
            {
                any = true;
            }

            return any;
        }
        catch (JsonException)
        {
            return false;
        }
    }

    private void WriteStringArray(Column column, object value)
    {
        if (value is not IEnumerable<string?> items)
        {
            throw FormatChecks.Mismatch(column, value);
        }

        _json.WriteStartArray();
        foreach (var item in items)
        {
            if (item is null)
            {
                _json.WriteNullValue();
            }
            else
            {
                _json.WriteStringValue(item);
            }
        }

        _json.WriteEndArray();
    }
}
