using BatchExports.Pipeline.Destinations.FileDownload;
using BatchExports.Testing;

namespace BatchExports.Api.Tests.FileDownloads;

/// <summary>An engine API whose data directory is a fresh folder, so a test sees exactly the files it caused.</summary>
public class FileDownloadApiFactory : EngineApiFactory
{
    public string DataDirectory { get; } = Path.Combine(Path.GetTempPath(), $"file-downloads-{Guid.NewGuid():N}");

    public string DownloadsFolder => Path.Combine(DataDirectory, FileDownloadOptions.FolderName);

    /// <summary>Extra settings of a test class (a bucket, a lower limit).</summary>
    public Dictionary<string, string?> Extra { get; } = new();

    protected override IDictionary<string, string?> Settings
    {
        get
        {
            var settings = base.Settings;
            settings["BatchExports:DataDirectory"] = DataDirectory;

            // Small batches, so max_size_mb rotation is reached with a few thousand events.
            settings["BatchExports:FileDownloads:RecordsPerBatch"] = "500";

            // Tests remove expired files themselves, at the moment they choose.
            settings["BatchExports:FileDownloads:CleanupEnabled"] = "false";
            foreach (var (key, value) in Extra)
            {
                settings[key] = value;
            }

            return settings;
        }
    }

    public override async ValueTask DisposeAsync()
    {
        await base.DisposeAsync();
        if (Directory.Exists(DataDirectory))
        {
            Directory.Delete(DataDirectory, recursive: true);
        }
    }
}
