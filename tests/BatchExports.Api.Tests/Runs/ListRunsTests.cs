using System.Net;
using BatchExports.Core.Domain;
using BatchExports.Testing;
using static BatchExports.Testing.RunsAndBackfillsOperations;

namespace BatchExports.Api.Tests.Runs;

/// <summary>PostHog's <c>test_runs.py</c> list cases, plus the cursor pagination of <c>GET …/runs/</c>.</summary>
public sealed class ListRunsTests(ApiFactory factory) : IClassFixture<ApiFactory>
{
    private DateTimeOffset HourAgo => new DateTimeOffset(factory.Clock.GetUtcNow().UtcDateTime.Date, TimeSpan.Zero).AddHours(factory.Clock.GetUtcNow().Hour);

    private static List<string> Ids(System.Text.Json.Nodes.JsonNode page) => page["results"]!.AsArray().Select(r => (string)r!["id"]!).ToList();

    [Fact]
    public async Task List_ReturnsTheRunsInPostHogsShape_NewestFirst()
    {
        var (tenant, client, id) = await factory.ExportAsync();
        var older = await factory.RunAsync(id, HourAgo - TimeSpan.FromHours(1));
        factory.Clock.Advance(TimeSpan.FromSeconds(1));
        var newer = await factory.RunAsync(id, HourAgo, RunStatuses.Running);

        var page = (await client.ListRunsAsync(tenant.TeamId, id)).Expect(HttpStatusCode.OK);

        Assert.Equal(["next", "previous", "results"], page.AsObject().Select(p => p.Key).ToArray());
        Assert.Null(page["next"]);
        Assert.Null(page["previous"]);
        Assert.Equal([newer.Id.ToString(), older.Id.ToString()], Ids(page));
        var run = page["results"]![1]!;
        Assert.Equal(
            ["id", "status", "records_completed", "records_failed", "latest_error", "data_interval_start", "data_interval_end", "cursor",
             "created_at", "finished_at", "last_updated_at", "records_total_count", "bytes_exported", "batch_export",
             "batch_export_on_demand", "backfill"],
            run.AsObject().Select(p => p.Key).ToArray());
        Assert.Equal("Completed", (string?)run["status"]);
        Assert.Equal(10, (int)run["records_completed"]!);
        Assert.Equal(id.ToString(), (string?)run["batch_export"]);
        Assert.Equal(Micros(older.DataIntervalStart!.Value), (string?)run["data_interval_start"]);
        Assert.Null(run["backfill"]);
    }

    [Fact]
    public async Task List_OfAnotherOrganizationsExport_Is403()
    {
        var (owner, _, id) = await factory.ExportAsync();
        await factory.RunAsync(id, HourAgo);
        var stranger = await factory.CreateTenantAsync();

        (await factory.CreateApiClient(stranger.ApiKey).ListRunsAsync(owner.TeamId, id))
            .ExpectError(HttpStatusCode.Forbidden, "authentication_error", "You don't have access to the project.");
    }

    [Fact]
    public async Task List_ThroughAnotherTeamOfTheSameOrganization_Is404()
    {
        var (tenant, client, id) = await factory.ExportAsync();
        await factory.RunAsync(id, HourAgo);
        var otherTeam = await factory.CreateTeamAsync(tenant.OrganizationId);

        (await client.ListRunsAsync(otherTeam, id)).ExpectError(HttpStatusCode.NotFound, "invalid_request", "Not found.");
    }

    [Theory]
    [InlineData("/api/environments/{0}/batch_exports/{1}/runs")]
    [InlineData("/api/environments/{0}/batch_exports/{1}/runs/")]
    [InlineData("/api/projects/{0}/batch_exports/{1}/runs")]
    public async Task List_ThroughEitherTeamRoute_WithOrWithoutTrailingSlash_IsTheSame(string route)
    {
        var (tenant, client, id) = await factory.ExportAsync();
        var run = await factory.RunAsync(id, HourAgo);

        var page = (await client.GetAsync(string.Format(System.Globalization.CultureInfo.InvariantCulture, route, tenant.TeamId, id))).Expect(HttpStatusCode.OK);

        Assert.Equal([run.Id.ToString()], Ids(page));
    }

    [Theory]
    [InlineData("")]
    [InlineData("&ordering=-data_interval_start")]
    [InlineData("&ordering=created_at")]
    public async Task List_FilteredByRepeatedStatus_ReturnsOnlyThoseStatuses(string ordering)
    {
        var (tenant, client, id) = await factory.ExportAsync();
        var runs = new Dictionary<string, BatchExportRun>();
        var statuses = new[] { RunStatuses.Completed, RunStatuses.Failed, RunStatuses.FailedRetryable, RunStatuses.Running };
        for (var i = 0; i < statuses.Length; i++)
        {
            runs[statuses[i]] = await factory.RunAsync(id, HourAgo - TimeSpan.FromHours(i), statuses[i]);
        }

        var filtered = (await client.ListRunsAsync(tenant.TeamId, id, $"?status=Failed&status=FailedRetryable{ordering}")).Expect(HttpStatusCode.OK);
        var all = (await client.ListRunsAsync(tenant.TeamId, id, $"?{ordering.TrimStart('&')}")).Expect(HttpStatusCode.OK);

        Assert.Equal(
            new[] { runs[RunStatuses.Failed].Id.ToString(), runs[RunStatuses.FailedRetryable].Id.ToString() }.Order(),
            Ids(filtered).Order());
        Assert.Equal(4, Ids(all).Count);
    }

    [Fact]
    public async Task List_WithAnUnknownStatus_Is400()
    {
        var (tenant, client, id) = await factory.ExportAsync();

        (await client.ListRunsAsync(tenant.TeamId, id, "?status=Completed&status=NotAStatus"))
            .ExpectError(HttpStatusCode.BadRequest, "validation_error", "\"NotAStatus\" is not a valid choice.", "status", "invalid_choice");
    }

    [Theory]
    [InlineData("status")]
    [InlineData("--created_at")]
    [InlineData("data_interval_end")]
    [InlineData("")]
    public async Task List_WithAnUnknownOrdering_FallsBackToNewestCreatedFirst(string ordering)
    {
        // As DRF's OrderingFilter: fields it does not allow are ignored and the default order applies.
        var (tenant, client, id) = await factory.ExportAsync();
        var laterInterval = await factory.RunAsync(id, HourAgo);
        factory.Clock.Advance(TimeSpan.FromSeconds(1));
        var earlierInterval = await factory.RunAsync(id, HourAgo - TimeSpan.FromHours(3));

        var page = (await client.ListRunsAsync(tenant.TeamId, id, $"?ordering={ordering}")).Expect(HttpStatusCode.OK);

        Assert.Equal([earlierInterval.Id.ToString(), laterInterval.Id.ToString()], Ids(page));
        Assert.Equal(
            [laterInterval.Id.ToString(), earlierInterval.Id.ToString()],
            Ids((await client.ListRunsAsync(tenant.TeamId, id, $"?ordering={ordering},-data_interval_start")).Expect(HttpStatusCode.OK)));
    }

    [Fact]
    public async Task List_ByDefault_ShowsRunsCreatedInTheLast7Days()
    {
        var (tenant, client, id) = await factory.ExportAsync();
        var now = factory.Clock.GetUtcNow();
        var old = await factory.RunAsync(id, HourAgo - TimeSpan.FromDays(8), configure: r => r.CreatedAt = now - TimeSpan.FromDays(8));
        var recent = await factory.RunAsync(id, HourAgo - TimeSpan.FromDays(6), configure: r => r.CreatedAt = now - TimeSpan.FromDays(6));

        Assert.Equal([recent.Id.ToString()], Ids((await client.ListRunsAsync(tenant.TeamId, id)).Expect(HttpStatusCode.OK)));
        Assert.Equal(
            [recent.Id.ToString(), old.Id.ToString()],
            Ids((await client.ListRunsAsync(tenant.TeamId, id, "?after=-9d")).Expect(HttpStatusCode.OK)));
    }

    [Fact]
    public async Task List_DateFilter_DependsOnOrdering()
    {
        var (tenant, client, id) = await factory.ExportAsync();
        var now = factory.Clock.GetUtcNow();
        // Created three days ago for a recent interval, and created now for an interval three days old.
        var createdLongAgo = await factory.RunAsync(id, HourAgo, configure: r => r.CreatedAt = now - TimeSpan.FromDays(3));
        var oldInterval = await factory.RunAsync(id, HourAgo - TimeSpan.FromDays(3));

        var byCreation = (await client.ListRunsAsync(tenant.TeamId, id, "?after=-2d&start=-1d")).Expect(HttpStatusCode.OK);
        var byInterval = (await client.ListRunsAsync(tenant.TeamId, id, "?ordering=-data_interval_start&start=-2d&after=-1d")).Expect(HttpStatusCode.OK);

        Assert.Equal([oldInterval.Id.ToString()], Ids(byCreation));
        Assert.Equal([createdLongAgo.Id.ToString()], Ids(byInterval));
    }

    [Fact]
    public async Task List_AfterBeforeAndStartEnd_AcceptIsoDatetimes()
    {
        var (tenant, client, id) = await factory.ExportAsync();
        var now = factory.Clock.GetUtcNow();
        var first = await factory.RunAsync(id, HourAgo - TimeSpan.FromHours(5), configure: r => r.CreatedAt = now - TimeSpan.FromHours(5));
        var second = await factory.RunAsync(id, HourAgo - TimeSpan.FromHours(3), configure: r => r.CreatedAt = now - TimeSpan.FromHours(3));
        await factory.RunAsync(id, HourAgo - TimeSpan.FromHours(1), configure: r => r.CreatedAt = now - TimeSpan.FromHours(1));

        var window = $"after={Uri.EscapeDataString(Iso(now - TimeSpan.FromHours(6)))}&before={Uri.EscapeDataString(Iso(now - TimeSpan.FromHours(2)))}";
        var byCreation = (await client.ListRunsAsync(tenant.TeamId, id, $"?{window}&ordering=created_at")).Expect(HttpStatusCode.OK);
        var intervals = $"start={Uri.EscapeDataString(Iso(second.DataIntervalStart!.Value))}&end={Uri.EscapeDataString(Iso(second.DataIntervalEnd))}";
        var byInterval = (await client.ListRunsAsync(tenant.TeamId, id, $"?{intervals}&ordering=data_interval_start")).Expect(HttpStatusCode.OK);

        Assert.Equal([first.Id.ToString(), second.Id.ToString()], Ids(byCreation));
        Assert.Equal([second.Id.ToString()], Ids(byInterval));
    }

    [Fact]
    public async Task List_WithAnInvalidDate_Is400()
    {
        var (tenant, client, id) = await factory.ExportAsync();

        var response = await client.ListRunsAsync(tenant.TeamId, id, "?after=yesterday-ish");

        response.ExpectError(HttpStatusCode.BadRequest, "validation_error", attr: "after");
    }

    [Theory]
    [InlineData("-created_at")]
    [InlineData("created_at")]
    [InlineData("-data_interval_start")]
    [InlineData("data_interval_start")]
    public async Task List_PagesOf100_FollowingNextAndPrevious_SeesEveryRunOnce(string ordering)
    {
        var (tenant, client, id) = await factory.ExportAsync();
        var now = factory.Clock.GetUtcNow();
        var seeded = new List<BatchExportRun>();
        for (var i = 0; i < 150; i++)
        {
            // Creation order and interval order disagree, and creation times tie in pairs.
            var createdAt = now - TimeSpan.FromMinutes(i / 2);
            seeded.Add(factory.NewRun(id, HourAgo - TimeSpan.FromHours((i * 7) % 150), configure: r => r.CreatedAt = createdAt));
        }

        await factory.SaveAsync([.. seeded]);

        var query = $"?ordering={ordering}&after=-1d&start=-30d";
        var first = (await client.ListRunsAsync(tenant.TeamId, id, query)).Expect(HttpStatusCode.OK);
        Assert.Equal(100, Ids(first).Count);
        Assert.Null(first["previous"]);
        var next = new Uri((string)first["next"]!);
        Assert.True(next.IsAbsoluteUri);
        Assert.Contains("cursor=", next.Query);
        Assert.Contains($"ordering={ordering}", next.Query);

        var second = (await client.GetAsync(next.PathAndQuery)).Expect(HttpStatusCode.OK);
        Assert.Equal(50, Ids(second).Count);
        Assert.Null(second["next"]);
        var back = (await client.GetAsync(new Uri((string)second["previous"]!).PathAndQuery)).Expect(HttpStatusCode.OK);
        Assert.Equal(Ids(first), Ids(back));

        var expected = ordering.TrimStart('-') == "created_at"
            ? seeded.OrderBy(r => r.CreatedAt).ThenBy(r => r.Id)
            : seeded.OrderBy(r => r.DataIntervalStart).ThenBy(r => r.Id);
        var expectedIds = expected.Select(r => r.Id.ToString()).ToList();
        if (ordering.StartsWith('-'))
        {
            expectedIds.Reverse();
        }

        Assert.Equal(expectedIds, Ids(first).Concat(Ids(second)).ToList());
    }

    [Fact]
    public async Task List_WithAGarbageCursor_Is404()
    {
        var (tenant, client, id) = await factory.ExportAsync();

        (await client.ListRunsAsync(tenant.TeamId, id, "?cursor=not-a-cursor")).ExpectError(HttpStatusCode.NotFound, "invalid_request", "Invalid cursor");
    }

    /// <summary>How the API renders a stored instant: PostgreSQL keeps microseconds.</summary>
    internal static string Micros(DateTimeOffset value) =>
        Core.Json.WireJson.FormatDateTime(new DateTimeOffset(value.UtcTicks - value.UtcTicks % 10, TimeSpan.Zero));
}
