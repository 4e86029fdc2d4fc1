namespace BatchExports.Pipeline.Destinations.FileDownload;

/// <summary>One file being written. Disposed without <see cref="CompleteAsync"/>, it leaves nothing behind.</summary>
public interface IFileUpload : IAsyncDisposable
{
    string Key { get; }

    Stream Output { get; }

    /// <summary>Makes the file visible; returns its size in bytes.</summary>
    Task<long> CompleteAsync(CancellationToken cancellationToken);
}
