using System.Collections;
using System.IO.Compression;
using System.Text;
using System.Text.Json;
using System.Text.RegularExpressions;
using BatchExports.Pipeline.Formats;
using Parquet;
using Parquet.Schema;
using Parquet.Serialization;

namespace BatchExports.Pipeline.Tests.Formats;

/// <summary>Reads written files back with standard readers and compares them with what was written.</summary>
internal static partial class ReadBack
{
    public static byte[] Decompress(byte[] file, string? compression)
    {
        using var input = new MemoryStream(file);
        using Stream reader = compression switch
        {
            null => input,
            FileFormats.Gzip => new GZipStream(input, CompressionMode.Decompress),
            FileFormats.Brotli => new BrotliStream(input, CompressionMode.Decompress),
            _ => throw new ArgumentOutOfRangeException(nameof(compression), compression, null),
        };
        using var output = new MemoryStream();
        reader.CopyTo(output);
        return output.ToArray();
    }

    /// <summary>Each line parsed as JSON, checked to have exactly the columns as keys, in column order.</summary>
    public static List<JsonElement> JsonLines(byte[] file, string? compression, IReadOnlyList<Column> columns)
    {
        var text = Encoding.UTF8.GetString(Decompress(file, compression));
        var rows = new List<JsonElement>();
        if (text.Length == 0)
        {
            return rows;
        }

        Assert.EndsWith("\n", text);
        foreach (var line in text[..^1].Split('\n'))
        {
            Assert.DoesNotContain('\r', line);
            var row = JsonDocument.Parse(line).RootElement.Clone();
            Assert.Equal(JsonValueKind.Object, row.ValueKind);
            Assert.Equal(columns.Select(c => c.Name), row.EnumerateObject().Select(p => p.Name));
            rows.Add(row);
        }

        return rows;
    }

    /// <summary>
    /// Rows through Parquet.Net's untyped reader, except string lists, which that reader flattens (it drops null items
    /// and reads an empty list as null) and are therefore assembled from the raw definition and repetition levels.
    /// </summary>
    public static async Task<List<object?[]>> ParquetRows(byte[] file, IReadOnlyList<Column> columns)
    {
        using var input = new MemoryStream(file);
        var result = await ParquetSerializer.DeserializeUntypedAsync(input);
        var rows = result.Data.Select(d => columns.Select(c => d.GetValueOrDefault(c.Name)).ToArray()).ToList();
        foreach (var row in result.Data)
        {
            Assert.Empty(row.Keys.Except(columns.Select(c => c.Name)));
        }

        for (var c = 0; c < columns.Count; c++)
        {
            if (columns[c].Kind != ColumnKind.StringArray)
            {
                continue;
            }

            var lists = await ParquetStringLists(file, columns[c].Name);
            Assert.Equal(rows.Count, lists.Count);
            for (var r = 0; r < rows.Count; r++)
            {
                rows[r][c] = lists[r];
            }
        }

        return rows;
    }

    /// <summary>A three-level list of optional strings: level 0 is a null list, 1 an empty one, 2 a null item, 3 an item.</summary>
    public static async Task<List<string?[]?>> ParquetStringLists(byte[] file, string column)
    {
        using var input = new MemoryStream(file);
        await using var reader = await ParquetReader.CreateAsync(input);
        var list = Assert.IsType<ListField>(reader.Schema.Fields.Single(f => f.Name == column));
        var item = Assert.IsType<DataField>(list.Item, exactMatch: false);
        var rows = new List<List<string?>?>();
        for (var g = 0; g < reader.RowGroupCount; g++)
        {
            using var group = reader.OpenRowGroupReader(g);
            var count = (int)group.GetMetadata(item)!.MetaData!.NumValues;
            var values = new ReadOnlyMemory<char>[count];
            var definitions = new int[count];
            var repetitions = new int[count];
            await group.ReadRawAsync(item, values.AsMemory(), definitions.AsMemory(), repetitions.AsMemory());
            var next = 0;
            for (var i = 0; i < count; i++)
            {
                if (repetitions[i] == 0)
                {
                    rows.Add(definitions[i] == 0 ? null : []);
                }

                if (definitions[i] >= 2)
                {
                    rows[^1]!.Add(definitions[i] == 3 ? values[next++].ToString() : null);
                }
            }
        }

        return [.. rows.Select(r => r?.ToArray())];
    }

    public static void AssertJsonLinesMatch(IReadOnlyList<Column> columns, IEnumerable<object?[]> expectedRows, IReadOnlyList<JsonElement> actualRows)
    {
        var expected = expectedRows.ToList();
        Assert.Equal(expected.Count, actualRows.Count);
        for (var r = 0; r < expected.Count; r++)
        {
            for (var c = 0; c < columns.Count; c++)
            {
                var context = $"row {r}, column {columns[c].Name}";
                AssertJsonValue(columns[c].Kind, expected[r][c], actualRows[r].GetProperty(columns[c].Name), context);
            }
        }
    }

    public static void AssertParquetMatches(IReadOnlyList<Column> columns, IEnumerable<object?[]> expectedRows, IReadOnlyList<object?[]> actualRows)
    {
        var expected = expectedRows.ToList();
        Assert.Equal(expected.Count, actualRows.Count);
        for (var r = 0; r < expected.Count; r++)
        {
            for (var c = 0; c < columns.Count; c++)
            {
                var context = $"row {r}, column {columns[c].Name}";
                AssertParquetValue(columns[c].Kind, expected[r][c], actualRows[r][c], context);
            }
        }
    }

    private static void AssertJsonValue(ColumnKind kind, object? expected, JsonElement actual, string context)
    {
        if (expected is null)
        {
            Assert.True(actual.ValueKind == JsonValueKind.Null, $"{context}: expected null, got {actual}");
            return;
        }

        switch (kind)
        {
            case ColumnKind.String:
                Assert.Equal((string)expected, actual.GetString());
                break;
            case ColumnKind.Int64:
                Assert.Equal((long)expected, actual.GetInt64());
                break;
            case ColumnKind.Float64:
                Assert.Equal((double)expected, actual.GetDouble());
                break;
            case ColumnKind.Boolean:
                Assert.Equal((bool)expected, actual.GetBoolean());
                break;
            case ColumnKind.Timestamp:
                var text = actual.GetString()!;
                Assert.Matches(TimestampPattern(), text);
                var parsed = DateTimeOffset.Parse(text, System.Globalization.CultureInfo.InvariantCulture);
                Assert.Equal(ToMicros(expected), parsed.UtcDateTime);
                break;
            case ColumnKind.Json:
                AssertNestedJson((string)expected, actual, context);
                break;
            case ColumnKind.StringArray:
                Assert.Equal(JsonValueKind.Array, actual.ValueKind);
                Assert.Equal(ToStrings(expected), actual.EnumerateArray().Select(e => e.ValueKind == JsonValueKind.Null ? null : e.GetString()));
                break;
            default:
                throw new ArgumentOutOfRangeException(nameof(kind), kind, context);
        }
    }

    private static void AssertNestedJson(string expected, JsonElement actual, string context)
    {
        JsonElement expectedElement;
        try
        {
            expectedElement = JsonDocument.Parse(expected).RootElement;
        }
        catch (JsonException)
        {
            // Text that is not JSON is kept as a JSON string rather than dropped or corrupting the line.
            Assert.Equal(JsonValueKind.String, actual.ValueKind);
            Assert.Equal(expected, actual.GetString());
            return;
        }

        Assert.True(expectedElement.ValueKind == actual.ValueKind, $"{context}: expected {expectedElement.ValueKind}, got {actual.ValueKind}");
        Assert.True(JsonElement.DeepEquals(expectedElement, actual), $"{context}: {actual} differs from {expected}");
    }

    private static void AssertParquetValue(ColumnKind kind, object? expected, object? actual, string context)
    {
        if (expected is null)
        {
            Assert.True(actual is null, $"{context}: expected null, got {actual}");
            return;
        }

        Assert.True(actual is not null, $"{context}: expected {expected}, got null");
        switch (kind)
        {
            case ColumnKind.String or ColumnKind.Json:
                Assert.Equal((string)expected, Assert.IsType<string>(actual));
                break;
            case ColumnKind.Int64:
                Assert.Equal((long)expected, Assert.IsType<long>(actual));
                break;
            case ColumnKind.Float64:
                Assert.Equal((double)expected, Assert.IsType<double>(actual));
                break;
            case ColumnKind.Boolean:
                Assert.Equal((bool)expected, Assert.IsType<bool>(actual));
                break;
            case ColumnKind.Timestamp:
                var timestamp = Assert.IsType<DateTime>(actual);
                Assert.Equal(ToMicros(expected), DateTime.SpecifyKind(timestamp, DateTimeKind.Utc));
                break;
            case ColumnKind.StringArray:
                Assert.Equal(ToStrings(expected), ToStrings(actual));
                break;
            default:
                throw new ArgumentOutOfRangeException(nameof(kind), kind, context);
        }
    }

    private static DateTime ToMicros(object value)
    {
        var utc = ((DateTimeOffset)value).UtcDateTime;
        return new DateTime(utc.Ticks - utc.Ticks % TimeSpan.TicksPerMicrosecond, DateTimeKind.Utc);
    }

    private static string?[] ToStrings(object value) => [.. ((IEnumerable)value).Cast<object?>().Select(v => v switch
    {
        null => null,
        string s => s,
        // The untyped reader hands list items over as character memory.
        ReadOnlyMemory<char> chars => chars.ToString(),
        _ => throw new InvalidCastException($"list item {v} is a {v.GetType()} in a {value.GetType()}"),
    })];

    [GeneratedRegex(@"^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d(\.\d{6})?\+00:00$")]
    private static partial Regex TimestampPattern();
}
