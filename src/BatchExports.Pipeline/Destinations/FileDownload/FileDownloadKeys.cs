using BatchExports.Pipeline.Destinations.S3;
using BatchExports.Pipeline.Runs;

namespace BatchExports.Pipeline.Destinations.FileDownload;

/// <summary>
/// Storage keys of a download: <c>{team_id}/{run_id}/{start}-{end}[-{n}].{extension}</c>. Each run has a folder of
/// its own, so a retried attempt clears exactly what an earlier attempt of that run left; the file names are S3's.
/// </summary>
public static class FileDownloadKeys
{
    public static string RunPrefix(int teamId, Guid runId) => $"{teamId}/{runId}/";

    public static string FileKey(string runPrefix, RunInterval interval, int? fileNumber, string extension)
    {
        ArgumentNullException.ThrowIfNull(interval);
        return runPrefix + S3ObjectKeys.FileName(interval.Start, interval.End, fileNumber, extension);
    }

    /// <summary>The name a browser or <c>curl -OJ</c> saves the file as.</summary>
    public static string FileName(string key) => key[(key.LastIndexOf('/') + 1)..];

    /// <summary>
    /// The media type of a download, from the extension the writers give it. Parquet compresses inside the file
    /// (<c>.parquet.zst</c> is still a Parquet file); JSONLines is compressed as a whole.
    /// </summary>
    public static string ContentType(string key) => FileName(key) switch
    {
        var name when name.Contains(".parquet", StringComparison.Ordinal) => "application/vnd.apache.parquet",
        var name when name.EndsWith(".jsonl", StringComparison.Ordinal) => "application/jsonl",
        var name when name.EndsWith(".gz", StringComparison.Ordinal) => "application/gzip",
        var name when name.EndsWith(".br", StringComparison.Ordinal) => "application/x-brotli",
        _ => "application/octet-stream",
    };
}
