using System.Net;
using BatchExports.Core.Domain;
using BatchExports.Testing;
using Microsoft.EntityFrameworkCore;
using static BatchExports.Testing.BatchExportsOperations;

namespace BatchExports.Api.Tests.Engine;

/// <summary>A run whose process died is taken over once its lease lapses, and given up after the configured attempts.</summary>
public sealed class RecoveryTests : IsolatedEngineTest
{
    private async Task<(ApiClient Client, TestTenant Tenant, Guid ExportId, Guid RunId)> RunClaimedByADeadProcessAsync(int attempt)
    {
        var tenant = await Factory.CreateTenantAsync();
        var client = Factory.CreateApiClient(tenant.ApiKey);
        var exportId = Guid.Parse((string)(await client.CreateExportOkAsync(tenant.TeamId, ExportBody(NoOpDestination())))["id"]!);
        var now = Factory.Clock.GetUtcNow();
        var run = new BatchExportRun
        {
            Id = Guid.CreateVersion7(),
            BatchExportId = exportId,
            Status = RunStatuses.Running,
            DataIntervalStart = now.AddHours(-2),
            DataIntervalEnd = now.AddHours(-1),
            CreatedAt = now,
            LastUpdatedAt = now,
            Attempt = attempt,
            NextAttemptAt = now,
            LeaseOwner = "a-process-that-died",
            LeaseExpiresAt = now + TimeSpan.FromSeconds(30),
        };
        await using var db = Factory.CreateDbContext();
        db.BatchExportRuns.Add(run);
        await db.SaveChangesAsync();
        return (client, tenant, exportId, run.Id);
    }

    private async Task<BatchExportRun> RunAsync(Guid id)
    {
        await using var db = Factory.CreateDbContext();
        return await db.BatchExportRuns.AsNoTracking().SingleAsync(r => r.Id == id);
    }

    [Fact]
    public async Task AClaimedRun_IsNotTakenWhileItsLeaseHolds_ThenIsPickedUpAgain()
    {
        var (client, tenant, exportId, runId) = await RunClaimedByADeadProcessAsync(attempt: 1);

        Assert.Equal(0, await Factory.Engine.ExecuteAllAsync());
        Factory.Clock.Advance(TimeSpan.FromSeconds(31));
        Assert.Equal(1, await Factory.Engine.ExecuteAllAsync());

        var run = await RunAsync(runId);
        Assert.Equal(RunStatuses.Completed, run.Status);
        Assert.Equal(2, run.Attempt);
        Assert.Null(run.LeaseOwner);
        var logs = (await client.GetAsync($"{ExportsPath(tenant.TeamId)}/{exportId}/runs/{runId}/logs/")).Expect(HttpStatusCode.OK);
        Assert.Contains(logs["results"]!.AsArray(), l => ((string)l!["message"]!).Contains("attempt 2 of 3"));
    }

    [Fact]
    public async Task ARunInterruptedTooOften_FailsWithAClearError()
    {
        var (client, tenant, exportId, runId) = await RunClaimedByADeadProcessAsync(attempt: 3);
        Factory.Clock.Advance(TimeSpan.FromSeconds(31));

        await Factory.Engine.ExecuteAllAsync();

        var run = await RunAsync(runId);
        Assert.Equal(RunStatuses.FailedRetryable, run.Status);
        Assert.Equal("The run was interrupted 3 time(s) before it could finish (the process running it stopped), and was given up.", run.LatestError);
        Assert.NotNull(run.FinishedAt);
        var errors = (await client.GetAsync($"{ExportsPath(tenant.TeamId)}/{exportId}/logs/?level=ERROR")).Expect(HttpStatusCode.OK);
        Assert.Equal(1, (int)errors["count"]!);
    }

    [Fact]
    public async Task ACancelledRun_IsNotPickedUpAgain()
    {
        var (client, tenant, exportId, runId) = await RunClaimedByADeadProcessAsync(attempt: 1);

        (await client.PostAsync($"{ExportsPath(tenant.TeamId)}/{exportId}/runs/{runId}/cancel/")).Expect(HttpStatusCode.OK);
        Factory.Clock.Advance(TimeSpan.FromMinutes(5));

        Assert.Equal(0, await Factory.Engine.ExecuteAllAsync());
        Assert.Equal(RunStatuses.Cancelled, (await RunAsync(runId)).Status);
    }
}
