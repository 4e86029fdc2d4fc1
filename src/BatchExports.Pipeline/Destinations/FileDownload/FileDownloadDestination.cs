using System.Text.Json.Nodes;
using BatchExports.Core.Services.FileDownloads;
using BatchExports.Pipeline.Destinations.S3;
using BatchExports.Pipeline.Formats;
using BatchExports.Pipeline.Runs;
using Microsoft.Extensions.Options;

namespace BatchExports.Pipeline.Destinations.FileDownload;

/// <summary>
/// Writes a file download's interval to files with the S3 destination's writers and rules (format, compression,
/// <c>max_file_size_mb</c> rotation), into the download storage, and hands the lifecycle each file with its expiry to
/// record with the Completed status. An attempt starts by clearing its run's folder, so a retry or a takeover after a
/// crash writes each record once. Only on-demand runs use it: a batch export cannot choose <c>FileDownload</c>
/// (PostHog refuses it there too), so it has a runner and no definition in the registry.
/// </summary>
public sealed class FileDownloadDestination(
    IFileDownloadStorage storage,
    IOptions<FileDownloadOptions> options,
    TimeProvider clock) : IDestination
{
    public string Type => FileDownloadConfig.DestinationType;

    /// <summary>The fields of an S3 export: a download is the same file an S3 export of the interval would write.</summary>
    public IReadOnlyList<string>? EventFields => S3Destination.EventFields;

    public int BatchSize => options.Value.RecordsPerBatch;

    public async Task<RunOutcome> ExportAsync(RunContext context, RecordStream records, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(context);
        ArgumentNullException.ThrowIfNull(records);
        var (fileFormat, compression, maxFileBytes) = ReadSettings(context.Config);
        var interval = context.Interval;
        var runPrefix = FileDownloadKeys.RunPrefix(context.Export.TeamId, context.Run.Id);
        var extension = FileFormats.FileExtension(fileFormat, compression, legacyParquetExtension: false);
        await context.Log.InfoAsync($"Batch exporting range {interval.Range} ({context.Export.Model}) to a {fileFormat} file download.", cancellationToken);

        await storage.ClearAsync(runPrefix, cancellationToken);
        await using var target = new FileDownloadTarget(storage, runPrefix, interval, extension, numbered: maxFileBytes != null);
        long exported;
        // Disposed before the target: a file left unfinished (failed or cancelled) is removed, never half-visible.
        await using (var series = new RecordFileSeries(fileFormat, compression, maxFileBytes, target))
        {
            for (var batch = await records.NextAsync(); batch is not null; batch = await records.NextAsync())
            {
                await series.WriteAsync(batch, cancellationToken);
            }

            await series.CompleteAsync(cancellationToken);
            exported = series.RecordsWritten;
        }

        var files = target.Files;
        var bytes = files.Sum(f => f.Size);
        await context.Log.InfoAsync(
            files.Count == 0
                ? "No data in this interval: there is no file to download."
                : $"Wrote {files.Count} file(s), {exported} record(s), {bytes} byte(s): {string.Join(", ", files.Select(f => FileDownloadKeys.FileName(f.Key)))}",
            cancellationToken);
        var expiresAt = clock.GetUtcNow() + options.Value.ExpiresAfter;
        return new RunOutcome(exported, bytes, exported) { Files = files.Select(f => new DownloadableFile(f.Key, f.Size, expiresAt)).ToList() };
    }

    private static (string FileFormat, string? Compression, long? MaxFileBytes) ReadSettings(JsonObject config)
    {
        try
        {
            var (fileFormat, compression) = FileDestinationRules.ReadFormat(config);
            return (fileFormat, compression, FileDestinationRules.MaxFileBytes(config));
        }
        catch (Exception exception) when (exception is ArgumentException or InvalidOperationException or FormatException)
        {
            throw new NonRetryableExportException($"Invalid file download settings: {exception.Message}", exception);
        }
    }
}
