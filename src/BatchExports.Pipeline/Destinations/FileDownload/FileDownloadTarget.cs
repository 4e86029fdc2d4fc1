using BatchExports.Pipeline.Formats;
using BatchExports.Pipeline.Runs;

namespace BatchExports.Pipeline.Destinations.FileDownload;

/// <summary>
/// A download's files in its storage (disk or bucket), for the shared <see cref="RecordFileSeries"/>: each file is
/// made visible only when complete; one left open when the run stops is removed on dispose.
/// </summary>
internal sealed class FileDownloadTarget(IFileDownloadStorage storage, string runPrefix, RunInterval interval, string extension, bool numbered)
    : IRecordFileTarget, IAsyncDisposable
{
    private readonly List<(string Key, long Size)> _files = [];
    private IFileUpload? _open;

    /// <summary>The completed files, in writing order.</summary>
    public IReadOnlyList<(string Key, long Size)> Files => _files;

    public Task<Stream> OpenAsync(int fileNumber, CancellationToken cancellationToken)
    {
        _open = storage.Create(FileDownloadKeys.FileKey(runPrefix, interval, numbered ? fileNumber : null, extension));
        return Task.FromResult(_open.Output);
    }

    public async Task CompleteAsync(Stream file, CancellationToken cancellationToken)
    {
        var upload = _open ?? throw new InvalidOperationException("No download file is open.");
        _open = null;
        var size = await upload.CompleteAsync(cancellationToken);
        _files.Add((upload.Key, size));
        await upload.DisposeAsync();
    }

    public async ValueTask DisposeAsync()
    {
        if (_open is { } unfinished)
        {
            _open = null;
            await unfinished.DisposeAsync();
        }
    }
}
