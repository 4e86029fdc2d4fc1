namespace BatchExports.Pipeline.Destinations.FileDownload;

/// <summary>
/// Downloads on local disk, under the data directory's downloads folder. A file is written as <c>.partial</c> and
/// renamed when complete, so an interrupted attempt never leaves a file that looks finished.
/// </summary>
public sealed class DiskFileDownloadStorage(string root) : IFileDownloadStorage
{
    private const string PartialSuffix = ".partial";

    public string Root { get; } = Path.GetFullPath(root);

    public Task ClearAsync(string runPrefix, CancellationToken cancellationToken)
    {
        var folder = PathOf(runPrefix);
        if (Directory.Exists(folder))
        {
            Directory.Delete(folder, recursive: true);
        }

        return Task.CompletedTask;
    }

    public IFileUpload Create(string key)
    {
        var path = PathOf(key);
        Directory.CreateDirectory(Path.GetDirectoryName(path)!);
        return new DiskUpload(key, path);
    }

    public Task DeleteAsync(string key, CancellationToken cancellationToken)
    {
        var path = PathOf(key);
        File.Delete(path);

        // Run and team folders left empty go too; the downloads folder itself and anything beside it stay.
        for (var folder = Path.GetDirectoryName(path); folder != null && folder.Length > Root.Length && folder.StartsWith(Root, StringComparison.Ordinal);
             folder = Path.GetDirectoryName(folder))
        {
            if (!Directory.Exists(folder) || Directory.EnumerateFileSystemEntries(folder).Any())
            {
                break;
            }

            Directory.Delete(folder);
        }

        return Task.CompletedTask;
    }

    public FileDownloadLocation Locate(string key, TimeSpan validFor) => new(PathOf(key), null);

    /// <summary>The path of a key; a key that would leave the downloads folder is refused.</summary>
    private string PathOf(string key)
    {
        var path = Path.GetFullPath(Path.Combine(Root, key.Replace('/', Path.DirectorySeparatorChar)));
        return path.StartsWith(Root + Path.DirectorySeparatorChar, StringComparison.Ordinal)
            ? path
            : throw new ArgumentException($"The key '{key}' is outside the downloads folder.", nameof(key));
    }

    private sealed class DiskUpload : IFileUpload
    {
        private readonly string _path;
        private readonly FileStream _stream;
        private bool _completed;

        public DiskUpload(string key, string path)
        {
            Key = key;
            _path = path;
            _stream = new FileStream(path + PartialSuffix, FileMode.Create, FileAccess.Write, FileShare.None, 1 << 16, useAsync: true);
        }

        public string Key { get; }

        public Stream Output => _stream;

        public async Task<long> CompleteAsync(CancellationToken cancellationToken)
        {
            await _stream.FlushAsync(cancellationToken);
            var size = _stream.Length;
            await _stream.DisposeAsync();
            File.Move(_path + PartialSuffix, _path, overwrite: true);
            _completed = true;
            return size;
        }

        public async ValueTask DisposeAsync()
        {
            await _stream.DisposeAsync();
            if (!_completed)
            {
                File.Delete(_path + PartialSuffix);
            }
        }
    }
}
