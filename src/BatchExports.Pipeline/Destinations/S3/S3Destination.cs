using System.Globalization;
using System.Text.Json;
using System.Text.Json.Nodes;
using Amazon.S3;
using Amazon.S3.Model;
using BatchExports.Pipeline.Formats;
using BatchExports.Pipeline.Runs;
using BatchExports.Pipeline.Sources;

namespace BatchExports.Pipeline.Destinations.S3;

/// <summary>
/// Exports a run's interval to S3 (worker spec §4.1): records stream from the source, through the file writer
/// (JSONLines or Parquet, compressed), into a multipart upload completed only at the end of each file. With
/// <c>max_file_size_mb</c>, files rotate by size at record granularity (<see cref="RecordFileSeries"/>) and a
/// <c>_manifest.json</c> listing them is written last. An empty interval writes nothing.
/// </summary>
public sealed class S3Destination(MultipartUploadOptions? uploadOptions = null) : IDestination
{
    /// <summary>PostHog's default event fields for S3: defaults + elements_chain, person_properties, person_id − team_id, set, set_once.</summary>
    public static readonly IReadOnlyList<string> EventFields =
        ["uuid", "timestamp", "_inserted_at", "created_at", "event", "properties", "distinct_id", "elements_chain", "person_properties", "person_id"];

    public string Type => S3Definition.TypeName;

    IReadOnlyList<string>? IDestination.EventFields => EventFields;

    /// <summary>Records per batch read from the source; bounds memory together with the upload part size.</summary>
    public int BatchSize { get; init; } = PostgresSource.DefaultBatchSize;

    /// <summary>
    /// Files need no order (PostHog's S3 export passes <c>order_columns=None</c>, worker spec §3.3), and sorting the
    /// interval was the largest single cost of the read (bench/README.md).
    /// </summary>
    bool IDestination.NeedsOrderedRecords => false;

    /// <summary>Its file writers write JSON as bytes (bench/README.md: a decode and an encode of every properties value).</summary>
    bool IDestination.AcceptsUtf8Json => true;

    public async Task<RunOutcome> ExportAsync(RunContext context, RecordStream records, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(context);
        ArgumentNullException.ThrowIfNull(records);
        var config = context.Config;
        S3Settings settings;
        string fileFormat;
        string? compression;
        long? maxFileBytes;
        try
        {
            settings = S3Settings.FromConfig(config);
            (fileFormat, compression) = FileDestinationRules.ReadFormat(config);
            maxFileBytes = FileDestinationRules.MaxFileBytes(config);
        }
        catch (Exception exception) when (exception is ArgumentException or InvalidOperationException or FormatException)
        {
            throw new NonRetryableExportException($"Invalid S3 configuration: {exception.Message}", exception);
        }

        var interval = context.Interval;
        var prefix = S3ObjectKeys.FormatPrefix(settings.Prefix, interval.Start, interval.End, context.Export.Model);
        var extension = FileFormats.FileExtension(
            fileFormat, compression, DestinationConfig.Boolean(config, S3Definition.LegacyParquetExtensionKey, defaultValue: false));

        await context.Log.InfoAsync(
            $"Batch exporting range {S3ObjectKeys.IsoFormat(interval.Start)} - {S3ObjectKeys.IsoFormat(interval.End)} to S3: s3://{settings.BucketName}/{prefix}",
            cancellationToken);

        using var client = S3ClientFactory.Create(settings);
        var target = new S3FileTarget(client, settings, prefix, interval.Start, interval.End, extension, numbered: maxFileBytes != null, uploadOptions);
        long exported;
        try
        {
            // Disposing the series aborts the upload of a file left unfinished (failed or cancelled): no orphan remains.
            await using var files = new RecordFileSeries(fileFormat, compression, maxFileBytes, target);
            for (var batch = await records.NextAsync(); batch is not null; batch = await records.NextAsync())
            {
                var completed = files.FilesCompleted;
                await files.WriteAsync(batch, cancellationToken);
                // A batch may fill several files when the limit is small.
                for (var n = completed; n < files.FilesCompleted; n++)
                {
                    await context.Log.InfoAsync($"Completed file {target.Keys[n]} ({target.BytesUploaded} bytes so far).", cancellationToken);
                }
            }

            await files.CompleteAsync(cancellationToken);
            exported = files.RecordsWritten;

            if (maxFileBytes != null && target.Keys.Count > 0)
            {
                var manifestKey = S3ObjectKeys.Join(prefix, S3ObjectKeys.ManifestName(interval.Start, interval.End));
                await context.Log.InfoAsync($"Uploading manifest file '{manifestKey}'.", cancellationToken);
                await WriteManifestAsync(client, settings, manifestKey, target.Keys, cancellationToken);
                await DeleteStaleFilesAsync(client, settings, prefix, interval.Start, interval.End, target.Keys, cancellationToken);
            }
        }
        catch (Exception exception) when (exception is not (OperationCanceledException or NonRetryableExportException or SourceReadException))
        {
            var failure = S3ErrorClassifier.Classify(exception, settings);
            if (failure.Retryable)
            {
                throw new S3TransientException(failure.Message, exception);
            }

            throw new NonRetryableExportException(failure.Message, exception);
        }

        var bytes = target.BytesUploaded;
        if (target.Keys.Count == 0)
        {
            await context.Log.InfoAsync("No data in this interval: nothing was written to S3.", cancellationToken);
        }
        else
        {
            await context.Log.InfoAsync(
                $"Uploaded {target.Keys.Count} file(s), {exported} record(s), {bytes} byte(s): {string.Join(", ", target.Keys)}", cancellationToken);
        }

        return new RunOutcome(exported, bytes, exported);
    }

    private static async Task WriteManifestAsync(IAmazonS3 client, S3Settings settings, string key, IReadOnlyList<string> files, CancellationToken cancellationToken)
    {
        var body = JsonSerializer.Serialize(new JsonObject { ["files"] = new JsonArray(files.Select(f => (JsonNode?)f).ToArray()) });
        var request = new PutObjectRequest
        {
            BucketName = settings.BucketName,
            Key = key,
            ContentBody = body,
            ContentType = "application/json",
            UseChunkEncoding = S3ClientFactory.UseChunkEncoding(settings),
        };
        if (settings.Encryption != null)
        {
            request.ServerSideEncryptionMethod = new ServerSideEncryptionMethod(settings.Encryption);
            request.ServerSideEncryptionKeyManagementServiceKeyId = settings.KmsKeyId;
        }

        await client.PutObjectAsync(request, cancellationToken);
    }

    /// <summary>
    /// A retry that writes fewer files than an earlier attempt would leave that attempt's extra numbered files behind;
    /// the manifest no longer lists them, and they are removed so the prefix holds each record once.
    /// </summary>
    private static async Task DeleteStaleFilesAsync(
        IAmazonS3 client, S3Settings settings, string prefix, DateTimeOffset? start, DateTimeOffset end, IReadOnlyList<string> files, CancellationToken cancellationToken)
    {
        var stem = S3ObjectKeys.Join(prefix, $"{S3ObjectKeys.IsoFormat(start)}-{S3ObjectKeys.IsoFormat(end)}-");
        var listing = await client.ListObjectsV2Async(new ListObjectsV2Request { BucketName = settings.BucketName, Prefix = stem }, cancellationToken);
        foreach (var stale in (listing.S3Objects ?? []).Select(o => o.Key).Where(k => !files.Contains(k)))
        {
            await client.DeleteObjectAsync(settings.BucketName, stale, cancellationToken);
        }
    }
}

/// <summary>An S3 failure a retry may get past (timeout, throttling, 5xx); the engine retries the run with backoff.</summary>
public sealed class S3TransientException(string message, Exception innerException) : Exception(message, innerException);
