using System.ComponentModel.DataAnnotations;

namespace BatchExports.Pipeline.Destinations.FileDownload;

/// <summary>
/// The <c>BatchExports:FileDownloads</c> section: where file downloads are stored and for how long. Without a
/// bucket, files live in the <see cref="FolderName"/> folder of the data directory and the API streams them; with
/// one, they are written to the bucket and a download redirects to a pre-signed URL.
/// </summary>
public sealed class FileDownloadOptions
{
    public const string SectionName = "BatchExports:FileDownloads";

    /// <summary>The data directory's sub-folder that holds nothing but file downloads (expiry cleanup works only here).</summary>
    public const string FolderName = "file-downloads";

    /// <summary>How long a written file can be downloaded (PostHog's <c>BATCH_EXPORTS_FILE_DOWNLOAD_EXPIRATION_SECONDS</c>).</summary>
    [Range(typeof(TimeSpan), "00:01:00", "365.00:00:00")]
    public TimeSpan ExpiresAfter { get; set; } = TimeSpan.FromDays(1);

    /// <summary>Whether this process removes expired files in the background (tests drive the cleanup themselves).</summary>
    public bool CleanupEnabled { get; set; } = true;

    /// <summary>How often expired files are removed.</summary>
    [Range(typeof(TimeSpan), "00:00:01", "1.00:00:00")]
    public TimeSpan CleanupInterval { get; set; } = TimeSpan.FromMinutes(5);

    /// <summary>
    /// Records per batch read from the source: with the writer's buffers this bounds a run's memory, and files rotate
    /// at <c>max_size_mb</c> between batches.
    /// </summary>
    [Range(100, 1_000_000)]
    public int RecordsPerBatch { get; set; } = Sources.PostgresSource.DefaultBatchSize;

    /// <summary>A bucket for downloads; unset keeps them on local disk.</summary>
    public string? BucketName { get; set; }

    public string Region { get; set; } = "us-east-1";

    /// <summary>Key prefix inside the bucket.</summary>
    public string Prefix { get; set; } = "file-downloads/";

    /// <summary>An S3-compatible endpoint (MinIO, R2, …); unset is AWS S3.</summary>
    public string? EndpointUrl { get; set; }

    /// <summary>Unset uses the default AWS credential chain.</summary>
    public string? AccessKeyId { get; set; }

    public string? SecretAccessKey { get; set; }

    public bool UseVirtualStyleAddressing { get; set; }

    public bool UsesBucket => !string.IsNullOrWhiteSpace(BucketName);
}
