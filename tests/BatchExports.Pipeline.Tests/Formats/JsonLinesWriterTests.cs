using System.Text;
using System.Text.Json;
using BatchExports.Pipeline.Formats;

namespace BatchExports.Pipeline.Tests.Formats;

/// <summary>The exact text of JSONLines output, which mirrors PostHog's orjson rendering.</summary>
public sealed class JsonLinesWriterTests
{
    [Fact]
    public async Task ARow_IsOneCompactLine_WithJsonNestedAndTextUnescaped()
    {
        var lines = await WriteLinesAsync(SampleRecords.Columns, SampleRecords.EdgeRows()[1]);

        var expected =
            $$"""{"uuid":"018c7f3e-0000-7000-8000-000000000001","event":"café ☕ 日本語 🎉 𝄞","properties":{{SampleRecords.NestedProperties}},"distinct_id":"a\"b\\c/d","team_id":9223372036854775807,"timestamp":"2024-01-01T00:00:00.123456+00:00","score":1.0,"is_identified":true,"urls":["https://a.example/?q=1&r=<2>",null,"ünïcödé 👍"],"elements_chain":"line1\nline2\r\n\ttab\u0001bell\u001f"}""";
        Assert.Equal([expected], lines);
    }

    [Fact]
    public async Task NullValues_AreWrittenAsNull()
    {
        var lines = await WriteLinesAsync(SampleRecords.Columns, new object?[SampleRecords.Columns.Count]);

        Assert.Equal(
            ["""{"uuid":null,"event":null,"properties":null,"distinct_id":null,"team_id":null,"timestamp":null,"score":null,"is_identified":null,"urls":null,"elements_chain":null}"""],
            lines);
    }

    [Theory]
    [InlineData(0L, "2024-01-01T00:00:00+00:00")]
    [InlineData(1L, "2024-01-01T00:00:00+00:00")]
    [InlineData(10L, "2024-01-01T00:00:00.000001+00:00")]
    [InlineData(1_234_567L, "2024-01-01T00:00:00.123456+00:00")]
    [InlineData(10_000_000L, "2024-01-01T00:00:01+00:00")]
    [InlineData(5_000L, "2024-01-01T00:00:00.000500+00:00")]
    public async Task Timestamps_AreIsoUtcWithMicrosecondsOnlyWhenNonZero(long ticks, string expected)
    {
        var instant = new DateTimeOffset(2024, 1, 1, 0, 0, 0, TimeSpan.Zero).AddTicks(ticks);

        Assert.Equal([$"{{\"t\":\"{expected}\"}}"], await WriteLinesAsync([new("t", ColumnKind.Timestamp)], instant));
    }

    [Fact]
    public async Task Timestamps_AreConvertedToUtc()
    {
        Column[] columns = [new("a", ColumnKind.Timestamp), new("b", ColumnKind.Timestamp), new("c", ColumnKind.Timestamp)];
        object?[] row =
        [
            new DateTimeOffset(2024, 1, 1, 2, 0, 0, TimeSpan.FromHours(2)),
            new DateTime(2024, 1, 1, 0, 0, 0, DateTimeKind.Unspecified),
            new DateTime(9999, 12, 31, 23, 59, 59, DateTimeKind.Utc).AddTicks(9_999_999),
        ];

        Assert.Equal(
            ["""{"a":"2024-01-01T00:00:00+00:00","b":"2024-01-01T00:00:00+00:00","c":"9999-12-31T23:59:59.999999+00:00"}"""],
            await WriteLinesAsync(columns, row));
    }

    [Theory]
    [InlineData(1.0, "1.0")]
    [InlineData(-0.5, "-0.5")]
    [InlineData(0.1, "0.1")]
    [InlineData(1e300, "1e+300")]
    [InlineData(-1.5e-10, "-1.5e-10")]
    [InlineData(123456789.0, "123456789.0")]
    [InlineData(double.NaN, "null")]
    [InlineData(double.PositiveInfinity, "null")]
    [InlineData(double.NegativeInfinity, "null")]
    public async Task Floats_AreSpelledAsPythonDoes(double value, string expected) =>
        Assert.Equal([$"{{\"f\":{expected}}}"], await WriteLinesAsync([new("f", ColumnKind.Float64)], value));

    [Theory]
    [InlineData("""{"a":1}""", """{"a":1}""")]
    [InlineData("""{ "a" : [ 1, 2 ] }""", """{ "a" : [ 1, 2 ] }""")]
    [InlineData("{\n  \"a\": {\r\n \"b\": \"x\\ny\"\n }\n}", """{"a":{"b":"x\ny"}}""")]
    [InlineData("[]", "[]")]
    [InlineData("42", "42")]
    [InlineData("null", "null")]
    [InlineData("\"text\"", "\"text\"")]
    [InlineData("""{"emoji":"\ud83d\ude80"}""", """{"emoji":"\ud83d\ude80"}""")]
    [InlineData("{not json", "\"{not json\"")]
    [InlineData("""{"a":1} {"b":2}""", "\"{\\\"a\\\":1} {\\\"b\\\":2}\"")]
    [InlineData("""{"a":1,}""", "\"{\\\"a\\\":1,}\"")]
    [InlineData("", "\"\"")]
    [InlineData("   ", "\"   \"")]
    [InlineData("{\"a\":\"tab\tinside\"}", "\"{\\\"a\\\":\\\"tab\\tinside\\\"}\"")]
    public async Task JsonText_IsNestedWhenValid_AndKeptAsAStringOtherwise(string text, string expected) =>
        Assert.Equal([$"{{\"p\":{expected}}}"], await WriteLinesAsync([new("p", ColumnKind.Json)], text));

    [Fact]
    public async Task JsonElements_AreNestedToo()
    {
        var element = JsonDocument.Parse("""{"a":[1,{"b":null}]}""").RootElement;

        Assert.Equal(["""{"p":{"a":[1,{"b":null}]}}"""], await WriteLinesAsync([new("p", ColumnKind.Json)], element));
    }

    [Fact]
    public async Task DeeplyNestedJson_IsStillNested()
    {
        var text = string.Concat(Enumerable.Repeat("[", 200)) + string.Concat(Enumerable.Repeat("]", 200));

        Assert.Equal([$"{{\"p\":{text}}}"], await WriteLinesAsync([new("p", ColumnKind.Json)], text));
    }

    [Fact]
    public async Task ColumnNames_AreEscapedLikeValues()
    {
        Column[] columns = [new("quote\"d", ColumnKind.String), new("ünï", ColumnKind.Int64)];

        Assert.Equal(["""{"quote\"d":"v","ünï":7}"""], await WriteLinesAsync(columns, "v", 7L));
    }

    [Fact]
    public async Task LargeBatches_SpanManyBufferFlushes()
    {
        Column[] columns = [new("n", ColumnKind.Int64), new("s", ColumnKind.String)];
        var padding = new string('x', 1_000);
        var rows = Enumerable.Range(0, 5_000).Select(i => new object?[] { (long)i, padding }).ToList();
        var output = new ForwardOnlyStream();
        await using (var writer = FileFormats.Create(FileFormats.JsonLines, null, output, columns))
        {
            await writer.WriteAsync(new RecordBatch(columns, rows), TestContext.Current.CancellationToken);
            await writer.FinishAsync(TestContext.Current.CancellationToken);
        }

        var lines = ReadBack.JsonLines(output.ToArray(), null, columns);
        Assert.Equal(Enumerable.Range(0, 5_000).Select(i => (long)i), lines.Select(l => l.GetProperty("n").GetInt64()));
    }

    private static async Task<string[]> WriteLinesAsync(IReadOnlyList<Column> columns, params object?[] row)
    {
        var output = new ForwardOnlyStream();
        await using (var writer = FileFormats.Create(FileFormats.JsonLines, null, output, columns))
        {
            await writer.WriteAsync(new RecordBatch(columns, [row]), TestContext.Current.CancellationToken);
            await writer.FinishAsync(TestContext.Current.CancellationToken);
        }

        var text = Encoding.UTF8.GetString(output.ToArray());
        Assert.EndsWith("\n", text);
        return text[..^1].Split('\n');
    }
}
