using BatchExports.Core.Hosting;
using BatchExports.Core.Services.FileDownloads;
using BatchExports.Pipeline.Destinations.S3;
using BatchExports.Pipeline.Runs;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Options;

namespace BatchExports.Pipeline.Destinations.FileDownload;

public static class FileDownloadServiceCollectionExtensions
{
    /// <summary>
    /// The file-download runner (for on-demand runs only, so it is not in the destination registry), its storage
    /// (the data directory's downloads folder, or the configured bucket), the format check Core's request checks use,
    /// and the expiry cleanup.
    /// </summary>
    public static IServiceCollection AddFileDownloads(this IServiceCollection services)
    {
        services.AddOptions<FileDownloadOptions>().BindConfiguration(FileDownloadOptions.SectionName).ValidateDataAnnotations().ValidateOnStart();
        services.AddSingleton<IFileDownloadStorage>(provider =>
        {
            var options = provider.GetRequiredService<IOptions<FileDownloadOptions>>().Value;
            if (options.UsesBucket)
            {
                return new S3FileDownloadStorage(options, provider.GetRequiredService<MultipartUploadOptions>());
            }

            var dataDirectory = DataDirectory.Resolve(provider.GetRequiredService<IOptions<BatchExportsOptions>>().Value.DataDirectory);
            return new DiskFileDownloadStorage(Path.Combine(dataDirectory, FileDownloadOptions.FolderName));
        });
        services.TryAddSingleton(TimeProvider.System);
        services.AddSingleton<FileDownloadDestination>();
        services.AddSingleton<IDestination>(provider => provider.GetRequiredService<FileDownloadDestination>());
        services.AddSingleton<FileDownloadCleanup>();
        services.AddHostedService(provider => provider.GetRequiredService<FileDownloadCleanup>());
        return services;
    }
}
