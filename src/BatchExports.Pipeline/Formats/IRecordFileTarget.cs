namespace BatchExports.Pipeline.Formats;

/// <summary>
/// Where a destination's files go (an S3 prefix, a directory): <see cref="RecordFileSeries"/> asks it for each file's
/// stream and says when a file is whole. A stream disposed without <see cref="CompleteAsync"/> must leave nothing
/// behind (an aborted upload, a deleted temporary file).
/// </summary>
public interface IRecordFileTarget
{
    /// <summary>A stream for file number <paramref name="fileNumber"/> (from 0, in writing order).</summary>
    Task<Stream> OpenAsync(int fileNumber, CancellationToken cancellationToken);

    /// <summary>The file's bytes are all on <paramref name="file"/>: make it durable. The series disposes the stream afterwards.</summary>
    Task CompleteAsync(Stream file, CancellationToken cancellationToken);
}
