using System.Net;
using System.Text.Json.Nodes;
using BatchExports.Core.Domain;
using BatchExports.Pipeline.Runs;
using BatchExports.Testing;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using static BatchExports.Testing.BatchExportsOperations;
using static BatchExports.Testing.RunsAndBackfillsOperations;

namespace BatchExports.Api.Tests.Engine;

/// <summary>
/// What the engine tells users through a run's logs: its start, its record count on success, each retry and the final
/// error. The destination is scripted so the test decides how each attempt ends.
/// </summary>
public sealed class RunLoggingTests : IAsyncLifetime
{
    private readonly ScriptedEngineApiFactory _factory = new();

    public ValueTask InitializeAsync() => _factory.InitializeAsync();

    public async ValueTask DisposeAsync() => await _factory.DisposeAsync();

    private async Task<(TestTenant Tenant, ApiClient Client, Guid Id, BatchExportRun Run)> DueRunAsync()
    {
        var (tenant, client, id) = await _factory.ExportAsync(ExportBody(NoOpDestination()));
        var end = _factory.MoveToMinutePastTheHour(0) - TimeSpan.FromHours(1);
        var run = await _factory.RunAsync(id, end, RunStatuses.Starting);
        return (tenant, client, id, run);
    }

    private async Task<List<JsonNode>> LogsAsync(ApiClient client, int teamId, Guid id, Guid runId) =>
        (await client.RunLogsAsync(teamId, id, runId)).Expect(HttpStatusCode.OK)["results"]!.AsArray().Select(e => e!).Reverse().ToList();

    private async Task<BatchExportRun> StoredAsync(Guid runId)
    {
        await using var db = _factory.CreateDbContext();
        return await db.BatchExportRuns.AsNoTracking().SingleAsync(r => r.Id == runId);
    }

    [Fact]
    public async Task ASuccessfulRun_LogsItsStartAndItsRecordCount()
    {
        var (tenant, client, id, run) = await DueRunAsync();
        _factory.Pipeline.Script(run.Id, _ => new RunOutcome(42, 4096));

        Assert.Equal(1, await _factory.Engine.ExecuteAllAsync());

        var logs = await LogsAsync(client, tenant.TeamId, id, run.Id);
        Assert.Equal(["INFO", "INFO"], logs.Select(l => (string)l["level"]!).ToArray());
        Assert.StartsWith("Batch exporting range 2", (string?)logs[0]["message"]);
        Assert.Contains("attempt 1 of 3", (string?)logs[0]["message"]);
        Assert.EndsWith("finished successfully with 42 records exported.", (string?)logs[1]["message"]);
        var stored = await StoredAsync(run.Id);
        Assert.Equal(RunStatuses.Completed, stored.Status);
        Assert.Equal(42, stored.RecordsCompleted);
        Assert.Equal(4096, stored.BytesExported);
    }

    [Fact]
    public async Task ATransientFailure_IsLoggedAsARetry_ThenTheRetrySucceeds()
    {
        var (tenant, client, id, run) = await DueRunAsync();
        _factory.Pipeline.Script(run.Id, _ => throw new IOException("connection reset by peer"), _ => new RunOutcome(7, 100));

        Assert.Equal(1, await _factory.Engine.ExecuteAllAsync());
        Assert.Equal(0, await _factory.Engine.ExecuteAllAsync());
        var waiting = await StoredAsync(run.Id);
        Assert.Equal(RunStatuses.Running, waiting.Status);
        Assert.Equal("IOException: connection reset by peer", waiting.LatestError);

        _factory.Clock.Advance(TimeSpan.FromSeconds(10));
        Assert.Equal(1, await _factory.Engine.ExecuteAllAsync());

        var logs = await LogsAsync(client, tenant.TeamId, id, run.Id);
        Assert.Equal(["INFO", "WARNING", "INFO", "INFO"], logs.Select(l => (string)l["level"]!).ToArray());
        Assert.Equal(
            "Attempt 1 of 3 failed with an error that can be retried: IOException: connection reset by peer. Retrying in 10 seconds.",
            (string?)logs[1]["message"]);
        Assert.Contains("attempt 2 of 3", (string?)logs[2]["message"]);
        Assert.EndsWith("finished successfully with 7 records exported.", (string?)logs[3]["message"]);
        Assert.Equal(RunStatuses.Completed, (await StoredAsync(run.Id)).Status);
    }

    [Fact]
    public async Task ARunThatKeepsFailing_EndsFailedRetryable_WithAFinalError()
    {
        var (tenant, client, id, run) = await DueRunAsync();
        _factory.Pipeline.Script(run.Id, Enumerable.Repeat<Func<RunContext, RunOutcome>>(_ => throw new TimeoutException("the server did not answer"), 3).ToArray());

        for (var attempt = 0; attempt < 3; attempt++)
        {
            Assert.Equal(1, await _factory.Engine.ExecuteAllAsync());
            _factory.Clock.Advance(TimeSpan.FromSeconds(40));
        }

        Assert.Equal(0, await _factory.Engine.ExecuteAllAsync());
        var stored = await StoredAsync(run.Id);
        Assert.Equal(RunStatuses.FailedRetryable, stored.Status);
        Assert.Equal("TimeoutException: the server did not answer", stored.LatestError);
        var logs = await LogsAsync(client, tenant.TeamId, id, run.Id);
        Assert.Equal(["INFO", "WARNING", "INFO", "WARNING", "INFO", "ERROR"], logs.Select(l => (string)l["level"]!).ToArray());
        Assert.Contains("Retrying in 20 seconds.", (string?)logs[3]["message"]);
        Assert.EndsWith(
            "failed with an error that can be retried, after 3 attempts: TimeoutException: the server did not answer",
            (string?)logs[5]["message"]);
        var listed = (await client.GetRunAsync(tenant.TeamId, id, run.Id)).Expect(HttpStatusCode.OK);
        Assert.Equal("FailedRetryable", (string?)listed["status"]);
        Assert.Equal("TimeoutException: the server did not answer", (string?)listed["latest_error"]);
    }

    [Fact]
    public async Task AUserFixableFailure_FailsAtOnce_WithAnErrorLog()
    {
        var (tenant, client, id, run) = await DueRunAsync();
        _factory.Pipeline.Script(run.Id, _ => throw new NonRetryableExportException("The bucket 'my-bucket' does not exist."));

        Assert.Equal(1, await _factory.Engine.ExecuteAllAsync());
        _factory.Clock.Advance(TimeSpan.FromMinutes(5));
        Assert.Equal(0, await _factory.Engine.ExecuteAllAsync());

        var stored = await StoredAsync(run.Id);
        Assert.Equal(RunStatuses.Failed, stored.Status);
        Assert.Equal("The bucket 'my-bucket' does not exist.", stored.LatestError);
        var logs = await LogsAsync(client, tenant.TeamId, id, run.Id);
        Assert.Equal(["INFO", "ERROR"], logs.Select(l => (string)l["level"]!).ToArray());
        Assert.EndsWith("failed with a non-recoverable error: The bucket 'my-bucket' does not exist.", (string?)logs[1]["message"]);
    }

    [Fact]
    public async Task RunLogs_OfTwoRuns_DoNotMix_AndTheExportLogsHoldBoth()
    {
        var (tenant, client, id, run) = await DueRunAsync();
        var second = await _factory.RunAsync(id, run.DataIntervalEnd - TimeSpan.FromHours(1), RunStatuses.Starting);
        _factory.Pipeline.Script(run.Id, _ => new RunOutcome(1, 1));
        _factory.Pipeline.Script(second.Id, _ => throw new NonRetryableExportException("nope"));

        Assert.Equal(2, await _factory.Engine.ExecuteAllAsync());

        Assert.Equal(2, (await LogsAsync(client, tenant.TeamId, id, run.Id)).Count(l => (string?)l["instance_id"] == run.Id.ToString()));
        var secondLogs = await LogsAsync(client, tenant.TeamId, id, second.Id);
        Assert.Equal(["INFO", "ERROR"], secondLogs.Select(l => (string)l["level"]!).ToArray());
        var exportLogs = (await client.ExportLogsAsync(tenant.TeamId, id)).Expect(HttpStatusCode.OK);
        Assert.Equal(4, (int)exportLogs["count"]!);
    }

    [Fact]
    public async Task ABatchOfRuns_ClaimedTogether_EndsAndLogsEachRunAsAloneItWould()
    {
        var (tenant, client, id, run) = await DueRunAsync();
        var failing = await _factory.RunAsync(id, run.DataIntervalEnd - TimeSpan.FromHours(1), RunStatuses.Starting);
        var retried = await _factory.RunAsync(id, run.DataIntervalEnd - TimeSpan.FromHours(2), RunStatuses.Starting);
        _factory.Pipeline.Script(run.Id, _ => new RunOutcome(42, 4096));
        _factory.Pipeline.Script(failing.Id, _ => throw new NonRetryableExportException("nope"));
        _factory.Pipeline.Script(retried.Id, _ => throw new IOException("connection reset by peer"));

        Assert.Equal(3, await _factory.Engine.Executor.ExecuteBatchAsync(10, advanceBackfills: false, CancellationToken.None));
        Assert.Equal(0, await _factory.Engine.Executor.ExecuteBatchAsync(10, advanceBackfills: false, CancellationToken.None));

        Assert.Equal(RunStatuses.Completed, (await StoredAsync(run.Id)).Status);
        Assert.Equal(["INFO", "INFO"], (await LogsAsync(client, tenant.TeamId, id, run.Id)).Select(l => (string)l["level"]!).ToArray());
        var failed = await StoredAsync(failing.Id);
        Assert.Equal((RunStatuses.Failed, "nope"), (failed.Status, failed.LatestError));
        Assert.Equal(["INFO", "ERROR"], (await LogsAsync(client, tenant.TeamId, id, failing.Id)).Select(l => (string)l["level"]!).ToArray());
        var waiting = await StoredAsync(retried.Id);
        Assert.Equal((RunStatuses.Running, null), (waiting.Status, waiting.LeaseOwner));
        Assert.Equal(["INFO", "WARNING"], (await LogsAsync(client, tenant.TeamId, id, retried.Id)).Select(l => (string)l["level"]!).ToArray());
        var exportLogs = (await client.ExportLogsAsync(tenant.TeamId, id)).Expect(HttpStatusCode.OK);
        Assert.Equal(6, (int)exportLogs["count"]!);
    }

    /// <summary>An engine factory whose pipeline plays, per run, one scripted outcome per attempt.</summary>
}
