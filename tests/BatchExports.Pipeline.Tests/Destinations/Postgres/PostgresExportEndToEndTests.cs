using System.Text.Json.Nodes;
using BatchExports.Core.Domain;
using BatchExports.Pipeline.Tests.Sources;
using BatchExports.Testing;
using Microsoft.EntityFrameworkCore;
using static BatchExports.Testing.BatchExportsOperations;

namespace BatchExports.Pipeline.Tests.Destinations.Postgres;

/// <summary>
/// A PostgreSQL export as a user makes it: created through the API with a real key, its config encrypted at rest, run
/// by the embedded engine when its hour is due, and landing in a real destination database.
/// </summary>
public sealed class PostgresExportEndToEndTests : IsolatedEngineTest
{
    [Fact]
    public async Task A_scheduled_run_lands_its_hour_in_the_destination_table()
    {
        var server = await DestinationServer.GetAsync();
        var database = await server.CreateDatabaseAsync();
        var (teamId, exportId, boundary) = await CreateDueExportAsync(server.Config(database));
        var source = new SourceData(Factory.ConnectionString);
        await source.InsertEventAsync(Guid.NewGuid(), "$pageview", boundary.AddMinutes(-30), insertedAt: boundary.AddMinutes(-10), teamId: teamId);
        await source.InsertEventAsync(Guid.NewGuid(), "signed_up", boundary.AddMinutes(-20), insertedAt: boundary.AddMinutes(-5), teamId: teamId);
        await source.InsertEventAsync(Guid.NewGuid(), "next_hour", boundary, insertedAt: boundary.AddSeconds(1), teamId: teamId);

        await Factory.Engine.TickAsync();
        await Factory.Engine.ExecuteAllAsync();

        var run = await SingleRunAsync(exportId);
        Assert.Equal(RunStatuses.Completed, run.Status);
        Assert.Equal(2, run.RecordsCompleted);
        Assert.True(run.BytesExported > 0);
        Assert.Equal(["$pageview", "signed_up"], (await server.QueryAsync(database, "SELECT event FROM events ORDER BY timestamp")).Select(r => r[0]));
    }

    [Fact]
    public async Task A_wrong_password_fails_the_run_at_once_with_a_clear_error_and_no_secret_in_it()
    {
        var server = await DestinationServer.GetAsync();
        if (!server.PasswordChecked)
        {
            Assert.Skip("The test PostgreSQL does not check passwords for the destination role (a server given through BATCHEXPORTS_TEST_POSTGRES with trust authentication).");
        }

        const string wrongPassword = "wrong-pw-3b7d9";
        var (teamId, exportId, boundary) = await CreateDueExportAsync(server.Config(await server.CreateDatabaseAsync(), password: wrongPassword));
        await new SourceData(Factory.ConnectionString).InsertEventAsync(Guid.NewGuid(), "$pageview", boundary.AddMinutes(-30), insertedAt: boundary.AddMinutes(-10), teamId: teamId);

        await Factory.Engine.TickAsync();
        await Factory.Engine.ExecuteAllAsync();

        var run = await SingleRunAsync(exportId);
        Assert.Equal(RunStatuses.Failed, run.Status);
        Assert.Equal(1, run.Attempt);
        Assert.Equal($"PostgreSQL at {server.Host}:{server.Port} rejected the user name or password (SQLSTATE 28P01). Check the destination's 'user' and 'password'.", run.LatestError);
        await using var db = Factory.CreateDbContext();
        var logs = await db.BatchExportLogEntries.Where(l => l.BatchExportId == exportId).Select(l => l.Message).ToListAsync();
        Assert.Contains(logs, l => l.Contains("rejected the user name or password", StringComparison.Ordinal));
        Assert.DoesNotContain(logs, l => l.Contains(wrongPassword, StringComparison.Ordinal) || l.Contains(DestinationServer.RoleName, StringComparison.Ordinal));
    }

    /// <summary>An hourly export to PostgreSQL, with the clock moved just past its next boundary.</summary>
    private async Task<(int TeamId, Guid ExportId, DateTimeOffset Boundary)> CreateDueExportAsync(JsonObject config)
    {
        var tenant = await Factory.CreateTenantAsync();
        var client = Factory.CreateApiClient(tenant.ApiKey);
        var created = await client.CreateExportOkAsync(tenant.TeamId, ExportBody(new JsonObject { ["type"] = "Postgres", ["config"] = config }));
        var boundary = ExportCalendar.Next(new ScheduleSpec("hour"), Factory.Clock.GetUtcNow());
        Factory.Clock.SetUtcNow(boundary + TimeSpan.FromSeconds(1));
        return (tenant.TeamId, Guid.Parse((string)created["id"]!), boundary);
    }

    private async Task<BatchExportRun> SingleRunAsync(Guid exportId)
    {
        await using var db = Factory.CreateDbContext();
        return Assert.Single(await db.BatchExportRuns.Where(r => r.BatchExportId == exportId).ToListAsync());
    }
}
