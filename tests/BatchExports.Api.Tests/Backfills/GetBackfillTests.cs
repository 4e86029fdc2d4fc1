using System.Net;
using System.Text.Json.Nodes;
using BatchExports.Core.Domain;
using BatchExports.Core.Json;
using BatchExports.Testing;
using static BatchExports.Testing.RunsAndBackfillsOperations;

namespace BatchExports.Api.Tests.Backfills;

/// <summary>PostHog's <c>backfills/test_get.py</c>: the exact body and the progress matrix (spec §5.4).</summary>
public sealed class GetBackfillTests(ApiFactory factory) : IClassFixture<ApiFactory>
{
    private static readonly DateTimeOffset Midnight = new(2021, 1, 1, 0, 0, 0, TimeSpan.Zero);

    private async Task<JsonNode> GetAsync(ApiClient client, int teamId, Guid exportId, Guid backfillId) =>
        (await client.GetBackfillAsync(teamId, exportId, backfillId)).Expect(HttpStatusCode.OK);

    private async Task AddRunsAsync(BatchExportBackfill backfill, params string[] statuses)
    {
        var start = backfill.AdjustedStartAt ?? backfill.StartAt ?? Midnight;
        for (var i = 0; i < statuses.Length; i++)
        {
            await factory.RunAsync(backfill.BatchExportId, start + TimeSpan.FromHours(i + 1), statuses[i], r => r.BackfillId = backfill.Id);
        }
    }

    [Fact]
    public async Task Get_ReturnsExactlyPostHogsBody()
    {
        var (tenant, client, id) = await factory.ExportAsync();
        var backfill = await factory.BackfillAsync(tenant.TeamId, id, BackfillStatuses.Completed);

        var body = await GetAsync(client, tenant.TeamId, id, backfill.Id);

        var expected = new JsonObject
        {
            ["id"] = backfill.Id.ToString(),
            ["progress"] = new JsonObject { ["total_runs"] = 1, ["finished_runs"] = 1, ["progress"] = 1.0 },
            ["start_at"] = "2021-01-01T00:00:00Z",
            ["end_at"] = "2021-01-01T01:00:00Z",
            ["status"] = "Completed",
            ["created_at"] = Micros(backfill.CreatedAt),
            ["finished_at"] = Micros(backfill.FinishedAt!.Value),
            ["last_updated_at"] = Micros(backfill.LastUpdatedAt),
            ["team"] = tenant.TeamId,
            ["batch_export"] = id.ToString(),
            ["adjusted_start_at"] = null,
            ["total_records_count"] = null,
        };
        Assert.Equal(expected.Select(p => p.Key), body.AsObject().Select(p => p.Key));
        Assert.True(JsonNode.DeepEquals(expected, body), body.ToJsonString());
    }

    /// <summary>
    /// The matrix of PostHog's test_get.py, plus our own rows. The clock sits at half past the hour: the open-ended
    /// rows start 100 and 119 minutes earlier, which the calendar counts as two hourly intervals.
    /// </summary>
    [Theory]
    [InlineData("completed 1h", null, null, "1,1,1")]
    [InlineData("failed 1h", null, null, null)]
    [InlineData("cancelled 1h", null, null, null)]
    [InlineData("running 2h", "Completed", null, "2,1,0.5")]
    [InlineData("starting 2h", null, null, "2,0,0")]
    [InlineData("running from the beginning", "Completed", null, null)]
    [InlineData("completed from the beginning", null, null, "1,1,1")]
    [InlineData("running open-ended from 100 minutes ago", "Completed", null, "2,1,0.5")]
    [InlineData("completed open-ended from 119 minutes ago", null, null, "2,2,1")]
    [InlineData("running 3h", "Completed,Failed,Cancelled", null, "3,2,0.7")]
    [InlineData("running 1h", "Completed,Completed", null, "2,2,1")]
    [InlineData("running 3h", "Completed", null, "3,1,0.3")]
    [InlineData("running 20h", "Completed", null, "20,1,0.1")]
    [InlineData("running 20h", "Completed,Completed,Completed,Completed,Completed,Completed,Completed,Completed,Completed", null, "20,9,0.5")]
    [InlineData("running from the beginning", null, "adjusted 2h", "2,0,0")]
    public async Task Get_ComputesProgress(string shape, string? runs, string? adjusted, string? progress)
    {
        var (tenant, client, id) = await factory.ExportAsync();
        var now = factory.MoveToMinutePastTheHour(30);
        var words = shape.Split(' ');
        var status = words[0] switch
        {
            "completed" => BackfillStatuses.Completed,
            "failed" => BackfillStatuses.Failed,
            "cancelled" => BackfillStatuses.Cancelled,
            "running" => BackfillStatuses.Running,
            _ => BackfillStatuses.Starting,
        };
        var backfill = await factory.BackfillAsync(tenant.TeamId, id, status, b =>
        {
            if (shape.EndsWith("from the beginning", StringComparison.Ordinal))
            {
                b.StartAt = null;
            }
            else if (shape.Contains("open-ended", StringComparison.Ordinal))
            {
                b.StartAt = now - TimeSpan.FromMinutes(int.Parse(words[^3], System.Globalization.CultureInfo.InvariantCulture));
                b.EndAt = null;
            }
            else
            {
                b.EndAt = Midnight + TimeSpan.FromHours(int.Parse(words[^1].TrimEnd('h'), System.Globalization.CultureInfo.InvariantCulture));
            }

            if (adjusted != null)
            {
                b.AdjustedStartAt = Midnight;
                b.EndAt = Midnight + TimeSpan.FromHours(2);
            }
        });
        await AddRunsAsync(backfill, runs?.Split(',') ?? []);

        var body = await GetAsync(client, tenant.TeamId, id, backfill.Id);

        if (progress == null)
        {
            Assert.Null(body["progress"]);
            return;
        }

        var expected = progress.Split(',').Select(v => double.Parse(v, System.Globalization.CultureInfo.InvariantCulture)).ToArray();
        var actual = body["progress"]!;
        Assert.Equal(["total_runs", "finished_runs", "progress"], actual.AsObject().Select(p => p.Key).ToArray());
        Assert.Equal(expected, new[] { (double)actual["total_runs"]!, (double)actual["finished_runs"]!, (double)actual["progress"]! });
    }

    [Fact]
    public async Task Get_OfAnotherOrganization_Is403()
    {
        var (owner, _, id) = await factory.ExportAsync();
        var backfill = await factory.BackfillAsync(owner.TeamId, id, BackfillStatuses.Running);
        var stranger = await factory.CreateTenantAsync();

        (await factory.CreateApiClient(stranger.ApiKey).GetBackfillAsync(owner.TeamId, id, backfill.Id))
            .ExpectError(HttpStatusCode.Forbidden, "authentication_error", "You don't have access to the project.");
    }

    [Fact]
    public async Task Get_IsPartitionedByTeam_BothWays()
    {
        var (tenant, client, id) = await factory.ExportAsync();
        var otherTeam = await factory.CreateTeamAsync(tenant.OrganizationId);
        var otherExport = Guid.Parse((string)(await client.CreateExportOkAsync(otherTeam))["id"]!);
        var mine = await factory.BackfillAsync(tenant.TeamId, id, BackfillStatuses.Running);
        var theirs = await factory.BackfillAsync(otherTeam, otherExport, BackfillStatuses.Running);

        (await client.GetBackfillAsync(otherTeam, id, mine.Id)).ExpectError(HttpStatusCode.NotFound, "invalid_request", "Not found.");
        (await client.GetBackfillAsync(tenant.TeamId, otherExport, theirs.Id)).ExpectError(HttpStatusCode.NotFound, "invalid_request", "Not found.");
        (await client.GetBackfillAsync(otherTeam, otherExport, mine.Id)).ExpectError(HttpStatusCode.NotFound, "invalid_request", "Not found.");
    }

    [Theory]
    [InlineData("00000000-0000-0000-0000-000000000000")]
    [InlineData("not-a-uuid")]
    public async Task Get_UnknownBackfill_Is404(string backfillId)
    {
        var (tenant, client, id) = await factory.ExportAsync();

        (await client.GetBackfillAsync(tenant.TeamId, id, backfillId)).ExpectError(HttpStatusCode.NotFound, "invalid_request", "Not found.");
    }

    [Fact]
    public async Task Get_ThroughAnotherExportOfTheTeam_Is404()
    {
        var (tenant, client, id) = await factory.ExportAsync();
        var other = Guid.Parse((string)(await client.CreateExportOkAsync(tenant.TeamId))["id"]!);
        var backfill = await factory.BackfillAsync(tenant.TeamId, id, BackfillStatuses.Running);

        (await client.GetBackfillAsync(tenant.TeamId, other, backfill.Id)).ExpectError(HttpStatusCode.NotFound, "invalid_request", "Not found.");
    }

    private static string Micros(DateTimeOffset value) =>
        WireJson.FormatDateTime(new DateTimeOffset(value.UtcTicks - value.UtcTicks % 10, TimeSpan.Zero));
}
