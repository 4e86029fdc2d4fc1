using BatchExports.Pipeline.Formats;
using Parquet;

namespace BatchExports.Pipeline.Tests.Formats;

/// <summary>Every format and compression, written to a forward-only stream and read back with standard readers.</summary>
public sealed class RoundTripTests
{
    public static TheoryData<string, string?> AllCombinations()
    {
        var data = new TheoryData<string, string?>();
        foreach (var format in FileFormats.SupportedFileFormats)
        {
            data.Add(format, null);
            foreach (var compression in FileFormats.SupportedCompressions[format])
            {
                data.Add(format, compression);
            }
        }

        return data;
    }

    [Fact]
    public void TheMatrixHasNinePairs() => Assert.Equal(9, AllCombinations().Count);

    [Theory]
    [MemberData(nameof(AllCombinations))]
    public async Task WrittenRecords_ReadBackUnchanged(string format, string? compression)
    {
        var ct = TestContext.Current.CancellationToken;
        var batches = SampleRecords.Batches();
        var output = new ForwardOnlyStream();

        await using (var writer = FileFormats.Create(format, compression, output, SampleRecords.Columns))
        {
            foreach (var batch in batches)
            {
                await writer.WriteAsync(batch, ct);
                Assert.Equal(output.WrittenLength, writer.BytesWritten);
            }

            await writer.FinishAsync(ct);
            Assert.Equal(output.WrittenLength, writer.BytesWritten);
            Assert.Equal(batches.Sum(b => b.Count), writer.RecordsWritten);
        }

        Assert.False(output.IsDisposed);
        Assert.True(output.FlushCount > 0);
        var file = output.ToArray();
        var expected = batches.SelectMany(b => b.Rows);
        if (format == FileFormats.JsonLines)
        {
            ReadBack.AssertJsonLinesMatch(SampleRecords.Columns, expected, ReadBack.JsonLines(file, compression, SampleRecords.Columns));
        }
        else
        {
            ReadBack.AssertParquetMatches(SampleRecords.Columns, expected, await ReadBack.ParquetRows(file, SampleRecords.Columns));
            await AssertParquetLayoutAsync(file, compression, batches);
        }
    }

    [Theory]
    [MemberData(nameof(AllCombinations))]
    public async Task BytesWritten_GrowsAsBatchesAreWritten(string format, string? compression)
    {
        var ct = TestContext.Current.CancellationToken;
        var output = new ForwardOnlyStream();
        await using var writer = FileFormats.Create(format, compression, output, SampleRecords.Columns);

        var previous = 0L;
        for (var i = 0; i < 4; i++)
        {
            await writer.WriteAsync(new RecordBatch(SampleRecords.Columns, SampleRecords.GeneratedRows(seed: i, count: 3_000)), ct);
            Assert.True(writer.BytesWritten > previous, $"batch {i}: {writer.BytesWritten} bytes, {previous} before");
            Assert.Equal(output.WrittenLength, writer.BytesWritten);
            previous = writer.BytesWritten;
        }

        await writer.FinishAsync(ct);
        Assert.Equal(output.WrittenLength, writer.BytesWritten);
    }

    [Theory]
    [MemberData(nameof(AllCombinations))]
    public async Task AFileWithNoRecords_IsStillValid(string format, string? compression)
    {
        var ct = TestContext.Current.CancellationToken;
        var output = new ForwardOnlyStream();
        await using (var writer = FileFormats.Create(format, compression, output, SampleRecords.Columns))
        {
            await writer.WriteAsync(new RecordBatch(SampleRecords.Columns, []), ct);
            await writer.FinishAsync(ct);
            Assert.Equal(output.WrittenLength, writer.BytesWritten);
            Assert.Equal(0, writer.RecordsWritten);
        }

        var file = output.ToArray();
        if (format == FileFormats.JsonLines)
        {
            Assert.Empty(ReadBack.JsonLines(file, compression, SampleRecords.Columns));
        }
        else
        {
            using var input = new MemoryStream(file);
            await using var reader = await ParquetReader.CreateAsync(input, cancellationToken: ct);
            Assert.Equal(0, reader.RowGroupCount);
            Assert.Equal(SampleRecords.Columns.Select(c => c.Name), reader.Schema.Fields.Select(f => f.Name));
        }
    }

    [Theory]
    [MemberData(nameof(AllCombinations))]
    public async Task FinishingTwice_WritesOneFooter_AndWritingAfterFinishFails(string format, string? compression)
    {
        var ct = TestContext.Current.CancellationToken;
        var output = new ForwardOnlyStream();
        await using var writer = FileFormats.Create(format, compression, output, SampleRecords.Columns);
        await writer.WriteAsync(new RecordBatch(SampleRecords.Columns, SampleRecords.EdgeRows()), ct);
        await writer.FinishAsync(ct);
        var length = output.WrittenLength;

        await writer.FinishAsync(ct);

        Assert.Equal(length, output.WrittenLength);
        await Assert.ThrowsAsync<InvalidOperationException>(
            () => writer.WriteAsync(new RecordBatch(SampleRecords.Columns, SampleRecords.EdgeRows()), ct));
    }

    [Theory]
    [MemberData(nameof(AllCombinations))]
    public async Task DisposingWithoutFinishing_AppendsNothingMore(string format, string? compression)
    {
        var ct = TestContext.Current.CancellationToken;
        var output = new ForwardOnlyStream();
        var writer = FileFormats.Create(format, compression, output, SampleRecords.Columns);
        await writer.WriteAsync(new RecordBatch(SampleRecords.Columns, SampleRecords.EdgeRows()), ct);
        var length = output.WrittenLength;

        await writer.DisposeAsync();

        Assert.Equal(length, output.WrittenLength);
        Assert.False(output.IsDisposed);
    }

    [Theory]
    [MemberData(nameof(AllCombinations))]
    public async Task AFailedWrite_LeavesTheFileAbandoned(string format, string? compression)
    {
        var ct = TestContext.Current.CancellationToken;
        var output = new ForwardOnlyStream();
        var writer = FileFormats.Create(format, compression, output, SampleRecords.Columns);
        await writer.WriteAsync(new RecordBatch(SampleRecords.Columns, SampleRecords.EdgeRows()), ct);
        var rows = SampleRecords.GeneratedRows(seed: 3, count: 50);
        rows[25][4] = "not a number";

        var error = await Assert.ThrowsAsync<ArgumentException>(() => writer.WriteAsync(new RecordBatch(SampleRecords.Columns, rows), ct));
        Assert.Contains("team_id", error.Message);
        Assert.Equal(SampleRecords.EdgeRows().Count, writer.RecordsWritten);
        await Assert.ThrowsAsync<InvalidOperationException>(() => writer.FinishAsync(ct));
        await Assert.ThrowsAsync<InvalidOperationException>(
            () => writer.WriteAsync(new RecordBatch(SampleRecords.Columns, SampleRecords.EdgeRows()), ct));
        var length = output.WrittenLength;
        await writer.DisposeAsync();
        Assert.Equal(length, output.WrittenLength);
    }

    [Theory]
    [InlineData(FileFormats.JsonLines)]
    [InlineData(FileFormats.Parquet)]
    public async Task ABatchWithOtherColumns_IsRejected(string format)
    {
        var ct = TestContext.Current.CancellationToken;
        await using var writer = FileFormats.Create(format, null, new ForwardOnlyStream(), SampleRecords.Columns);
        Column[] others = [new("uuid", ColumnKind.String)];

        await Assert.ThrowsAsync<ArgumentException>(() => writer.WriteAsync(new RecordBatch(others, [["x"]]), ct));
        await Assert.ThrowsAsync<ArgumentException>(() => writer.WriteAsync(new RecordBatch(SampleRecords.Columns, [["too short"]]), ct));
    }

    private static async Task AssertParquetLayoutAsync(byte[] file, string? compression, IReadOnlyList<RecordBatch> batches)
    {
        using var input = new MemoryStream(file);
        await using var reader = await ParquetReader.CreateAsync(input);

        Assert.Equal(batches.Count, reader.RowGroupCount);
        for (var i = 0; i < batches.Count; i++)
        {
            Assert.Equal(batches[i].Count, reader.OpenRowGroupReader(i).RowCount);
        }

        var expectedCodec = compression switch
        {
            null => Parquet.Meta.CompressionCodec.UNCOMPRESSED,
            FileFormats.Zstd => Parquet.Meta.CompressionCodec.ZSTD,
            FileFormats.Lz4 => Parquet.Meta.CompressionCodec.LZ4_RAW,
            FileFormats.Snappy => Parquet.Meta.CompressionCodec.SNAPPY,
            FileFormats.Gzip => Parquet.Meta.CompressionCodec.GZIP,
            FileFormats.Brotli => Parquet.Meta.CompressionCodec.BROTLI,
            _ => throw new ArgumentOutOfRangeException(nameof(compression), compression, null),
        };
        Assert.All(reader.Metadata!.RowGroups.SelectMany(g => g.Columns), c => Assert.Equal(expectedCodec, c.MetaData!.Codec));
    }
}
