using System.Net;
using System.Text.Json.Nodes;
using BatchExports.Core.Domain;
using BatchExports.Testing;
using static BatchExports.Testing.RunsAndBackfillsOperations;

namespace BatchExports.Api.Tests.Logs;

/// <summary><c>GET …/runs/{run_id}/logs</c>: only that run's entries (old <c>test_log_entry.py</c>), same filters and scope.</summary>
public sealed class RunLogsTests(ApiFactory factory) : IClassFixture<ApiFactory>
{
    private static readonly DateTimeOffset IntervalEnd = new(2024, 5, 1, 10, 0, 0, TimeSpan.Zero);

    private static List<string> Messages(JsonNode page) => page["results"]!.AsArray().Select(r => (string)r!["message"]!).ToList();

    private async Task<(TestTenant Tenant, ApiClient Client, Guid Id, BatchExportRun Run, BatchExportRun Other)> RunsWithLogsAsync()
    {
        var (tenant, client, id) = await factory.ExportAsync();
        var run = await factory.RunAsync(id, IntervalEnd);
        var other = await factory.RunAsync(id, IntervalEnd.AddHours(1));
        var t0 = factory.Clock.GetUtcNow();
        await factory.LogAsync(tenant.TeamId, id, LogLevels.Info, "run started", t0.AddSeconds(1), run.Id);
        await factory.LogAsync(tenant.TeamId, id, LogLevels.Error, "run failed", t0.AddSeconds(2), run.Id);
        await factory.LogAsync(tenant.TeamId, id, LogLevels.Info, "other run started", t0.AddSeconds(3), other.Id);
        await factory.LogAsync(tenant.TeamId, id, LogLevels.Info, "export-level line", t0.AddSeconds(4));
        return (tenant, client, id, run, other);
    }

    [Fact]
    public async Task RunLogs_HoldOnlyThatRunsEntries_NewestFirst()
    {
        var (tenant, client, id, run, _) = await RunsWithLogsAsync();

        var page = (await client.RunLogsAsync(tenant.TeamId, id, run.Id)).Expect(HttpStatusCode.OK);

        Assert.Equal(2, (int)page["count"]!);
        Assert.Equal(["run failed", "run started"], Messages(page));
        Assert.All(page["results"]!.AsArray(), e => Assert.Equal(run.Id.ToString(), (string?)e!["instance_id"]));
        Assert.All(page["results"]!.AsArray(), e => Assert.Equal(id.ToString(), (string?)e!["log_source_id"]));
    }

    [Fact]
    public async Task RunLogs_CannotBeWidenedToAnotherRunWithInstanceId()
    {
        var (tenant, client, id, run, other) = await RunsWithLogsAsync();

        var page = (await client.RunLogsAsync(tenant.TeamId, id, run.Id, $"?instance_id={other.Id}")).Expect(HttpStatusCode.OK);

        Assert.Equal(["run failed", "run started"], Messages(page));
    }

    [Fact]
    public async Task RunLogs_TakeTheSameFilters()
    {
        var (tenant, client, id, run, _) = await RunsWithLogsAsync();

        Assert.Equal(["run failed"], Messages((await client.RunLogsAsync(tenant.TeamId, id, run.Id, "?level=error")).Expect(HttpStatusCode.OK)));
        Assert.Equal(["run started"], Messages((await client.RunLogsAsync(tenant.TeamId, id, run.Id, "?search=STARTED")).Expect(HttpStatusCode.OK)));
        Assert.Equal(["run failed"], Messages((await client.RunLogsAsync(tenant.TeamId, id, run.Id, "?limit=1")).Expect(HttpStatusCode.OK)));
        (await client.RunLogsAsync(tenant.TeamId, id, run.Id, "?limit=501")).ExpectError(HttpStatusCode.BadRequest, "validation_error", attr: "limit");
    }

    [Fact]
    public async Task RunLogs_OfARunCreatedMoreThan7DaysAgo_AreFound()
    {
        var (tenant, client, id) = await factory.ExportAsync();
        var now = factory.Clock.GetUtcNow();
        var run = await factory.RunAsync(id, IntervalEnd, configure: r => r.CreatedAt = now - TimeSpan.FromDays(30));
        await factory.LogAsync(tenant.TeamId, id, LogLevels.Info, "old run", now - TimeSpan.FromDays(30), run.Id);

        Assert.Equal(["old run"], Messages((await client.RunLogsAsync(tenant.TeamId, id, run.Id)).Expect(HttpStatusCode.OK)));
    }

    [Theory]
    [InlineData("feature_flag:read", HttpStatusCode.Forbidden)]
    [InlineData("batch_export:read", HttpStatusCode.OK)]
    public async Task RunLogs_NeedBatchExportRead(string scope, HttpStatusCode expected)
    {
        var (tenant, _, id, run, _) = await RunsWithLogsAsync();
        var key = await factory.CreateKeyAsync(tenant.Email, tenant.OrganizationId, [scope]);

        var response = await factory.CreateApiClient(key).RunLogsAsync(tenant.TeamId, id, run.Id);

        if (expected == HttpStatusCode.OK)
        {
            Assert.Equal(2, (int)response.Expect(HttpStatusCode.OK)["count"]!);
        }
        else
        {
            response.ExpectError(HttpStatusCode.Forbidden, "authentication_error", "API key missing required scope 'batch_export:read'");
        }
    }

    [Fact]
    public async Task RunLogs_OfARunOfAnotherExport_Are404()
    {
        var (tenant, client, _, run, _) = await RunsWithLogsAsync();
        var other = Guid.Parse((string)(await client.CreateExportOkAsync(tenant.TeamId))["id"]!);

        (await client.RunLogsAsync(tenant.TeamId, other, run.Id)).ExpectError(HttpStatusCode.NotFound, "invalid_request", "Not found.");
        (await client.RunLogsAsync(tenant.TeamId, other, Guid.NewGuid())).ExpectError(HttpStatusCode.NotFound, "invalid_request", "Not found.");
    }

    [Fact]
    public async Task RunLogs_OfAnotherOrganization_Are403()
    {
        var (owner, _, id, run, _) = await RunsWithLogsAsync();
        var stranger = await factory.CreateTenantAsync();

        (await factory.CreateApiClient(stranger.ApiKey).RunLogsAsync(owner.TeamId, id, run.Id))
            .ExpectError(HttpStatusCode.Forbidden, "authentication_error", "You don't have access to the project.");
    }
}
