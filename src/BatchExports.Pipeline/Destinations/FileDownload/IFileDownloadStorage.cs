namespace BatchExports.Pipeline.Destinations.FileDownload;

/// <summary>Where download files are kept: the data directory's downloads folder, or a downloads bucket.</summary>
public interface IFileDownloadStorage
{
    /// <summary>Removes whatever an earlier attempt left under a run's prefix, so a retry writes each record once.</summary>
    Task ClearAsync(string runPrefix, CancellationToken cancellationToken);

    /// <summary>Starts writing one file; it becomes visible only when completed.</summary>
    IFileUpload Create(string key);

    /// <summary>Removes one file; removing a file that is not there is not an error.</summary>
    Task DeleteAsync(string key, CancellationToken cancellationToken);

    /// <summary>Where a download of the file is served from: a local file, or a pre-signed URL valid for <paramref name="validFor"/>.</summary>
    FileDownloadLocation Locate(string key, TimeSpan validFor);
}
