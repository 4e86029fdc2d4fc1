using BatchExports.Core.Domain.Destinations;
using BatchExports.Core.Hosting;
using BatchExports.Core.Persistence;
using BatchExports.Core.Security;
using BatchExports.Core.Services.Accounts;
using BatchExports.Core.Services.Backfills;
using BatchExports.Core.Services.BatchExports;
using BatchExports.Core.Services.AppMetrics;
using BatchExports.Core.Services.DestinationTests;
using BatchExports.Core.Services.FileDownloads;
using BatchExports.Core.Services.Logs;
using BatchExports.Core.Services.Runs;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Options;

namespace BatchExports.Core;

public static class CoreServiceCollectionExtensions
{
    /// <summary>The DbContext, the key cipher, the clock and the use-case services both hosts share.</summary>
    public static IServiceCollection AddBatchExportsCore(this IServiceCollection services, IConfiguration configuration)
    {
        services.AddOptions<BatchExportsOptions>()
            .BindConfiguration(BatchExportsOptions.SectionName)
            .ValidateDataAnnotations()
            .ValidateOnStart();

        services.AddSingleton(TimeProvider.System);
        // Pooled: initialising a fresh context's internal services was the largest cost left on a cached API read
        // (bench/README.md); the context holds no state of its own, so a reset one is as good as a new one.
        services.AddDbContextPool<BatchExportsDbContext>(
            (provider, options) => options.UseNpgsql(provider.GetRequiredService<IDatabaseConnection>().ConnectionString));
        // Engines and log writers use short-lived contexts of their own.
        services.AddDbContextFactory<BatchExportsDbContext>((provider, options) =>
            options.UseNpgsql(provider.GetRequiredService<IDatabaseConnection>().ConnectionString));
        services.AddSingleton(provider =>
        {
            var settings = provider.GetRequiredService<IOptions<BatchExportsOptions>>().Value;
            var dataDirectory = DataDirectory.Resolve(settings.DataDirectory);
            return new ConfigCipher(EncryptionKeys.LoadOrCreate(settings.EncryptionKey, dataDirectory));
        });

        services.AddSingleton<AccessCache>();
        services.AddScoped<PersonalApiKeyAuthenticator>();
        services.AddScoped<AccessService>();
        services.AddScoped<AccountsService>();
        // The definitions come from the host's pipeline registration (each destination type's folder).
        services.TryAddSingleton<DestinationRegistry>();
        services.AddSingleton<BatchExportRules>();
        services.AddScoped<ExportLookup>();
        services.AddScoped<ScheduledSave>();
        services.AddScoped<BatchExportReader>();
        services.AddScoped<CreateBatchExport>();
        services.AddScoped<UpdateBatchExport>();
        services.AddScoped<DeleteBatchExport>();
        services.AddScoped<BatchExportPausing>();
        services.AddScoped<FailureThresholdPause>();
        // IDestinationTestSteps comes from the host's engine registration (the pipeline implements it).
        services.AddScoped<DestinationTestRunner>();
        services.AddScoped<BackfillService>();
        services.AddScoped<RunService>();
        services.AddScoped<LogReader>();
        services.AddScoped<CreateFileDownload>();
        services.AddScoped<FileDownloadService>();
        services.AddScoped<AppMetricsService>();
        services.AddSingleton<ExportLog>();
        return services;
    }
}
