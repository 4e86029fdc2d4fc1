using System.Net;
using System.Text.Json.Nodes;
using BatchExports.Core.Domain;
using BatchExports.Core.Json;
using BatchExports.Testing;
using static BatchExports.Testing.RunsAndBackfillsOperations;

namespace BatchExports.Api.Tests.Logs;

/// <summary><c>GET …/batch_exports/{id}/logs</c>: PostHog's LogEntryMixin filters (spec §5.7) and <c>test_logs.py</c> scopes.</summary>
public sealed class ExportLogsTests(ApiFactory factory) : IClassFixture<ApiFactory>
{
    private static List<string> Messages(JsonNode page) => page["results"]!.AsArray().Select(r => (string)r!["message"]!).ToList();

    private async Task<(TestTenant Tenant, ApiClient Client, Guid Id, DateTimeOffset T0)> ExportWithLogsAsync()
    {
        var (tenant, client, id) = await factory.ExportAsync();
        var t0 = factory.Clock.GetUtcNow();
        var runId = Guid.NewGuid();
        await factory.LogAsync(tenant.TeamId, id, LogLevels.Info, "Batch exporting range 1", t0.AddSeconds(1), runId);
        await factory.LogAsync(tenant.TeamId, id, LogLevels.Warning, "Attempt 1 failed: retrying", t0.AddSeconds(2), runId);
        await factory.LogAsync(tenant.TeamId, id, LogLevels.Error, "Run failed: 100% of the BUCKET_NAME is gone", t0.AddSeconds(3), runId);
        await factory.LogAsync(tenant.TeamId, id, LogLevels.Info, "Backfill requested", t0.AddSeconds(4));
        await factory.LogAsync(tenant.TeamId, id, LogLevels.Debug, "debugging 1000 bucket names", t0.AddSeconds(5));
        return (tenant, client, id, t0);
    }

    [Fact]
    public async Task Logs_ReturnTheExportsEntries_NewestFirst_InPostHogsShape()
    {
        var (tenant, client, id, t0) = await ExportWithLogsAsync();
        var (_, _, otherExport) = await factory.ExportAsync();
        await factory.LogAsync(tenant.TeamId, otherExport, LogLevels.Info, "someone else's");

        var page = (await client.ExportLogsAsync(tenant.TeamId, id)).Expect(HttpStatusCode.OK);

        Assert.Equal(["count", "next", "previous", "results"], page.AsObject().Select(p => p.Key).ToArray());
        Assert.Equal(5, (int)page["count"]!);
        Assert.Null(page["next"]);
        Assert.Equal(
            ["debugging 1000 bucket names", "Backfill requested", "Run failed: 100% of the BUCKET_NAME is gone", "Attempt 1 failed: retrying", "Batch exporting range 1"],
            Messages(page));
        var entry = page["results"]![2]!;
        Assert.Equal(["log_source_id", "instance_id", "timestamp", "level", "message"], entry.AsObject().Select(p => p.Key).ToArray());
        Assert.Equal(id.ToString(), (string?)entry["log_source_id"]);
        Assert.True(Guid.TryParse((string?)entry["instance_id"], out _));
        Assert.Equal("ERROR", (string?)entry["level"]);
        Assert.Equal(WireJson.FormatDateTime(Truncate(t0.AddSeconds(3))), (string?)entry["timestamp"]);
        Assert.Null(page["results"]![1]!["instance_id"]);
    }

    [Theory]
    [InlineData("batch_export:read", HttpStatusCode.OK)]
    [InlineData("batch_export:write", HttpStatusCode.OK)]
    [InlineData("*", HttpStatusCode.OK)]
    [InlineData("feature_flag:read", HttpStatusCode.Forbidden)]
    public async Task Logs_NeedBatchExportRead(string scope, HttpStatusCode expected)
    {
        var (tenant, _, id) = await factory.ExportAsync();
        var key = await factory.CreateKeyAsync(tenant.Email, tenant.OrganizationId, [scope]);

        var response = await factory.CreateApiClient(key).ExportLogsAsync(tenant.TeamId, id);

        if (expected == HttpStatusCode.OK)
        {
            response.Expect(HttpStatusCode.OK);
        }
        else
        {
            response.ExpectError(HttpStatusCode.Forbidden, "authentication_error", "API key missing required scope 'batch_export:read'");
        }
    }

    [Fact]
    public async Task Logs_PageWithLimitAndOffset_DefaultingTo50()
    {
        var (tenant, client, id) = await factory.ExportAsync();
        var t0 = factory.Clock.GetUtcNow();
        for (var i = 0; i < 60; i++)
        {
            await factory.LogAsync(tenant.TeamId, id, LogLevels.Info, $"line {i}", t0.AddSeconds(i));
        }

        var first = (await client.ExportLogsAsync(tenant.TeamId, id)).Expect(HttpStatusCode.OK);
        Assert.Equal(60, (int)first["count"]!);
        Assert.Equal(50, first["results"]!.AsArray().Count);
        Assert.Equal("line 59", Messages(first)[0]);
        var next = new Uri((string)first["next"]!);
        Assert.Contains("offset=50", next.Query);
        var rest = (await client.GetAsync(next.PathAndQuery)).Expect(HttpStatusCode.OK);
        Assert.Equal(Enumerable.Range(0, 10).Reverse().Select(i => $"line {i}"), Messages(rest));

        var window = (await client.ExportLogsAsync(tenant.TeamId, id, "?limit=3&offset=5")).Expect(HttpStatusCode.OK);
        Assert.Equal(["line 54", "line 53", "line 52"], Messages(window));
        Assert.Equal(60, (int)window["count"]!);
        Assert.NotNull((string?)window["previous"]);

        Assert.Equal(60, (await client.ExportLogsAsync(tenant.TeamId, id, "?limit=500")).Expect(HttpStatusCode.OK)["results"]!.AsArray().Count);
    }

    [Theory]
    [InlineData("0", "Ensure this value is greater than or equal to 1.")]
    [InlineData("501", "Ensure this value is less than or equal to 500.")]
    [InlineData("-1", "Ensure this value is greater than or equal to 1.")]
    [InlineData("lots", "A valid integer is required.")]
    public async Task Logs_WithALimitOutOfRange_Are400(string limit, string detail)
    {
        var (tenant, client, id) = await factory.ExportAsync();

        (await client.ExportLogsAsync(tenant.TeamId, id, $"?limit={limit}")).ExpectError(HttpStatusCode.BadRequest, "validation_error", detail, "limit");
    }

    [Fact]
    public async Task Logs_AfterAndBefore_AreExclusive()
    {
        var (tenant, client, id, t0) = await ExportWithLogsAsync();
        var after = Uri.EscapeDataString(WireJson.FormatDateTime(Truncate(t0.AddSeconds(2))));
        var before = Uri.EscapeDataString(WireJson.FormatDateTime(Truncate(t0.AddSeconds(5))));

        var page = (await client.ExportLogsAsync(tenant.TeamId, id, $"?after={after}&before={before}")).Expect(HttpStatusCode.OK);

        Assert.Equal(["Backfill requested", "Run failed: 100% of the BUCKET_NAME is gone"], Messages(page));
        Assert.Equal(2, (int)page["count"]!);
    }

    [Fact]
    public async Task Logs_WithAMalformedAfter_Are400()
    {
        var (tenant, client, id) = await factory.ExportAsync();

        (await client.ExportLogsAsync(tenant.TeamId, id, "?after=yesterday")).ExpectError(HttpStatusCode.BadRequest, "validation_error", attr: "after");
    }

    [Theory]
    [InlineData("?level=ERROR", new[] { "ERROR" })]
    [InlineData("?level=error&level=Warning", new[] { "ERROR", "WARNING" })]
    [InlineData("?level=ERROR,warning", new[] { "ERROR", "WARNING" })]
    [InlineData("?level=INFO", new[] { "INFO", "INFO" })]
    [InlineData("?level=debug", new[] { "DEBUG" })]
    public async Task Logs_FilterByLevel_RepeatedOrCommaSeparated_CaseInsensitive(string query, string[] levels)
    {
        var (tenant, client, id, _) = await ExportWithLogsAsync();

        var page = (await client.ExportLogsAsync(tenant.TeamId, id, query)).Expect(HttpStatusCode.OK);

        Assert.Equal(levels, page["results"]!.AsArray().Select(r => (string)r!["level"]!).ToArray());
        Assert.Equal(levels.Length, (int)page["count"]!);
    }

    [Theory]
    [InlineData("bucket", new[] { "debugging 1000 bucket names", "Run failed: 100% of the BUCKET_NAME is gone" })]
    [InlineData("100%", new[] { "Run failed: 100% of the BUCKET_NAME is gone" })]
    [InlineData("bucket_", new[] { "Run failed: 100% of the BUCKET_NAME is gone" })]
    [InlineData("RANGE 1", new[] { "Batch exporting range 1" })]
    [InlineData("nothing like it", new string[0])]
    public async Task Logs_Search_IsACaseInsensitiveSubstring(string search, string[] messages)
    {
        var (tenant, client, id, _) = await ExportWithLogsAsync();

        var page = (await client.ExportLogsAsync(tenant.TeamId, id, $"?search={Uri.EscapeDataString(search)}")).Expect(HttpStatusCode.OK);

        Assert.Equal(messages, Messages(page));
    }

    [Fact]
    public async Task Logs_FilterByInstanceId_ShowOneRunsEntries()
    {
        var (tenant, client, id, t0) = await ExportWithLogsAsync();
        var run = Guid.NewGuid();
        await factory.LogAsync(tenant.TeamId, id, LogLevels.Info, "another run", t0.AddSeconds(6), run);

        var page = (await client.ExportLogsAsync(tenant.TeamId, id, $"?instance_id={run}&level=INFO")).Expect(HttpStatusCode.OK);

        Assert.Equal(["another run"], Messages(page));
    }

    [Fact]
    public async Task Logs_OfAnotherOrganizationsExport_Are403()
    {
        var (owner, _, id, _) = await ExportWithLogsAsync();
        var stranger = await factory.CreateTenantAsync();

        (await factory.CreateApiClient(stranger.ApiKey).ExportLogsAsync(owner.TeamId, id))
            .ExpectError(HttpStatusCode.Forbidden, "authentication_error", "You don't have access to the project.");
    }

    [Fact]
    public async Task Logs_ThroughAnotherTeamOfTheSameOrganization_Are404()
    {
        var (tenant, client, id, _) = await ExportWithLogsAsync();
        var otherTeam = await factory.CreateTeamAsync(tenant.OrganizationId);

        (await client.ExportLogsAsync(otherTeam, id)).ExpectError(HttpStatusCode.NotFound, "invalid_request", "Not found.");
    }

    internal static DateTimeOffset Truncate(DateTimeOffset value) => new(value.UtcTicks - value.UtcTicks % 10, TimeSpan.Zero);
}
