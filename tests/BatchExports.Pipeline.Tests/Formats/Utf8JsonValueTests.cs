using System.Text;
using BatchExports.Pipeline.Formats;

namespace BatchExports.Pipeline.Tests.Formats;

/// <summary>
/// A JSON column handed over as its UTF-8 bytes (what the source gives the file writers) is written exactly as the
/// same JSON handed over as a string: the bytes in the file do not depend on the form.
/// </summary>
public sealed class Utf8JsonValueTests
{
    private static readonly Column[] Columns =
    [
        new("properties", ColumnKind.Json) { IsCanonicalJson = true },
        new("loose", ColumnKind.Json),
    ];

    private static readonly string[] JsonTexts =
    [
        SampleRecords.NestedProperties,
        """{"q": "a\"b\\c", "é": "café ☕ 日本語 🎉 𝄞", "n": [1, 2.5, null, true]}""",
        "[]",
        "\"just a string\"",
    ];

    [Theory]
    [InlineData(FileFormats.JsonLines, null)]
    [InlineData(FileFormats.JsonLines, FileFormats.Gzip)]
    [InlineData(FileFormats.Parquet, FileFormats.Zstd)]
    [InlineData(FileFormats.Parquet, null)]
    public async Task Bytes_and_strings_of_the_same_json_give_the_same_file(string format, string? compression)
    {
        // The loose column takes the writer's checking path: multi-line JSON and text that is no JSON at all.
        var asStrings = JsonTexts.Select(text => new object?[] { text, "{\n \"a\": 1\n}" })
            .Append([null, "not json"]).ToList();
        var asBytes = asStrings.Select(row => row.Select(v => v is string text ? Encoding.UTF8.GetBytes(text) : v).ToArray()).ToList();

        var fromStrings = await WriteAsync(format, compression, asStrings);
        var fromBytes = await WriteAsync(format, compression, asBytes);

        Assert.Equal(fromStrings, fromBytes);
        Assert.NotEmpty(fromStrings);
    }

    private static async Task<byte[]> WriteAsync(string format, string? compression, List<object?[]> rows)
    {
        using var output = new MemoryStream();
        await using (var writer = FileFormats.Create(format, compression, output, Columns))
        {
            await writer.WriteAsync(new RecordBatch(Columns, rows), CancellationToken.None);
            await writer.FinishAsync(CancellationToken.None);
        }

        return output.ToArray();
    }
}
