using System.IO.Compression;
using BatchExports.Core.Domain;
using Parquet;

namespace BatchExports.Pipeline.Formats;

/// <summary>
/// The file formats and compressions an export can write, named and validated as PostHog's S3 destination does.
/// </summary>
/// <remarks>
/// Compression levels favour throughput, as the export streams while it reads: JSONLines gzip uses
/// <see cref="CompressionLevel.Fastest"/> and brotli quality 4 (<see cref="JsonLinesRecordWriter.BrotliQuality"/>).
/// Parquet compresses each page: zstd at level 1 and LZ4 at its fast level (as pyarrow does by default), gzip and
/// brotli at <see cref="CompressionLevel.Optimal"/>. Parquet "lz4" is written as the LZ4_RAW codec, which current
/// readers (Arrow, DuckDB, Spark) read; Parquet.Net writes a raw block even under the deprecated LZ4 codec, which only
/// some readers accept.
/// </remarks>
public static class FileFormats
{
    public const string JsonLines = ExportFileFormats.JsonLines;
    public const string Parquet = ExportFileFormats.Parquet;

    public const string Zstd = ExportFileFormats.Zstd;
    public const string Lz4 = ExportFileFormats.Lz4;
    public const string Snappy = ExportFileFormats.Snappy;
    public const string Gzip = ExportFileFormats.Gzip;
    public const string Brotli = ExportFileFormats.Brotli;

    /// <summary>In PostHog's order, which its error messages print.</summary>
    public static IReadOnlyList<string> SupportedFileFormats => ExportFileFormats.All;

    /// <summary>Compressions per file format, in PostHog's order; no compression (<c>null</c>) is always allowed.</summary>
    public static IReadOnlyDictionary<string, IReadOnlyList<string>> SupportedCompressions => ExportFileFormats.Compressions;

    private static readonly IReadOnlyDictionary<string, string> CompressionExtensions = new Dictionary<string, string>
    {
        [Gzip] = "gz",
        [Brotli] = "br",
        [Zstd] = "zst",
        [Lz4] = "lz4",
        [Snappy] = "sz",
    };

    /// <summary>
    /// Throws <see cref="ArgumentException"/> with PostHog's message if the combination is not supported. Names are
    /// case-sensitive, as in PostHog; no parameter name is attached so the message stays exactly PostHog's.
    /// </summary>
    public static void Validate(string fileFormat, string? compression)
    {
        if (Problem(fileFormat, compression) is { } message)
        {
            throw new ArgumentException(message);
        }
    }

    /// <summary>PostHog's message when the combination is not supported, else null.</summary>
    public static string? Problem(string fileFormat, string? compression) => ExportFileFormats.Problem(fileFormat, compression);

    /// <summary>
    /// The file name extension, as PostHog's current key rule: <c>jsonl.gz</c>, <c>jsonl.br</c>, <c>parquet</c>. A
    /// Parquet file compresses its pages, not the file, so the codec suffix (<c>parquet.zst</c>) is written only with
    /// <paramref name="legacyParquetExtension"/>, for exports whose readers expect the older names.
    /// </summary>
    public static string FileExtension(string fileFormat, string? compression, bool legacyParquetExtension)
    {
        Validate(fileFormat, compression);
        var extension = fileFormat == Parquet ? "parquet" : "jsonl";
        return compression is null || (fileFormat == Parquet && !legacyParquetExtension)
            ? extension
            : $"{extension}.{CompressionExtensions[compression]}";
    }

    /// <summary>
    /// A writer for one file on <paramref name="output"/>, which may be forward-only and is never disposed by the writer.
    /// </summary>
    public static IRecordFileWriter Create(string fileFormat, string? compression, Stream output, IReadOnlyList<Column> columns)
    {
        ArgumentNullException.ThrowIfNull(output);
        ArgumentNullException.ThrowIfNull(columns);
        Validate(fileFormat, compression);
        if (fileFormat == JsonLines)
        {
            return new JsonLinesRecordWriter(output, columns, compression);
        }

        var (method, level) = compression switch
        {
            null => (CompressionMethod.None, CompressionLevel.NoCompression),
            Zstd => (CompressionMethod.Zstd, CompressionLevel.Fastest),
            Lz4 => (CompressionMethod.Lz4Raw, CompressionLevel.Fastest),
            Snappy => (CompressionMethod.Snappy, CompressionLevel.Optimal),
            Gzip => (CompressionMethod.Gzip, CompressionLevel.Optimal),
            Brotli => (CompressionMethod.Brotli, CompressionLevel.Optimal),
            _ => throw new ArgumentException($"Compression {compression} is not supported.", nameof(compression)),
        };
        return new ParquetRecordWriter(output, columns, method, level);
    }
}
