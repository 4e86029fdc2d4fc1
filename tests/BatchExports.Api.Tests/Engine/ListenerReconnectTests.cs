using System.Diagnostics;
using BatchExports.Core.Domain;
using BatchExports.Core.Hosting;
using BatchExports.Core.Persistence;
using BatchExports.Testing;
using Microsoft.EntityFrameworkCore;
using Npgsql;
using static BatchExports.Testing.BatchExportsOperations;

namespace BatchExports.Api.Tests.Engine;

/// <summary>
/// The engine's <c>LISTEN</c> connection comes back after PostgreSQL restarts (a cluster of this test's own, so no
/// other test loses its database): with a 30 s poll, a notification after the restart still starts a run at once.
/// </summary>
public sealed class ListenerReconnectTests : IAsyncLifetime
{
    private readonly RestartFactory _factory = new();

    public ValueTask InitializeAsync() => _factory.InitializeAsync();

    public ValueTask DisposeAsync() => _factory.DisposeAsync();

    [Fact]
    public async Task AfterADatabaseRestart_ANotificationStillWakesTheEngine()
    {
        var body = ExportBody(NoOpDestination());
        body["paused"] = true;
        var (_, _, id) = await _factory.ExportAsync(body);
        var now = DateTimeOffset.UtcNow;
        var run = _factory.NewRun(id, new DateTimeOffset(now.Year, now.Month, now.Day, now.Hour, 0, 0, TimeSpan.Zero) - TimeSpan.FromHours(2),
            RunStatuses.Starting, r => r.NextAttemptAt = DateTimeOffset.UtcNow);

        await _factory.Cluster.StopAsync();
        await Task.Delay(TimeSpan.FromSeconds(1), TestContext.Current.CancellationToken);
        await _factory.Cluster.EnsureStartedAsync(_factory.DatabaseName, TestContext.Current.CancellationToken);
        // Let the listener see the drop and come back, so the notification below is what wakes the engine.
        await Task.Delay(TimeSpan.FromSeconds(3), TestContext.Current.CancellationToken);

        var clock = Stopwatch.StartNew();
        await PickupTests.InsertAndNotifyAsync(_factory.ConnectionString, run);
        string? status;
        do
        {
            await Task.Delay(50, TestContext.Current.CancellationToken);
            await using var db = _factory.CreateDbContext();
            status = await db.BatchExportRuns.AsNoTracking().Where(r => r.Id == run.Id).Select(r => r.Status).SingleAsync(TestContext.Current.CancellationToken);
        }
        while (RunStatuses.IsActive(status) && clock.Elapsed < TimeSpan.FromSeconds(10));

        Assert.Equal(RunStatuses.Completed, status);
    }

    /// <summary>The hosted engine on the real clock, polling every 30 s, over a cluster the test restarts.</summary>
    private sealed class RestartFactory : EngineApiFactory
    {
        private readonly RestartableDatabase _database = new("bxlis", "bx_listen");

        public EmbeddedPostgres Cluster => _database.Cluster;

        public string DatabaseName => _database.DatabaseName;

        protected override bool UseFakeClock => false;

        protected override IDictionary<string, string?> Settings
        {
            get
            {
                var settings = base.Settings;
                settings["BatchExports:Engine:Enabled"] = "true";
                settings["BatchExports:Engine:PollInterval"] = "00:00:30";
                settings["BatchExports:Engine:MaxFailureBackoff"] = "00:00:00.500";
                return settings;
            }
        }

        public override async ValueTask InitializeAsync() => ConnectionString = await _database.StartAsync();

        public override async ValueTask DisposeAsync()
        {
            await base.DisposeAsync();
            await _database.DisposeAsync();
        }
    }
}
