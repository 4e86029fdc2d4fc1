using Amazon.S3;
using BatchExports.Pipeline.Destinations.S3;
using BatchExports.Pipeline.Destinations.Tables;
using BatchExports.Pipeline.Formats;
using BatchExports.Pipeline.Runs;

namespace BatchExports.Pipeline.Destinations.Redshift;

/// <summary>COPY mode's first half: the interval as one gzip JSONLines object in the user's bucket.</summary>
internal static class RedshiftCopyUpload
{
    /// <summary>Writes the records to <paramref name="key"/>; returns the rows and the (compressed) bytes uploaded.</summary>
    public static async Task<(long Rows, long Bytes)> UploadAsync(
        IAmazonS3 client,
        S3Settings settings,
        string key,
        IReadOnlyList<TableColumn> columns,
        RowProjection projection,
        RecordBatch first,
        RecordStream records,
        CancellationToken cancellationToken)
    {
        var fileColumns = RedshiftTables.FileColumns(columns);
        await using var upload = new MultipartUploadStream(client, settings, key, new MultipartUploadOptions { ContentType = "application/x-ndjson" });
        long rows = 0;
        await using (var writer = FileFormats.Create(FileFormats.JsonLines, FileFormats.Gzip, upload, fileColumns))
        {
            for (var batch = first; batch is not null; batch = await records.NextAsync())
            {
                var projected = batch.Rows.Select(row => projection.Project(row, out _)).ToList();
                await writer.WriteAsync(new RecordBatch(fileColumns, projected), cancellationToken);
                rows += batch.Count;
            }

            await writer.FinishAsync(cancellationToken);
        }

        await upload.CompleteAsync(cancellationToken);
        return (rows, upload.BytesUploaded);
    }
}
