using System.Net;
using System.Text.Json.Nodes;
using BatchExports.Testing;
using Microsoft.AspNetCore.Hosting;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using static BatchExports.Testing.BatchExportsOperations;

namespace BatchExports.Worker.Tests.Temporal;

/// <summary>
/// Temporal mode with nothing listening at the address (a real, lazily connected client): every change answers 503
/// in PostHog's envelope naming the address tried, and nothing is saved; <c>/_readyz</c> says Temporal is away.
/// </summary>
public sealed class TemporalUnreachableTests(TemporalUnreachableTests.Factory factory) : IClassFixture<TemporalUnreachableTests.Factory>
{
    [Fact]
    public async Task Create_WhenTemporalIsUnreachable_Is503NamingTheAddressAndSavesNothing()
    {
        var tenant = await factory.CreateTenantAsync();

        var response = await factory.CreateApiClient(tenant.ApiKey).CreateExportAsync(tenant.TeamId, ExportBody(NoOpDestination()));

        Assert.Equal(HttpStatusCode.ServiceUnavailable, response.Status);
        Assert.Equal("server_error", (string?)response.Json!["type"]);
        Assert.Contains("Temporal at 127.0.0.1:1", (string?)response.Json!["detail"], StringComparison.Ordinal);
        await using var db = factory.CreateDbContext();
        Assert.False(await db.BatchExports.AnyAsync(e => e.TeamId == tenant.TeamId));
    }

    [Fact]
    public async Task PatchAndPause_WhenTemporalIsUnreachable_Are503AndChangeNothing()
    {
        var tenant = await factory.CreateTenantAsync();
        var client = factory.CreateApiClient(tenant.ApiKey);
        var id = await factory.SeedExportAsync(tenant.TeamId);
        var before = (await client.GetExportAsync(tenant.TeamId, id)).Expect(HttpStatusCode.OK).ToJsonString();

        Assert.Equal(HttpStatusCode.ServiceUnavailable, (await client.PatchExportAsync(tenant.TeamId, id, new JsonObject { ["name"] = "renamed" })).Status);
        Assert.Equal(HttpStatusCode.ServiceUnavailable, (await client.PauseExportAsync(tenant.TeamId, id)).Status);

        Assert.Equal(before, (await client.GetExportAsync(tenant.TeamId, id)).Expect(HttpStatusCode.OK).ToJsonString());
    }

    [Fact]
    public async Task FileDownload_WhenTemporalIsUnreachable_Is503NamingTheAddressAndLeavesNoDownload()
    {
        var tenant = await factory.CreateTenantAsync();

        var response = await factory.CreateApiClient(tenant.ApiKey).PostAsync($"/api/projects/{tenant.TeamId}/file_download_batch_exports/", new JsonObject
        {
            ["file"] = new JsonObject { ["format"] = "JSONLines" },
            ["model"] = "events",
            ["data_interval_start"] = "2024-03-04T00:00:00Z",
            ["data_interval_end"] = "2024-03-05T00:00:00Z",
        });

        Assert.Equal(HttpStatusCode.ServiceUnavailable, response.Status);
        Assert.Contains("Temporal at 127.0.0.1:1 could not be reached to start the file download's workflow", (string?)response.Json!["detail"], StringComparison.Ordinal);
        await using var db = factory.CreateDbContext();
        Assert.False(await db.BatchExportOnDemands.AnyAsync(o => o.TeamId == tenant.TeamId));
        Assert.Empty((await factory.CreateApiClient(tenant.ApiKey).GetAsync($"/api/projects/{tenant.TeamId}/file_download_batch_exports/")).Expect(HttpStatusCode.OK)["results"]!.AsArray());
    }

    [Fact]
    public async Task FileDownloadCancel_WhenTemporalIsUnreachable_Is503AndTheDownloadStaysAsItWas()
    {
        var tenant = await factory.CreateTenantAsync();
        var runId = await factory.SeedFileDownloadAsync(tenant.TeamId);
        var client = factory.CreateApiClient(tenant.ApiKey);

        var response = await client.PostAsync($"/api/projects/{tenant.TeamId}/file_download_batch_exports/{runId}/cancel/");

        Assert.Equal(HttpStatusCode.ServiceUnavailable, response.Status);
        Assert.Contains("Temporal at 127.0.0.1:1", (string?)response.Json!["detail"], StringComparison.Ordinal);
        Assert.Equal("Starting", (string?)(await client.GetAsync($"/api/projects/{tenant.TeamId}/file_download_batch_exports/{runId}/")).Expect(HttpStatusCode.OK)["status"]);
    }

    [Fact]
    public async Task Readyz_WhenTemporalIsUnreachable_Is503NamingTemporal()
    {
        var response = await factory.CreateApiClient(null).GetAsync("/_readyz");

        Assert.Equal(HttpStatusCode.ServiceUnavailable, response.Status);
        Assert.Contains("Temporal at 127.0.0.1:1 is not reachable", (string?)response.Json!["detail"], StringComparison.Ordinal);
    }

    public sealed class Factory : ApiFactory
    {
        protected override IDictionary<string, string?> Settings => new Dictionary<string, string?>
        {
            ["BatchExports:Engine:Kind"] = "Temporal",
            ["Temporal:Address"] = "127.0.0.1:1",
        };

        protected override void ConfigureWebHost(IWebHostBuilder builder)
        {
            base.ConfigureWebHost(builder);
            builder.ConfigureServices(services => services.RemoveAll<Microsoft.Extensions.Hosting.IHostedService>());
        }

        /// <summary>An export written straight to the database: with Temporal away the API cannot create one.</summary>
        public async Task<string> SeedExportAsync(int teamId)
        {
            await using var db = CreateDbContext();
            var now = Clock.GetUtcNow();
            var destination = new Core.Domain.BatchExportDestination { Id = Guid.CreateVersion7(), Type = "NoOp", CreatedAt = now, LastUpdatedAt = now };
            var cipher = Services.GetRequiredService<Core.Security.ConfigCipher>();
            destination.ConfigCiphertext = cipher.Encrypt(new JsonObject(), destination.Id);
            var export = new Core.Domain.BatchExport { Id = Guid.CreateVersion7(), TeamId = teamId, Name = "seeded", Destination = destination, DestinationId = destination.Id, CreatedAt = now, LastUpdatedAt = now };
            db.BatchExports.Add(export);
            await db.SaveChangesAsync();
            return export.Id.ToString();
        }

        /// <summary>A file download in Starting written straight to the database, as one created before Temporal went away.</summary>
        public async Task<Guid> SeedFileDownloadAsync(int teamId)
        {
            await using var db = CreateDbContext();
            var now = Clock.GetUtcNow();
            var destination = new Core.Domain.BatchExportDestination { Id = Guid.CreateVersion7(), Type = "FileDownload", CreatedAt = now, LastUpdatedAt = now };
            destination.ConfigCiphertext = Services.GetRequiredService<Core.Security.ConfigCipher>().Encrypt(new JsonObject { ["file_format"] = "JSONLines" }, destination.Id);
            var onDemand = new Core.Domain.BatchExportOnDemand { Id = Guid.CreateVersion7(), TeamId = teamId, Destination = destination, DestinationId = destination.Id, Model = "events", CreatedAt = now, LastUpdatedAt = now };
            var run = new Core.Domain.BatchExportRun
            {
                Id = Guid.CreateVersion7(), BatchExportOnDemandId = onDemand.Id, Status = Core.Domain.RunStatuses.Starting,
                DataIntervalStart = now.AddDays(-2), DataIntervalEnd = now.AddDays(-1), CreatedAt = now, LastUpdatedAt = now, NextAttemptAt = now,
            };
            db.BatchExportOnDemands.Add(onDemand);
            db.BatchExportRuns.Add(run);
            await db.SaveChangesAsync();
            return run.Id;
        }
    }
}
