namespace BatchExports.Core.Services.FileDownloads;

/// <summary>
/// The keys of a <c>FileDownload</c> destination's config. They are the S3 destination's file keys, so the pipeline
/// reads format, compression and rotation through the same rules for both.
/// </summary>
public static class FileDownloadConfig
{
    public const string DestinationType = "FileDownload";

    public const string FileFormat = "file_format";
    public const string Compression = "compression";
    public const string MaxFileSizeMb = "max_file_size_mb";
    public const string IncludeEvents = "include_events";
    public const string ExcludeEvents = "exclude_events";
}
