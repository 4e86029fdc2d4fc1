using BatchExports.Pipeline.Formats;
using Parquet;

namespace BatchExports.Pipeline.Tests.Formats;

/// <summary>The Parquet schema and encodings that other readers depend on.</summary>
public sealed class ParquetWriterTests
{
    [Fact]
    public async Task Schema_MapsEachColumnKind_AndEveryFieldIsOptional()
    {
        var file = await WriteAsync(null, SampleRecords.EdgeRows());
        using var input = new MemoryStream(file);
        await using var reader = await ParquetReader.CreateAsync(input, cancellationToken: TestContext.Current.CancellationToken);

        // The physical schema, as any reader sees it; the first element is the root.
        var elements = reader.Metadata!.Schema.Skip(1).ToDictionary(e => e.Name);
        Assert.Equal(
            ["uuid", "event", "properties", "distinct_id", "team_id", "timestamp", "score", "is_identified", "urls", "list", "element", "elements_chain"],
            reader.Metadata.Schema.Skip(1).Select(e => e.Name));
        Assert.All(
            elements.Values.Where(e => e.Name != "list"),
            e => Assert.Equal(Parquet.Meta.FieldRepetitionType.OPTIONAL, e.RepetitionType));
        foreach (var name in new[] { "uuid", "event", "properties", "distinct_id", "element", "elements_chain" })
        {
            Assert.Equal(Parquet.Meta.Type.BYTE_ARRAY, elements[name].Type);
            Assert.NotNull(elements[name].LogicalType?.STRING);
        }

        Assert.Equal(Parquet.Meta.Type.INT64, elements["team_id"].Type);
        Assert.Equal(Parquet.Meta.Type.DOUBLE, elements["score"].Type);
        Assert.Equal(Parquet.Meta.Type.BOOLEAN, elements["is_identified"].Type);
        Assert.NotNull(elements["urls"].LogicalType?.LIST);
        Assert.Equal(Parquet.Meta.FieldRepetitionType.REPEATED, elements["list"].RepetitionType);
        Assert.Equal(Parquet.Meta.Type.INT64, elements["timestamp"].Type);
        Assert.True(elements["timestamp"].LogicalType?.TIMESTAMP?.IsAdjustedToUTC);
        Assert.NotNull(elements["timestamp"].LogicalType!.TIMESTAMP!.Unit.MICROS);
    }

    [Fact]
    public async Task StringLists_KeepNullListsEmptyListsAndNullItemsApart()
    {
        Column[] columns = [new("urls", ColumnKind.StringArray)];
        List<object?[]> rows =
        [
            [null],
            [Array.Empty<string?>()],
            [new[] { "a", null, "b" }],
            [new[] { (string?)null }],
            [new List<string?> { "c" }],
        ];
        var file = await WriteAsync(null, rows, columns);

        var lists = await ReadBack.ParquetStringLists(file, "urls");

        Assert.Equal<string?[]?>([null, [], ["a", null, "b"], [null], ["c"]], lists);
    }

    [Fact]
    public async Task Timestamps_AreUtcMicroseconds_RoundedDownLikeJsonLines()
    {
        Column[] columns = [new("t", ColumnKind.Timestamp)];
        var epoch = DateTimeOffset.UnixEpoch;
        List<object?[]> rows =
        [
            [epoch.AddTicks(15)],
            [epoch.AddTicks(-15)],
            [new DateTime(2024, 1, 1, 0, 0, 0, DateTimeKind.Unspecified)],
            [new DateTimeOffset(2024, 1, 1, 2, 0, 0, TimeSpan.FromHours(2))],
        ];
        var file = await WriteAsync(null, rows, columns);
        using var input = new MemoryStream(file);
        await using var reader = await ParquetReader.CreateAsync(input, cancellationToken: TestContext.Current.CancellationToken);
        var values = new DateTime?[rows.Count];

        await reader.OpenRowGroupReader(0).ReadAsync(
            reader.Schema.DataFields.Single(), values.AsMemory(), null, TestContext.Current.CancellationToken);

        var start = new DateTime(2024, 1, 1, 0, 0, 0, DateTimeKind.Utc);
        Assert.Equal(
            [epoch.UtcDateTime.AddTicks(10), epoch.UtcDateTime.AddTicks(-20), start, start],
            values.Select(v => DateTime.SpecifyKind(v!.Value, DateTimeKind.Utc)));
    }

    [Fact]
    public async Task RowGroups_FollowBatches_AndEmptyBatchesAddNone()
    {
        var output = new ForwardOnlyStream();
        await using (var writer = FileFormats.Create(FileFormats.Parquet, FileFormats.Zstd, output, SampleRecords.Columns))
        {
            await writer.WriteAsync(new RecordBatch(SampleRecords.Columns, SampleRecords.GeneratedRows(1, 10)), TestContext.Current.CancellationToken);
            await writer.WriteAsync(new RecordBatch(SampleRecords.Columns, []), TestContext.Current.CancellationToken);
            await writer.WriteAsync(new RecordBatch(SampleRecords.Columns, SampleRecords.GeneratedRows(2, 20)), TestContext.Current.CancellationToken);
            await writer.FinishAsync(TestContext.Current.CancellationToken);
        }

        using var input = new MemoryStream(output.ToArray());
        await using var reader = await ParquetReader.CreateAsync(input, cancellationToken: TestContext.Current.CancellationToken);
        Assert.Equal([10L, 20L], Enumerable.Range(0, reader.RowGroupCount).Select(i => reader.OpenRowGroupReader(i).RowCount));
    }

    private static async Task<byte[]> WriteAsync(string? compression, List<object?[]> rows, IReadOnlyList<Column>? columns = null)
    {
        columns ??= SampleRecords.Columns;
        var output = new ForwardOnlyStream();
        await using (var writer = FileFormats.Create(FileFormats.Parquet, compression, output, columns))
        {
            await writer.WriteAsync(new RecordBatch(columns, rows), TestContext.Current.CancellationToken);
            await writer.FinishAsync(TestContext.Current.CancellationToken);
        }

        return output.ToArray();
    }
}
