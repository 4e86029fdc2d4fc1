using System.Net;
using System.Text.Json.Nodes;
using BatchExports.Core.Domain;
using BatchExports.Core.Orchestration;
using BatchExports.Testing;
using Microsoft.AspNetCore.Hosting;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using static BatchExports.Testing.BatchExportsOperations;

namespace BatchExports.Api.Tests.BatchExports;

/// <summary>
/// When the engine refuses a schedule change, the export is not half-written: the row and its destination roll back
/// with it. (The failing engine here stands in for an unreachable Temporal; it is fault injection, not a mock of a part
/// under test.)
/// </summary>
public sealed class OrchestratorFailureTests(OrchestratorFailureTests.FailingEngineFactory factory) : IClassFixture<OrchestratorFailureTests.FailingEngineFactory>
{
    [Fact]
    public async Task Create_WhenTheEngineFails_LeavesNoExportAndNoDestination()
    {
        var tenant = await factory.CreateTenantAsync();
        factory.Fail = true;

        var response = await factory.CreateApiClient(tenant.ApiKey).CreateExportAsync(tenant.TeamId, ExportBody(NoOpDestination()));

        Assert.Equal(HttpStatusCode.InternalServerError, response.Status);
        Assert.Equal("server_error", (string?)response.Json!["type"]);
        await using var db = factory.CreateDbContext();
        Assert.False(await db.BatchExports.AnyAsync(e => e.TeamId == tenant.TeamId));
        Assert.False(await db.BatchExportDestinations.AnyAsync(d => !db.BatchExports.Any(e => e.DestinationId == d.Id)));
        factory.Fail = false;
    }

    [Fact]
    public async Task PatchAndPause_WhenTheEngineFails_ChangeNothing()
    {
        var tenant = await factory.CreateTenantAsync();
        var client = factory.CreateApiClient(tenant.ApiKey);
        factory.Fail = false;
        var id = (string)(await client.CreateExportOkAsync(tenant.TeamId, ExportBody(NoOpDestination())))["id"]!;
        var before = (await client.GetExportAsync(tenant.TeamId, id)).Body;
        factory.Fail = true;

        Assert.Equal(HttpStatusCode.InternalServerError, (await client.PatchExportAsync(tenant.TeamId, id, new JsonObject { ["name"] = "renamed", ["interval"] = "day" })).Status);
        Assert.Equal(HttpStatusCode.InternalServerError, (await client.PauseExportAsync(tenant.TeamId, id)).Status);

        factory.Fail = false;
        Assert.Equal(before, (await client.GetExportAsync(tenant.TeamId, id)).Body);
    }

    public sealed class FailingEngineFactory : ApiFactory
    {
        public bool Fail { get; set; }

        protected override void ConfigureWebHost(IWebHostBuilder builder)
        {
            base.ConfigureWebHost(builder);
            builder.ConfigureServices(services => services.AddScoped<IExportOrchestrator>(provider =>
                new FailingOrchestrator(this, ActivatorUtilities.CreateInstance<Pipeline.Embedded.EmbeddedOrchestrator>(provider))));
        }
    }

    private sealed class FailingOrchestrator(FailingEngineFactory factory, IExportOrchestrator inner) : IExportOrchestrator
    {
        public async Task ExportSavedAsync(BatchExport export, CancellationToken cancellationToken)
        {
            await inner.ExportSavedAsync(export, cancellationToken);
            if (factory.Fail)
            {
                throw new InvalidOperationException("The engine is unreachable.");
            }
        }

        public Task ExportDeletedAsync(BatchExport export, CancellationToken cancellationToken) => inner.ExportDeletedAsync(export, cancellationToken);

        public Task RunCancelledAsync(BatchExportRun run, CancellationToken cancellationToken) => inner.RunCancelledAsync(run, cancellationToken);

        public Task BackfillCreatedAsync(BatchExportBackfill backfill, CancellationToken cancellationToken) => inner.BackfillCreatedAsync(backfill, cancellationToken);

        public Task BackfillCancelledAsync(BatchExportBackfill backfill, CancellationToken cancellationToken) => inner.BackfillCancelledAsync(backfill, cancellationToken);
    }
}
