using System.Net;
using System.Net.Http.Headers;
using System.Text.Json.Nodes;
using BatchExports.Core.Domain;
using BatchExports.Core.Hosting;
using BatchExports.Core.Persistence;
using BatchExports.Pipeline.Runs;
using BatchExports.Testing;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Npgsql;
using static BatchExports.Testing.BatchExportsOperations;
using static BatchExports.Testing.RunsAndBackfillsOperations;

namespace BatchExports.Api.Tests.Platform;

/// <summary>
/// A real PostgreSQL (a cluster of this test's own, so no other test loses its database) stopped and started again
/// under a running server with its engine on: the API answers 503 meanwhile, and the engine carries on afterwards.
/// </summary>
public sealed class DatabaseOutageTests : IAsyncLifetime
{
    private static readonly TimeSpan Patience = TimeSpan.FromSeconds(60);

    private readonly OutageFactory _factory = new();

    public ValueTask InitializeAsync() => _factory.InitializeAsync();

    public ValueTask DisposeAsync() => _factory.DisposeAsync();

    private async Task<(HttpStatusCode Status, string? RetryAfter, JsonNode? Body)> SendAsync(HttpMethod method, string path, string apiKey, JsonObject? body = null)
    {
        using var client = _factory.CreateClient();
        using var request = new HttpRequestMessage(method, path);
        request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", apiKey);
        if (body != null)
        {
            request.Content = new StringContent(body.ToJsonString(), System.Text.Encoding.UTF8, "application/json");
        }

        using var response = await client.SendAsync(request, TestContext.Current.CancellationToken);
        var text = await response.Content.ReadAsStringAsync(TestContext.Current.CancellationToken);
        return (response.StatusCode, response.Headers.RetryAfter?.Delta?.TotalSeconds.ToString(System.Globalization.CultureInfo.InvariantCulture),
            text.Length == 0 ? null : JsonNode.Parse(text));
    }

    [Fact]
    public async Task WhilePostgresIsDown_RoutesAnswer503WithRetryAfter_AndTheEngineFinishesItsRunWhenItReturns()
    {
        var tenant = await _factory.CreateTenantAsync();
        var client = _factory.CreateApiClient(tenant.ApiKey);
        var body = ExportBody(NoOpDestination());
        body["paused"] = true; // no scheduled runs: the test's one run is the only work
        var id = Guid.Parse((string)(await client.CreateExportOkAsync(tenant.TeamId, body))["id"]!);

        // The run is mid-export when the database goes away, and tries to record its success during the outage.
        var entered = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        using var release = new ManualResetEventSlim();
        var end = DateTimeOffset.UtcNow.AddHours(-2);
        var run = _factory.NewRun(id, new DateTimeOffset(end.Year, end.Month, end.Day, end.Hour, 0, 0, TimeSpan.Zero), RunStatuses.Starting);
        _factory.Pipeline.Script(
            run.Id,
            _ =>
            {
                entered.TrySetResult();
                release.Wait(Patience);
                return new RunOutcome(5, 50);
            },
            _ => new RunOutcome(5, 50));
        await _factory.SaveAsync(run);
        await entered.Task.WaitAsync(Patience, TestContext.Current.CancellationToken);

        await _factory.Cluster.StopAsync();

        foreach (var (method, path, payload) in new (HttpMethod, string, JsonObject?)[]
        {
            (HttpMethod.Get, $"{ExportsPath(tenant.TeamId)}/", null),
            (HttpMethod.Post, $"{ExportsPath(tenant.TeamId)}/", ExportBody(NoOpDestination())),
            (HttpMethod.Get, $"{RunsPath(tenant.TeamId, id)}/{run.Id}/", null),
            (HttpMethod.Post, $"{ExportsPath(tenant.TeamId)}/{id}/pause/", null),
            (HttpMethod.Get, "/api/projects/", null),
        })
        {
            var (status, retryAfter, error) = await SendAsync(method, path, tenant.ApiKey, payload);
            Assert.True(status == HttpStatusCode.ServiceUnavailable, $"{method} {path} answered {(int)status}: {error?.ToJsonString()}");
            Assert.Equal("5", retryAfter);
            Assert.Equal("server_error", (string?)error!["type"]);
            Assert.Equal("The database is not reachable.", (string?)error["detail"]);
        }

        var ready = await SendAsync(HttpMethod.Get, "/_readyz", tenant.ApiKey);
        Assert.Equal(HttpStatusCode.ServiceUnavailable, ready.Status);
        Assert.Equal("5", ready.RetryAfter);

        // The export finishes while the database is still away; the engine keeps failing to reach it for a while.
        release.Set();
        await Task.Delay(TimeSpan.FromSeconds(2), TestContext.Current.CancellationToken);
        Assert.False(_factory.Services.GetRequiredService<IHostApplicationLifetime>().ApplicationStopping.IsCancellationRequested);

        await _factory.Cluster.EnsureStartedAsync(_factory.DatabaseName, TestContext.Current.CancellationToken);

        var deadline = DateTime.UtcNow + Patience;
        JsonNode? finished = null;
        while (DateTime.UtcNow < deadline)
        {
            var response = await client.GetRunAsync(tenant.TeamId, id, run.Id);
            if (response.Status == HttpStatusCode.OK && (string?)response.Json!["status"] == RunStatuses.Completed)
            {
                finished = response.Json;
                break;
            }

            await Task.Delay(200, TestContext.Current.CancellationToken);
        }

        Assert.NotNull(finished);
        Assert.Equal(5, (int)finished!["records_completed"]!);
        await using var db = _factory.CreateDbContext();
        var stored = await db.BatchExportRuns.AsNoTracking().SingleAsync(r => r.Id == run.Id, TestContext.Current.CancellationToken);
        Assert.Null(stored.LeaseOwner);
        Assert.Null(stored.LeaseExpiresAt);
        Assert.Equal(2, stored.Attempt);
        (await client.ListExportsAsync(tenant.TeamId)).Expect(HttpStatusCode.OK);
    }

    /// <summary>The API with its engine on the real clock, over a PostgreSQL cluster the test may stop and start.</summary>
    private sealed class OutageFactory() : ScriptedEngineApiFactory(new Dictionary<string, string?>
    {
        ["BatchExports:Engine:Enabled"] = "true",
        ["BatchExports:Engine:Concurrency"] = "1",
        ["BatchExports:Engine:PollInterval"] = "00:00:00.100",
        ["BatchExports:Engine:HeartbeatInterval"] = "00:00:00.200",
        ["BatchExports:Engine:LeaseDuration"] = "00:00:02",
        ["BatchExports:Engine:MaxFailureBackoff"] = "00:00:01",
        ["BatchExports:Engine:RetryBackoff"] = "00:00:01",
    })
    {
        private readonly RestartableDatabase _database = new("bxout", "bx_outage");

        public EmbeddedPostgres Cluster => _database.Cluster;

        public string DatabaseName => _database.DatabaseName;

        protected override bool UseFakeClock => false;

        public override async ValueTask InitializeAsync() => ConnectionString = await _database.StartAsync();

        public override async ValueTask DisposeAsync()
        {
            await base.DisposeAsync();
            await _database.DisposeAsync();
        }
    }
}
