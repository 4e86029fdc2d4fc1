using System.ComponentModel.DataAnnotations;

namespace BatchExports.Pipeline.Destinations.S3;

/// <summary>The <c>BatchExports:S3</c> section: how uploads are cut and retried (memory ≈ part size × concurrent uploads per run).</summary>
public sealed class S3Options
{
    public const string SectionName = "BatchExports:S3";

    [Range(5, 512)]
    public int PartSizeMb { get; set; } = MultipartUploadOptions.DefaultPartSize / 1024 / 1024;

    [Range(1, 16)]
    public int MaxConcurrentUploads { get; set; } = 2;

    /// <summary>Attempts per part (on top of the SDK's own retries) before the run itself fails and is retried.</summary>
    [Range(1, 20)]
    public int UploadAttempts { get; set; } = 5;

    public MultipartUploadOptions ToUploadOptions() => new()
    {
        PartSize = PartSizeMb * 1024 * 1024,
        MaxConcurrentUploads = MaxConcurrentUploads,
        MaxAttempts = UploadAttempts,
    };
}
