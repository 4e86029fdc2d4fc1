using System.Diagnostics;
using System.Net;
using BatchExports.Core.Domain;
using BatchExports.Pipeline.Embedded;
using BatchExports.Testing;
using Microsoft.EntityFrameworkCore;
using Npgsql;
using static BatchExports.Testing.BatchExportsOperations;
using static BatchExports.Testing.RunsAndBackfillsOperations;

namespace BatchExports.Api.Tests.Engine;

/// <summary>
/// The hosted engine picks work up when it appears, not at its poll: the poll interval here is 30 s, so only the
/// wake-ups (the in-process signal, <c>LISTEN/NOTIFY</c>, the timer to the earliest due time) can explain a start
/// within seconds.
/// </summary>
public sealed class PickupTests : IAsyncLifetime
{
    /// <summary>Far below the 30 s poll, far above a wake-up's milliseconds on a loaded machine.</summary>
    private static readonly TimeSpan WellWithinThePoll = TimeSpan.FromSeconds(10);

    private readonly PickupFactory _factory = new();

    public ValueTask InitializeAsync() => _factory.InitializeAsync();

    public ValueTask DisposeAsync() => _factory.DisposeAsync();

    [Fact]
    public async Task ABackfillCreatedThroughTheApi_RunsAndCompletes_WellWithinThePollInterval()
    {
        var body = ExportBody(NoOpDestination());
        body["paused"] = true; // no schedule firing to wake the engine by itself
        var (tenant, client, id) = await _factory.ExportAsync(body);
        var hour = HourStart(DateTimeOffset.UtcNow) - TimeSpan.FromHours(3);
        await _factory.EventsAsync(tenant.TeamId, hour + TimeSpan.FromMinutes(17));

        var clock = Stopwatch.StartNew();
        var backfillId = (string)(await client.CreateBackfillOkAsync(tenant.TeamId, id, Iso(hour), Iso(hour + TimeSpan.FromHours(2))))["backfill_id"]!;
        string? status = null;
        while (clock.Elapsed < WellWithinThePoll && status != BackfillStatuses.Completed)
        {
            await Task.Delay(20, TestContext.Current.CancellationToken);
            status = (string?)(await client.GetBackfillAsync(tenant.TeamId, id, backfillId)).Expect(HttpStatusCode.OK)["status"];
        }

        Assert.Equal(BackfillStatuses.Completed, status);
        await using var db = _factory.CreateDbContext();
        var runs = await db.BatchExportRuns.AsNoTracking().Where(r => r.BatchExportId == id).ToListAsync(TestContext.Current.CancellationToken);
        Assert.Equal(2, runs.Count);
        Assert.All(runs, r => Assert.Equal(RunStatuses.Completed, r.Status));
    }

    [Fact]
    public async Task ANotificationFromAnotherConnection_WakesTheEngine()
    {
        var body = ExportBody(NoOpDestination());
        body["paused"] = true;
        var (_, _, id) = await _factory.ExportAsync(body);
        var run = _factory.NewRun(id, HourStart(DateTimeOffset.UtcNow) - TimeSpan.FromHours(2), RunStatuses.Starting,
            r => r.NextAttemptAt = DateTimeOffset.UtcNow);

        var clock = Stopwatch.StartNew();
        await InsertAndNotifyAsync(_factory.ConnectionString, run);

        Assert.Equal(RunStatuses.Completed, await WaitForEndAsync(run.Id, WellWithinThePoll));
        Assert.True(clock.Elapsed < WellWithinThePoll, $"picked up after {clock.Elapsed}");
    }

    [Fact]
    public async Task ARunWaitingForItsNotBefore_StartsWhenItIsDue_NotAtThePoll()
    {
        var body = ExportBody(NoOpDestination());
        body["paused"] = true;
        var (_, _, id) = await _factory.ExportAsync(body);
        var due = DateTimeOffset.UtcNow + TimeSpan.FromSeconds(3);
        var run = _factory.NewRun(id, HourStart(DateTimeOffset.UtcNow) - TimeSpan.FromHours(2), RunStatuses.Starting, r => r.NextAttemptAt = due);

        await InsertAndNotifyAsync(_factory.ConnectionString, run);

        Assert.Equal(RunStatuses.Completed, await WaitForEndAsync(run.Id, WellWithinThePoll));
        await using var db = _factory.CreateDbContext();
        var stored = await db.BatchExportRuns.AsNoTracking().SingleAsync(r => r.Id == run.Id, TestContext.Current.CancellationToken);
        Assert.True(stored.FinishedAt >= due, $"finished at {stored.FinishedAt:O}, before its not-before {due:O}");
    }

    private static DateTimeOffset HourStart(DateTimeOffset at) => new(at.Year, at.Month, at.Day, at.Hour, 0, 0, TimeSpan.Zero);

    private async Task<string?> WaitForEndAsync(Guid runId, TimeSpan patience)
    {
        var deadline = Stopwatch.StartNew();
        while (true)
        {
            await using var db = _factory.CreateDbContext();
            var status = await db.BatchExportRuns.AsNoTracking().Where(r => r.Id == runId).Select(r => r.Status).SingleAsync(TestContext.Current.CancellationToken);
            if (!RunStatuses.IsActive(status) || deadline.Elapsed > patience)
            {
                return status;
            }

            await Task.Delay(20, TestContext.Current.CancellationToken);
        }
    }

    /// <summary>As another process would: the row and the notification in one transaction of a connection of its own.</summary>
    internal static async Task InsertAndNotifyAsync(string connectionString, BatchExportRun run)
    {
        await using var connection = new NpgsqlConnection(connectionString);
        await connection.OpenAsync(TestContext.Current.CancellationToken);
        await using var transaction = await connection.BeginTransactionAsync(TestContext.Current.CancellationToken);
        await using (var insert = new NpgsqlCommand("""
            INSERT INTO batch_export_runs (id, batch_export_id, status, data_interval_start, data_interval_end, created_at, last_updated_at, attempt, next_attempt_at)
            VALUES ($1, $2, 'Starting', $3, $4, now(), now(), 0, $5)
            """, connection, transaction))
        {
            insert.Parameters.AddWithValue(run.Id);
            insert.Parameters.AddWithValue(run.BatchExportId!.Value);
            insert.Parameters.AddWithValue(run.DataIntervalStart!.Value);
            insert.Parameters.AddWithValue(run.DataIntervalEnd);
            insert.Parameters.AddWithValue(run.NextAttemptAt);
            await insert.ExecuteNonQueryAsync(TestContext.Current.CancellationToken);
        }

        await using (var notify = new NpgsqlCommand("NOTIFY " + EngineNotifications.Channel, connection, transaction))
        {
            await notify.ExecuteNonQueryAsync(TestContext.Current.CancellationToken);
        }

        await transaction.CommitAsync(TestContext.Current.CancellationToken);
    }

    /// <summary>The hosted engine on the real clock, polling only every 30 s.</summary>
    private sealed class PickupFactory : EngineApiFactory
    {
        protected override bool UseFakeClock => false;

        protected override IDictionary<string, string?> Settings
        {
            get
            {
                var settings = base.Settings;
                settings["BatchExports:Engine:Enabled"] = "true";
                settings["BatchExports:Engine:PollInterval"] = "00:00:30";
                return settings;
            }
        }
    }
}
