using System.Text.Json;
using System.Text.Json.Nodes;
using BatchExports.Core.Domain;
using BatchExports.Core.Domain.Destinations;

namespace BatchExports.Pipeline.Formats;

/// <summary>
/// The config of a destination that writes files (S3 today; Azure Blob and file downloads next): its
/// <c>file_format</c>, <c>compression</c> and <c>max_file_size_mb</c> fields, checked at save time with PostHog's
/// messages and read at run time, by the same rules.
/// </summary>
public static class FileDestinationRules
{
    public static readonly ConfigField CompressionField = new(
        "compression", ConfigValueKind.Unchecked,
        Description: "JSONLines: gzip, brotli. Parquet: zstd, lz4, snappy, gzip, brotli. null for none.",
        Shape: new(ConfigFieldType.String, Nullable: true, Choices: ExportFileFormats.AllCompressions));

    public static readonly ConfigField FileFormatField = new(
        "file_format", ConfigValueKind.String, Default: FileFormats.JsonLines, Description: "JSONLines or Parquet.",
        Shape: new(ConfigFieldType.String, Choices: ExportFileFormats.All));

    public static readonly ConfigField MaxFileSizeMbField = new(
        "max_file_size_mb", ConfigValueKind.Unchecked, Description: "Rotate files at this size; a _manifest.json lists them.",
        Shape: new(ConfigFieldType.Integer, Nullable: true, Minimum: 1));

    /// <summary>Save time: PostHog's message for an unsupported file format or compression, else null.</summary>
    public static string? FormatError(JsonObject config)
    {
        ArgumentNullException.ThrowIfNull(config);
        var fileFormat = DestinationConfigRules.StringOrNull(config[FileFormatField.Name]) ?? FileFormats.JsonLines;
        if (FileFormats.Problem(fileFormat, compression: null) is { } formatError)
        {
            return formatError;
        }

        // PostHog prints a non-string compression as its value, e.g. "Compression 5 is not supported …".
        return config[CompressionField.Name] is { } compression && compression.GetValueKind() != JsonValueKind.Null
            ? FileFormats.Problem(fileFormat, compression.GetValueKind() == JsonValueKind.String ? compression.GetValue<string>() : compression.ToJsonString())
            : null;
    }

    /// <summary>Save time: the message for a <c>max_file_size_mb</c> that is not a positive whole number, else null.</summary>
    public static string? MaxFileSizeError(JsonObject config)
    {
        ArgumentNullException.ThrowIfNull(config);
        return config[MaxFileSizeMbField.Name] is { } node && node.GetValueKind() != JsonValueKind.Null && PositiveMegabytes(node) == null
            ? "max_file_size_mb must be a positive whole number of megabytes."
            : null;
    }

    /// <summary>Run time: the file format and compression to write.</summary>
    /// <exception cref="ArgumentException">PostHog's message for an unsupported combination.</exception>
    /// <exception cref="InvalidOperationException">A value is not a string.</exception>
    public static (string FileFormat, string? Compression) ReadFormat(JsonObject config)
    {
        ArgumentNullException.ThrowIfNull(config);
        var fileFormat = config[FileFormatField.Name]?.GetValue<string>() ?? FileFormats.JsonLines;
        var compression = config[CompressionField.Name]?.GetValue<string>();
        FileFormats.Validate(fileFormat, compression);
        return (fileFormat, compression);
    }

    /// <summary>Run time: the size at which files rotate, in bytes; null when files do not rotate.</summary>
    /// <exception cref="ArgumentException">The value is not a positive whole number.</exception>
    public static long? MaxFileBytes(JsonObject config)
    {
        ArgumentNullException.ThrowIfNull(config);
        var node = config[MaxFileSizeMbField.Name];
        if (node == null || node.GetValueKind() == JsonValueKind.Null)
        {
            return null;
        }

        return PositiveMegabytes(node) is { } megabytes
            ? megabytes * 1024 * 1024
            : throw new ArgumentException($"max_file_size_mb must be a positive whole number, not {node.ToJsonString()}.");
    }

    private static long? PositiveMegabytes(JsonNode node) =>
        node.GetValueKind() == JsonValueKind.Number && node.AsValue().TryGetValue<long>(out var megabytes) && megabytes > 0 ? megabytes : null;
}
