using BatchExports.Core.Domain.Destinations;

namespace BatchExports.Core.Domain;

/// <summary>
/// The file formats and compressions an export can write, by name, in PostHog's order (its messages print them). The
/// writers behind the names are the pipeline's (<c>Pipeline/Formats</c>); save-time checks, the file-download request
/// and the OpenAPI enums read the names from here.
/// </summary>
public static class ExportFileFormats
{
    public const string JsonLines = "JSONLines";
    public const string Parquet = "Parquet";

    public const string Zstd = "zstd";
    public const string Lz4 = "lz4";
    public const string Snappy = "snappy";
    public const string Gzip = "gzip";
    public const string Brotli = "brotli";

    public static readonly IReadOnlyList<string> All = [Parquet, JsonLines];

    /// <summary>Compressions per file format; no compression (<c>null</c>) is always allowed.</summary>
    public static readonly IReadOnlyDictionary<string, IReadOnlyList<string>> Compressions =
        new Dictionary<string, IReadOnlyList<string>>
        {
            [Parquet] = [Zstd, Lz4, Snappy, Gzip, Brotli],
            [JsonLines] = [Gzip, Brotli],
        };

    /// <summary>Every compression of any format (Parquet's list holds JSONLines' too).</summary>
    public static readonly IReadOnlyList<string> AllCompressions = Compressions[Parquet];

    /// <summary>PostHog's message when the combination is not supported, else null. Names are case-sensitive, as in PostHog.</summary>
    public static string? Problem(string fileFormat, string? compression)
    {
        if (!Compressions.TryGetValue(fileFormat, out var compressions))
        {
            return $"File format {fileFormat} is not supported. Supported file formats are {DestinationConfigRules.PythonList(All)}";
        }

        return compression is not null && !compressions.Contains(compression)
            ? $"Compression {compression} is not supported for file format {fileFormat}. Supported compressions are {DestinationConfigRules.PythonList(compressions)}"
            : null;
    }
}
