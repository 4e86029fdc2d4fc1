using BatchExports.Pipeline.Formats;

namespace BatchExports.Pipeline.Tests.Formats;

/// <summary>Names, extensions and error messages, as PostHog's S3 destination has them.</summary>
public sealed class FileFormatsTests
{
    [Theory]
    [InlineData("JSONLines", null, "jsonl", "jsonl")]
    [InlineData("JSONLines", "gzip", "jsonl.gz", "jsonl.gz")]
    [InlineData("JSONLines", "brotli", "jsonl.br", "jsonl.br")]
    [InlineData("Parquet", null, "parquet", "parquet")]
    [InlineData("Parquet", "zstd", "parquet", "parquet.zst")]
    [InlineData("Parquet", "lz4", "parquet", "parquet.lz4")]
    [InlineData("Parquet", "snappy", "parquet", "parquet.sz")]
    [InlineData("Parquet", "gzip", "parquet", "parquet.gz")]
    [InlineData("Parquet", "brotli", "parquet", "parquet.br")]
    public void FileExtension_FollowsPostHogsS3Naming_WithTheCodecOnParquetOnlyForLegacyExports(
        string format, string? compression, string extension, string legacyExtension)
    {
        Assert.Equal(extension, FileFormats.FileExtension(format, compression, legacyParquetExtension: false));
        Assert.Equal(legacyExtension, FileFormats.FileExtension(format, compression, legacyParquetExtension: true));
    }

    [Fact]
    public void SupportedLists_AreInPostHogsOrder()
    {
        Assert.Equal(["Parquet", "JSONLines"], FileFormats.SupportedFileFormats);
        Assert.Equal(["zstd", "lz4", "snappy", "gzip", "brotli"], FileFormats.SupportedCompressions["Parquet"]);
        Assert.Equal(["gzip", "brotli"], FileFormats.SupportedCompressions["JSONLines"]);
    }

    [Theory]
    [InlineData("CSV")]
    [InlineData("jsonlines")]
    [InlineData("parquet")]
    [InlineData("")]
    public void AnUnsupportedFileFormat_IsRejectedWithPostHogsMessage(string format)
    {
        var expected = $"File format {format} is not supported. Supported file formats are ['Parquet', 'JSONLines']";

        Assert.Equal(expected, Assert.Throws<ArgumentException>(() => FileFormats.FileExtension(format, null, legacyParquetExtension: false)).Message);
        Assert.Equal(expected, Assert.Throws<ArgumentException>(() => FileFormats.Validate(format, "gzip")).Message);
        Assert.Equal(
            expected,
            Assert.Throws<ArgumentException>(() => FileFormats.Create(format, null, new MemoryStream(), SampleRecords.Columns)).Message);
    }

    [Theory]
    [InlineData("JSONLines", "zstd", "['gzip', 'brotli']")]
    [InlineData("JSONLines", "snappy", "['gzip', 'brotli']")]
    [InlineData("JSONLines", "GZIP", "['gzip', 'brotli']")]
    [InlineData("Parquet", "lzo", "['zstd', 'lz4', 'snappy', 'gzip', 'brotli']")]
    [InlineData("Parquet", "", "['zstd', 'lz4', 'snappy', 'gzip', 'brotli']")]
    public void AnUnsupportedCompression_IsRejectedWithPostHogsMessage(string format, string compression, string supported)
    {
        var expected = $"Compression {compression} is not supported for file format {format}. Supported compressions are {supported}";

        Assert.Equal(expected, Assert.Throws<ArgumentException>(() => FileFormats.FileExtension(format, compression, legacyParquetExtension: false)).Message);
        Assert.Equal(
            expected,
            Assert.Throws<ArgumentException>(() => FileFormats.Create(format, compression, new MemoryStream(), SampleRecords.Columns)).Message);
    }
}
