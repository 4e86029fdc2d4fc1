using System.Net;
using BatchExports.Core.Domain;
using BatchExports.Testing;
using static BatchExports.Testing.RunsAndBackfillsOperations;

namespace BatchExports.Api.Tests.Backfills;

/// <summary>PostHog's <c>backfills/test_list.py</c> (newest): cursor pages of 50 with an id tie-breaker.</summary>
public sealed class ListBackfillsTests(ApiFactory factory) : IClassFixture<ApiFactory>
{
    private static List<string> Ids(IEnumerable<System.Text.Json.Nodes.JsonNode> results) => results.Select(r => (string)r["id"]!).ToList();

    [Fact]
    public async Task List_ReturnsTheExportsBackfills_NewestFirst()
    {
        var (tenant, client, id) = await factory.ExportAsync();
        var other = Guid.Parse((string)(await client.CreateExportOkAsync(tenant.TeamId))["id"]!);
        var first = await factory.BackfillAsync(tenant.TeamId, id, BackfillStatuses.Completed);
        factory.Clock.Advance(TimeSpan.FromSeconds(1));
        var second = await factory.BackfillAsync(tenant.TeamId, id, BackfillStatuses.Running);
        await factory.BackfillAsync(tenant.TeamId, other, BackfillStatuses.Running);

        var page = (await client.ListBackfillsAsync(tenant.TeamId, id)).Expect(HttpStatusCode.OK);

        Assert.Equal(["next", "previous", "results"], page.AsObject().Select(p => p.Key).ToArray());
        Assert.Equal([second.Id.ToString(), first.Id.ToString()], Ids(page["results"]!.AsArray()!));
        Assert.Equal(
            ["id", "progress", "start_at", "end_at", "status", "created_at", "finished_at", "last_updated_at", "team", "batch_export",
             "adjusted_start_at", "total_records_count"],
            page["results"]![0]!.AsObject().Select(p => p.Key).ToArray());
        Assert.Equal(1.0, (double)page["results"]![1]!["progress"]!["progress"]!);
    }

    [Fact]
    public async Task List_OfAnotherOrganizationsExport_Is403_AndThroughTheirOwnTeamShowsNothing()
    {
        var (owner, _, id) = await factory.ExportAsync();
        await factory.BackfillAsync(owner.TeamId, id, BackfillStatuses.Running);
        var stranger = await factory.CreateTenantAsync();
        var strangerClient = factory.CreateApiClient(stranger.ApiKey);

        (await strangerClient.ListBackfillsAsync(owner.TeamId, id))
            .ExpectError(HttpStatusCode.Forbidden, "authentication_error", "You don't have access to the project.");
        (await strangerClient.ListBackfillsAsync(stranger.TeamId, id)).ExpectError(HttpStatusCode.NotFound, "invalid_request", "Not found.");
    }

    [Fact]
    public async Task List_ThroughAnotherTeamOfTheSameOrganization_ShowsNothing()
    {
        var (tenant, client, id) = await factory.ExportAsync();
        await factory.BackfillAsync(tenant.TeamId, id, BackfillStatuses.Running);
        var otherTeam = await factory.CreateTeamAsync(tenant.OrganizationId);

        (await client.ListBackfillsAsync(otherTeam, id)).ExpectError(HttpStatusCode.NotFound, "invalid_request", "Not found.");
    }

    [Theory]
    [InlineData(null)]
    [InlineData("created_at")]
    [InlineData("-created_at")]
    [InlineData("start_at")]
    [InlineData("-start_at")]
    public async Task List_PagesOverTiedTimestamps_ReturningEveryBackfillOnce(string? ordering)
    {
        var (tenant, client, id) = await factory.ExportAsync();
        var rows = new List<BatchExportBackfill>();
        for (var i = 0; i < 120; i++)
        {
            rows.Add(new BatchExportBackfill
            {
                Id = Guid.NewGuid(),
                TeamId = tenant.TeamId,
                BatchExportId = id,
                StartAt = new DateTimeOffset(2021, 1, 1, 0, 0, 0, TimeSpan.Zero),
                EndAt = new DateTimeOffset(2021, 1, 2, 0, 0, 0, TimeSpan.Zero),
                Status = BackfillStatuses.Completed,
                CreatedAt = factory.Clock.GetUtcNow(),
                LastUpdatedAt = factory.Clock.GetUtcNow(),
            });
        }

        await factory.SaveAsync([.. rows]);

        var pages = new List<int>();
        var results = new List<System.Text.Json.Nodes.JsonNode>();
        var path = $"{BackfillsPath(tenant.TeamId, id)}/{(ordering == null ? "" : $"?ordering={ordering}")}";
        while (path != null)
        {
            var page = (await client.GetAsync(path)).Expect(HttpStatusCode.OK);
            pages.Add(page["results"]!.AsArray().Count);
            results.AddRange(page["results"]!.AsArray()!);
            path = (string?)page["next"] is { } next ? new Uri(next).PathAndQuery : null;
        }

        Assert.Equal([50, 50, 20], pages);
        // PostgreSQL orders uuids as their canonical text does.
        var expected = rows.Select(r => r.Id.ToString()).Order(StringComparer.Ordinal).ToList();
        if (ordering is null || ordering.StartsWith('-'))
        {
            expected.Reverse();
        }

        Assert.Equal(expected, Ids(results));
    }

    [Theory]
    [InlineData("start_at")]
    [InlineData("-created_at")]
    public async Task List_OrdersByTheRequestedField(string ordering)
    {
        var (tenant, client, id) = await factory.ExportAsync();
        var late = await factory.BackfillAsync(tenant.TeamId, id, BackfillStatuses.Completed, b => b.StartAt = b.StartAt!.Value.AddDays(10));
        factory.Clock.Advance(TimeSpan.FromSeconds(1));
        var early = await factory.BackfillAsync(tenant.TeamId, id, BackfillStatuses.Completed);

        var listed = Ids((await client.ListBackfillsAsync(tenant.TeamId, id, $"?ordering={ordering}")).Expect(HttpStatusCode.OK)["results"]!.AsArray()!);

        Assert.Equal([early.Id.ToString(), late.Id.ToString()], listed);
    }

    [Theory]
    [InlineData("status", false)]
    [InlineData("--created_at", false)]
    [InlineData("end_at", false)]
    [InlineData("status,start_at", true)]
    [InlineData("start_at,-created_at", true)]
    public async Task List_WithAnUnknownOrdering_IgnoresIt_AsDrfsOrderingFilter(string ordering, bool byStartAt)
    {
        // Unknown fields are dropped; with none left the default (newest created first) applies.
        var (tenant, client, id) = await factory.ExportAsync();
        var first = await factory.BackfillAsync(tenant.TeamId, id, BackfillStatuses.Completed, b => b.StartAt = b.StartAt!.Value.AddDays(-10));
        factory.Clock.Advance(TimeSpan.FromSeconds(1));
        var second = await factory.BackfillAsync(tenant.TeamId, id, BackfillStatuses.Completed);

        var listed = Ids((await client.ListBackfillsAsync(tenant.TeamId, id, $"?ordering={ordering}")).Expect(HttpStatusCode.OK)["results"]!.AsArray()!);

        List<string> expected = byStartAt ? [first.Id.ToString(), second.Id.ToString()] : [second.Id.ToString(), first.Id.ToString()];
        Assert.Equal(expected, listed);
    }

    [Fact]
    public async Task List_FollowingPrevious_ReturnsThePageBefore()
    {
        var (tenant, client, id) = await factory.ExportAsync();
        for (var i = 0; i < 60; i++)
        {
            factory.Clock.Advance(TimeSpan.FromMilliseconds(1));
            await factory.SaveAsync(new BatchExportBackfill
            {
                Id = Guid.CreateVersion7(),
                TeamId = tenant.TeamId,
                BatchExportId = id,
                Status = BackfillStatuses.Completed,
                CreatedAt = factory.Clock.GetUtcNow(),
                LastUpdatedAt = factory.Clock.GetUtcNow(),
            });
        }

        var first = (await client.ListBackfillsAsync(tenant.TeamId, id)).Expect(HttpStatusCode.OK);
        var second = (await client.GetAsync(new Uri((string)first["next"]!).PathAndQuery)).Expect(HttpStatusCode.OK);
        var back = (await client.GetAsync(new Uri((string)second["previous"]!).PathAndQuery)).Expect(HttpStatusCode.OK);

        Assert.Equal(10, second["results"]!.AsArray().Count);
        Assert.Null(second["next"]);
        Assert.Null(back["previous"]);
        Assert.Equal(Ids(first["results"]!.AsArray()!), Ids(back["results"]!.AsArray()!));
    }
}
