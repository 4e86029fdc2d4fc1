using BatchExports.Testing;
using BatchExports.Worker.Tests.Temporal;
using Microsoft.AspNetCore.Hosting;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Hosting;
using Temporalio.Client;
using Temporalio.Testing;

namespace BatchExports.Worker.Tests.Activities;

/// <summary>
/// The API in Temporal mode (to create exports over HTTP) and the worker's own services on the same real PostgreSQL,
/// both with a recording Temporal client instead of a server. The worker host is built, never started: activities are
/// resolved from it per call, as Temporal's hosted worker does, and run inside an <see cref="ActivityEnvironment"/>.
/// </summary>
public sealed class WorkerFactory : ApiFactory
{
    private IHost? _worker;

    public RecordingTemporal Temporal { get; } = new();

    /// <summary>The data directory both hosts share, as an API and its workers share the file-download storage.</summary>
    public string DataDirectory { get; } = Path.Combine(Path.GetTempPath(), $"worker-tests-{Guid.NewGuid():N}");

    public IServiceProvider WorkerServices => (_worker ?? throw new InvalidOperationException("Not initialized.")).Services;

    protected override IDictionary<string, string?> Settings => new Dictionary<string, string?>
    {
        ["BatchExports:Engine:Kind"] = "Temporal",
        ["Temporal:Address"] = "127.0.0.1:1",
        ["Temporal:UnstartedRunCheckInterval"] = "1.00:00:00",
        ["Serilog:MinimumLevel:Default"] = "Error",
        ["BatchExports:DataDirectory"] = DataDirectory,
        ["BatchExports:FileDownloads:CleanupEnabled"] = "false",
        // One upload attempt per part: a transient S3 failure then reaches Temporal's retry, which these tests exercise, at once.
        ["BatchExports:S3:UploadAttempts"] = "1",
    };

    public override async ValueTask InitializeAsync()
    {
        await base.InitializeAsync();
        _worker = WorkerHost.Build(
            [],
            c => c.AddInMemoryCollection(new Dictionary<string, string?>(Settings)
            {
                ["ConnectionStrings:BatchExports"] = ConnectionString,
                ["BatchExports:EncryptionKey"] = EncryptionKey,
            }),
            services =>
            {
                services.RemoveAll<ITemporalClient>();
                services.AddSingleton(Temporal.Client);
            });
    }

    public override async ValueTask DisposeAsync()
    {
        _worker?.Dispose();
        await base.DisposeAsync();
        if (Directory.Exists(DataDirectory))
        {
            Directory.Delete(DataDirectory, recursive: true);
        }
    }

    /// <summary>Runs one activity of <typeparamref name="TActivities"/> in its own DI scope inside <paramref name="environment"/>.</summary>
    public async Task<TResult> RunAsync<TActivities, TResult>(ActivityEnvironment environment, Func<TActivities, Task<TResult>> activity)
        where TActivities : notnull
    {
        await using var scope = WorkerServices.CreateAsyncScope();
        var activities = scope.ServiceProvider.GetRequiredService<TActivities>();
        return await environment.RunAsync(() => activity(activities));
    }

    public Task RunAsync<TActivities>(ActivityEnvironment environment, Func<TActivities, Task> activity)
        where TActivities : notnull =>
        RunAsync<TActivities, bool>(environment, async a =>
        {
            await activity(a);
            return true;
        });

    protected override void ConfigureWebHost(IWebHostBuilder builder)
    {
        base.ConfigureWebHost(builder);
        builder.ConfigureServices(services =>
        {
            services.RemoveAll<ITemporalClient>();
            services.AddSingleton(Temporal.Client);
            services.RemoveAll<IHostedService>();
        });
    }
}
