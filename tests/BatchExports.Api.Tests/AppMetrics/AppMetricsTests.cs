using System.Net;
using System.Text.Json.Nodes;
using BatchExports.Core.Domain;
using BatchExports.Testing;

namespace BatchExports.Api.Tests.AppMetrics;

/// <summary>App metrics of a batch export, computed from its runs as PostHog computes them now.</summary>
public sealed class AppMetricsTests(ApiFactory factory) : IClassFixture<ApiFactory>
{
    private static string MetricsPath(int teamId, Guid exportId, string family = "projects") => $"/api/{family}/{teamId}/app_metrics/{exportId}";

    /// <summary>A finished run whose <c>last_updated_at</c> is <paramref name="updated"/>; interval ends are unique per export.</summary>
    private async Task RunAsync(Guid exportId, string status, long? records, DateTimeOffset updated, string? error = null) =>
        await factory.RunAsync(exportId, updated.AddTicks(Random.Shared.NextInt64(1, TimeSpan.TicksPerHour)), status, r =>
        {
            r.RecordsTotalCount = records;
            r.LastUpdatedAt = updated;
            r.LatestError = error;
        });

    [Fact]
    public async Task Metrics_SumRecordsOfCompletedAndOtherFinishedRuns_PerUtcDayOfLastUpdate()
    {
        var (tenant, client, exportId) = await factory.ExportAsync();
        var now = factory.Clock.GetUtcNow();
        var today = new DateTimeOffset(now.UtcDateTime.Date, TimeSpan.Zero);
        var threeDaysAgo = today.AddDays(-3);
        await RunAsync(exportId, RunStatuses.Completed, 100, threeDaysAgo.AddHours(1));
        await RunAsync(exportId, RunStatuses.Completed, 50, threeDaysAgo.AddHours(23));
        await RunAsync(exportId, RunStatuses.Failed, 7, threeDaysAgo.AddHours(2), "boom");
        await RunAsync(exportId, RunStatuses.Completed, null, today.AddDays(-1).AddMinutes(5));
        await RunAsync(exportId, RunStatuses.FailedRetryable, 3, today.AddDays(-1).AddMinutes(6), "timeout");
        await RunAsync(exportId, RunStatuses.Completed, 10, now.AddMinutes(-1));
        // Not counted: a Running run, a Cancelled run, and a run older than the default 30 days.
        await RunAsync(exportId, RunStatuses.Running, 999, now.AddMinutes(-2));
        await RunAsync(exportId, RunStatuses.Cancelled, 999, now.AddMinutes(-3));
        await RunAsync(exportId, RunStatuses.Completed, 999, now.AddDays(-31));

        var body = (await client.GetAsync($"{MetricsPath(tenant.TeamId, exportId, "environments")}/")).Expect(HttpStatusCode.OK);

        var expected = new JsonObject
        {
            ["metrics"] = new JsonObject
            {
                ["dates"] = new JsonArray(Day(threeDaysAgo), Day(today.AddDays(-1)), Day(now)),
                ["successes"] = new JsonArray(150, 0, 10),
                ["successes_on_retry"] = new JsonArray(0, 0, 0),
                ["failures"] = new JsonArray(7, 3, 0),
                ["totals"] = new JsonObject { ["successes"] = 160, ["successes_on_retry"] = 0, ["failures"] = 10 },
            },
            ["errors"] = null,
        };
        Assert.Equal(expected.ToJsonString(), body.ToJsonString());

        var narrowed = (await client.GetAsync($"{MetricsPath(tenant.TeamId, exportId)}/?date_from=-2d&date_to={today.ToString("yyyy-MM-ddTHH:mm:ssZ")}"))
            .Expect(HttpStatusCode.OK);
        Assert.Equal(new JsonArray(Day(today.AddDays(-1))).ToJsonString(), narrowed["metrics"]!["dates"]!.ToJsonString());
        Assert.Equal(new JsonArray(3).ToJsonString(), narrowed["metrics"]!["failures"]!.ToJsonString());
    }

    [Fact]
    public async Task Metrics_OfAnExportWithoutFinishedRuns_AreEmpty_AndOfAnotherTeamsExportNotFound()
    {
        var (tenant, client, exportId) = await factory.ExportAsync();
        var (_, _, otherExportId) = await factory.ExportAsync();

        var body = (await client.GetAsync($"{MetricsPath(tenant.TeamId, exportId)}/")).Expect(HttpStatusCode.OK);
        Assert.Equal(
            """{"metrics":{"dates":[],"successes":[],"successes_on_retry":[],"failures":[],"totals":{"successes":0,"successes_on_retry":0,"failures":0}},"errors":null}""",
            body.ToJsonString());
        (await client.GetAsync($"{MetricsPath(tenant.TeamId, otherExportId)}/")).ExpectError(HttpStatusCode.NotFound, "invalid_request");
        (await client.GetAsync($"/api/projects/{tenant.TeamId}/app_metrics/42/")).ExpectError(HttpStatusCode.NotFound, "invalid_request");
    }

    [Fact]
    public async Task ErrorDetails_GroupFailedRunsByMessage_WithCountAndLastOccurrence()
    {
        var (tenant, client, exportId) = await factory.ExportAsync();
        var now = factory.Clock.GetUtcNow();
        await RunAsync(exportId, RunStatuses.Failed, 1, now.AddHours(-5), "Bucket not found");
        await RunAsync(exportId, RunStatuses.Failed, 1, now.AddHours(-3), "Bucket not found");
        await RunAsync(exportId, RunStatuses.FailedRetryable, 1, now.AddHours(-4), "Timed out");
        await RunAsync(exportId, RunStatuses.Completed, 1, now.AddHours(-2));

        var body = (await client.GetAsync($"{MetricsPath(tenant.TeamId, exportId)}/error_details/")).Expect(HttpStatusCode.OK);

        var result = body["result"]!.AsArray();
        Assert.Equal(2, result.Count);
        Assert.Equal("Bucket not found", (string)result[0]!["error_type"]!);
        Assert.Equal(2, (int)result[0]!["count"]!);
        Assert.Equal(now.AddHours(-3), DateTimeOffset.Parse((string)result[0]!["last_seen"]!, System.Globalization.CultureInfo.InvariantCulture), TimeSpan.FromMilliseconds(1));
        Assert.Equal("Timed out", (string)result[1]!["error_type"]!);
        Assert.Equal(1, (int)result[1]!["count"]!);
    }

    [Fact]
    public async Task HistoricalExports_AreThoseOfATeamWithoutPlugins()
    {
        var (tenant, client, _) = await factory.ExportAsync();

        Assert.Equal("""{"results":[]}""", (await client.GetAsync($"/api/environments/{tenant.TeamId}/app_metrics/12/historical_exports/")).Expect(HttpStatusCode.OK).ToJsonString());
        (await client.GetAsync($"/api/projects/{tenant.TeamId}/app_metrics/12/historical_exports/abc/")).ExpectError(HttpStatusCode.NotFound, "invalid_request");
    }

    [Theory]
    [InlineData(new[] { "plugin:read" }, true)]
    [InlineData(new[] { "*" }, true)]
    [InlineData(new[] { "batch_export:read" }, false)]
    public async Task TheScopeIsPluginRead(string[] scopes, bool allowed)
    {
        var (tenant, _, exportId) = await factory.ExportAsync();
        var client = factory.CreateApiClient(await factory.CreateKeyAsync(tenant.Email, tenant.OrganizationId, scopes));

        foreach (var path in new[] { $"{MetricsPath(tenant.TeamId, exportId)}/", $"{MetricsPath(tenant.TeamId, exportId)}/error_details/", $"/api/projects/{tenant.TeamId}/app_metrics/1/historical_exports/" })
        {
            var response = await client.GetAsync(path);
            if (allowed)
            {
                response.Expect(HttpStatusCode.OK);
            }
            else
            {
                response.ExpectError(HttpStatusCode.Forbidden, "authentication_error", "API key missing required scope 'plugin:read'");
            }
        }
    }

    private static string Day(DateTimeOffset instant) => instant.UtcDateTime.ToString("yyyy-MM-dd", System.Globalization.CultureInfo.InvariantCulture);
}
