using System.Globalization;
using System.Net;
using System.Text.Json.Nodes;
using BatchExports.Core.Domain;
using BatchExports.Testing;
using Microsoft.EntityFrameworkCore;
using static BatchExports.Testing.BatchExportsOperations;
using static BatchExports.Testing.RunsAndBackfillsOperations;

namespace BatchExports.Api.Tests.Backfills;

/// <summary>PostHog's <c>backfills/test_create.py</c> (V3: 201 with <c>backfill_id</c>), with the §4.5 input rules.</summary>
public sealed class CreateBackfillTests(EngineApiFactory factory) : IClassFixture<EngineApiFactory>
{
    private Task<(TestTenant Tenant, ApiClient Client, Guid Id)> ExportAsync(string interval = "hour", string? timezone = null, int? offsetDay = null, int? offsetHour = null, JsonObject? destination = null, string? model = null)
    {
        var body = ExportBody(destination, interval);
        if (timezone != null)
        {
            body["timezone"] = timezone;
        }

        if (offsetDay != null)
        {
            body["offset_day"] = offsetDay;
        }

        if (offsetHour != null)
        {
            body["offset_hour"] = offsetHour;
        }

        if (model != null)
        {
            body["model"] = model;
        }

        return factory.ExportAsync(body);
    }

    private async Task<int> StoredBackfillsAsync(Guid id)
    {
        await using var db = factory.CreateDbContext();
        return await db.BatchExportBackfills.CountAsync(b => b.BatchExportId == id);
    }

    private static void ExpectInvalid(ApiResponse response, string detail) =>
        response.ExpectError(HttpStatusCode.BadRequest, "validation_error", detail, null, "invalid_input");

    [Theory]
    [InlineData("events")]
    [InlineData("persons")]
    public async Task Create_Is201_WithTheBackfillAndItsId(string model)
    {
        var (tenant, client, id) = await ExportAsync(model: model);

        var created = await client.CreateBackfillOkAsync(tenant.TeamId, id, "2021-01-01T00:00:00+00:00", "2021-01-01T01:00:00+00:00");

        Assert.Equal(
            ["id", "progress", "start_at", "end_at", "status", "created_at", "finished_at", "last_updated_at", "team", "batch_export",
             "adjusted_start_at", "total_records_count", "backfill_id"],
            created.AsObject().Select(p => p.Key).ToArray());
        Assert.Equal((string?)created["id"], (string?)created["backfill_id"]);
        Assert.True(Guid.TryParse((string?)created["backfill_id"], out _));
        Assert.Equal("2021-01-01T00:00:00Z", (string?)created["start_at"]);
        Assert.Equal("2021-01-01T01:00:00Z", (string?)created["end_at"]);
        Assert.Equal("Starting", (string?)created["status"]);
        Assert.Equal(tenant.TeamId, (int)created["team"]!);
        Assert.Equal(id.ToString(), (string?)created["batch_export"]);
        Assert.Null(created["finished_at"]);
        Assert.Null(created["adjusted_start_at"]);

        var stored = (await client.GetBackfillAsync(tenant.TeamId, id, (string)created["backfill_id"]!)).Expect(HttpStatusCode.OK);
        Assert.Equal((string?)created["created_at"], (string?)stored["created_at"]);
    }

    [Fact]
    public async Task Create_ThroughTheEnvironmentsRoute_WithoutATrailingSlash_Is201()
    {
        var (tenant, client, id) = await ExportAsync();

        var response = await client.PostAsync(
            $"/api/environments/{tenant.TeamId}/batch_exports/{id}/backfills",
            new JsonObject { ["start_at"] = "2021-01-01T00:00:00+00:00", ["end_at"] = "2021-01-01T01:00:00+00:00" });

        Assert.Equal(1, await StoredBackfillsAsync(Guid.Parse((string)response.Expect(HttpStatusCode.Created)["batch_export"]!)));
    }

    [Fact]
    public async Task Create_WithOffsets_StoresTheInstants()
    {
        var (tenant, client, id) = await ExportAsync();

        var created = await client.CreateBackfillOkAsync(tenant.TeamId, id, "2021-01-01T00:00:00-05:00", "2021-10-01T00:00:00-04:00");

        Assert.Equal("2021-01-01T05:00:00Z", (string?)created["start_at"]);
        Assert.Equal("2021-10-01T04:00:00Z", (string?)created["end_at"]);
    }

    [Theory]
    [InlineData("UTC", null, "2026-01-01T00:00:00Z", "2026-01-02T00:00:00Z")]
    [InlineData("US/Pacific", 1, "2026-01-01T09:00:00Z", "2026-01-02T09:00:00Z")]
    [InlineData("Asia/Kathmandu", 20, "2026-01-01T14:15:00Z", "2026-01-02T14:15:00Z")]
    public async Task Create_ForADailyExport_TakesDates_AtTheOffsetHourInItsTimeZone(string timezone, int? offsetHour, string start, string end)
    {
        var (tenant, client, id) = await ExportAsync("day", timezone, offsetHour: offsetHour);

        var created = await client.CreateBackfillOkAsync(tenant.TeamId, id, "2026-01-01", "2026-01-02");

        Assert.Equal(start, (string?)created["start_at"]);
        Assert.Equal(end, (string?)created["end_at"]);
    }

    [Theory]
    [InlineData("UTC", 0, null, "2026-01-04", "2026-01-11", "2026-01-04T00:00:00Z")]
    [InlineData("US/Pacific", 0, 1, "2026-01-04", "2026-01-11", "2026-01-04T09:00:00Z")]
    [InlineData("Asia/Kathmandu", 3, 20, "2026-01-07", "2026-01-14", "2026-01-07T14:15:00Z")]
    public async Task Create_ForAWeeklyExport_TakesDatesOnItsWeekday(string timezone, int offsetDay, int? offsetHour, string startDate, string endDate, string start)
    {
        var (tenant, client, id) = await ExportAsync("week", timezone, offsetDay, offsetHour);

        var created = await client.CreateBackfillOkAsync(tenant.TeamId, id, startDate, endDate);

        Assert.Equal(start, (string?)created["start_at"]);
    }

    [Theory]
    [InlineData("day")]
    [InlineData("week")]
    public async Task Create_ForACalendarExport_WithADatetime_Is400(string interval)
    {
        var (tenant, client, id) = await ExportAsync(interval);

        ExpectInvalid(
            await client.CreateBackfillAsync(tenant.TeamId, id, "2026-01-04T00:00:00+00:00", "2026-01-11"),
            "Input '2026-01-04T00:00:00+00:00' is not a valid ISO formatted date. Daily or weekly batch export backfills expect only the date component, but a time was included.");
        Assert.Equal(0, await StoredBackfillsAsync(id));
    }

    [Fact]
    public async Task Create_ForADailyExport_WithGarbage_Is400()
    {
        var (tenant, client, id) = await ExportAsync("day");

        ExpectInvalid(await client.CreateBackfillAsync(tenant.TeamId, id, "2026-01-01", "not a date"), "Input 'not a date' is not a valid ISO formatted date.");
    }

    [Fact]
    public async Task Create_ForAWeeklyExport_OnTheWrongWeekday_Is400()
    {
        var (tenant, client, id) = await ExportAsync("week", offsetDay: 1);

        ExpectInvalid(
            await client.CreateBackfillAsync(tenant.TeamId, id, "2026-01-04", "2026-01-12"),
            "Input 2026-01-04 is not on the correct day of the week for this batch export. 2026-01-04 is a Sunday but this batch export is configured to run weekly on Monday.");
    }

    [Theory]
    [InlineData("not a date", "2021-01-01T01:00:00+00:00", "Input not a date is not a valid ISO formatted datetime.")]
    [InlineData("2021-01-01T00:00:00+00:00", "not a date", "Input not a date is not a valid ISO formatted datetime.")]
    [InlineData("2021-01-01T00:00:00+00:00", "2021-01-01T01:00:00", "Input 2021-01-01T01:00:00 is naive.")]
    [InlineData("2021-01-01T00:00:00", "2021-01-01T01:00:00+00:00", "Input 2021-01-01T00:00:00 is naive.")]
    [InlineData("2021-01-01", "2021-01-02T00:00:00+00:00", "Input 2021-01-01 is naive.")]
    [InlineData("2021-01-01T00:00:00+00:00", "2021-13-01", "Input 2021-13-01 is not a valid ISO formatted datetime.")]
    [InlineData("2021-01-01T01:00:00+00:00", "2021-01-01T01:00:00+00:00", "The initial backfill datetime 'start_at' must be before 'end_at'")]
    [InlineData("2021-01-01T02:00:00+00:00", "2021-01-01T01:00:00+00:00", "The initial backfill datetime 'start_at' must be before 'end_at'")]
    [InlineData("2021-01-01T02:00:00+01:00", "2021-01-01T01:00:00+00:00", "The initial backfill datetime 'start_at' must be before 'end_at'")]
    public async Task Create_WithInvalidBounds_Is400_AndCreatesNothing(string start, string end, string detail)
    {
        var (tenant, client, id) = await ExportAsync();

        ExpectInvalid(await client.CreateBackfillAsync(tenant.TeamId, id, start, end), detail);
        Assert.Equal(0, await StoredBackfillsAsync(id));
    }

    [Theory]
    [InlineData("+00:00")]
    [InlineData("+02:00")]
    public async Task Create_WithEndAtInTheFuture_Is400_NamingIt(string offset)
    {
        var (tenant, client, id) = await ExportAsync();
        var future = factory.Clock.GetUtcNow().AddMinutes(30);
        var end = new DateTimeOffset(future.Year, future.Month, future.Day, future.Hour, future.Minute, future.Second, TimeSpan.Zero)
            .ToOffset(TimeSpan.Parse(offset.TrimStart('+'), CultureInfo.InvariantCulture));
        var text = end.ToString("yyyy-MM-dd'T'HH:mm:ss", CultureInfo.InvariantCulture) + offset;

        ExpectInvalid(
            await client.CreateBackfillAsync(tenant.TeamId, id, "2021-01-01T00:00:00+00:00", text),
            $"The provided 'end_at' ({text}) is in the future");
    }

    [Fact]
    public async Task Create_ForADailyExport_WithEndAtInTheFuture_NamesItInTheExportsTimeZone()
    {
        var (tenant, client, id) = await ExportAsync("day", "US/Pacific", offsetHour: 1);
        var tomorrow = factory.Clock.GetUtcNow().AddDays(2).ToString("yyyy-MM-dd", CultureInfo.InvariantCulture);
        var local = TimeZoneInfo.FindSystemTimeZoneById("America/Los_Angeles");
        var offset = local.GetUtcOffset(DateTime.Parse(tomorrow, CultureInfo.InvariantCulture).AddHours(1));
        var expected = $"{tomorrow}T01:00:00{(offset < TimeSpan.Zero ? "-" : "+")}{offset:hh\\:mm}";

        ExpectInvalid(await client.CreateBackfillAsync(tenant.TeamId, id, "2026-01-01", tomorrow), $"The provided 'end_at' ({expected}) is in the future");
    }

    [Fact]
    public async Task Create_WithoutEndAt_ForAnS3Export_Is400()
    {
        var (tenant, client, id) = await ExportAsync();

        ExpectInvalid(await client.CreateBackfillAsync(tenant.TeamId, id, "2021-01-01T00:00:00+00:00", null), "Backfilling a BatchExport with no end date is not allowed");
        ExpectInvalid(
            await client.PostAsync($"{BackfillsPath(tenant.TeamId, id)}/", new JsonObject { ["start_at"] = "2021-01-01T00:00:00+00:00" }),
            "Backfilling a BatchExport with no end date is not allowed");
        Assert.Equal(0, await StoredBackfillsAsync(id));
    }

    [Fact]
    public async Task Create_WithoutEndAt_ForANoOpExport_Is201()
    {
        var (tenant, client, id) = await ExportAsync(destination: NoOpDestination());

        var created = await client.CreateBackfillOkAsync(tenant.TeamId, id, "2021-01-01T00:00:00+00:00", null);

        Assert.Null(created["end_at"]);
    }

    [Fact]
    public async Task Create_WithoutStartAt_Is201_FromTheEarliestData()
    {
        var (tenant, client, id) = await ExportAsync(model: "persons");

        var created = await client.CreateBackfillOkAsync(tenant.TeamId, id, null, "2021-01-01T01:00:00+00:00");

        Assert.Null(created["start_at"]);
        Assert.Equal("2021-01-01T01:00:00Z", (string?)created["end_at"]);
    }

    [Fact]
    public async Task Create_WhenTheTeamHasTheMaximumRunning_Is429()
    {
        var (tenant, client, id) = await ExportAsync();
        var other = Guid.Parse((string)(await client.CreateExportOkAsync(tenant.TeamId))["id"]!);
        await factory.BackfillAsync(tenant.TeamId, id, BackfillStatuses.Running);
        await factory.BackfillAsync(tenant.TeamId, id, BackfillStatuses.Starting);
        await factory.BackfillAsync(tenant.TeamId, other, BackfillStatuses.Running);

        var response = await client.CreateBackfillAsync(tenant.TeamId, id, "2021-01-01T00:00:00+00:00", "2021-01-01T01:00:00+00:00");

        Assert.Equal((HttpStatusCode)429, response.Status);
        Assert.True(JsonNode.DeepEquals(
            JsonNode.Parse("""
                {"type": "server_error", "code": "too_many_concurrent_backfills",
                 "detail": "This team already has 3 batch export backfills running. Wait for some to finish or cancel them before creating more.",
                 "attr": null}
                """),
            response.Json), response.Body);
        Assert.Equal(2, await StoredBackfillsAsync(id));
    }

    [Fact]
    public async Task Create_WhenTheTeamsOtherBackfillsHaveFinished_Is201()
    {
        var (tenant, client, id) = await ExportAsync();
        await factory.BackfillAsync(tenant.TeamId, id, BackfillStatuses.Running);
        await factory.BackfillAsync(tenant.TeamId, id, BackfillStatuses.Running);
        foreach (var status in new[] { BackfillStatuses.Completed, BackfillStatuses.Failed, BackfillStatuses.Cancelled })
        {
            await factory.BackfillAsync(tenant.TeamId, id, status);
        }

        await client.CreateBackfillOkAsync(tenant.TeamId, id, "2021-01-01T00:00:00+00:00", "2021-01-01T01:00:00+00:00");
    }

    [Fact]
    public async Task Create_OtherTeamsBackfills_DoNotCountTowardsTheLimit()
    {
        var (tenant, client, id) = await ExportAsync();
        var (neighbour, _, neighbourExport) = await ExportAsync();
        var sibling = await factory.CreateTeamAsync(tenant.OrganizationId);
        var siblingExport = Guid.Parse((string)(await client.CreateExportOkAsync(sibling))["id"]!);
        for (var i = 0; i < 3; i++)
        {
            await factory.BackfillAsync(neighbour.TeamId, neighbourExport, BackfillStatuses.Running);
            await factory.BackfillAsync(sibling, siblingExport, BackfillStatuses.Running);
        }

        await client.CreateBackfillOkAsync(tenant.TeamId, id, "2021-01-01T00:00:00+00:00", "2021-01-01T01:00:00+00:00");
    }

    [Fact]
    public async Task Create_ForAnotherOrganizationsExport_Is403()
    {
        var (owner, _, id) = await ExportAsync();
        var stranger = await factory.CreateTenantAsync();

        (await factory.CreateApiClient(stranger.ApiKey).CreateBackfillAsync(owner.TeamId, id, "2021-01-01T00:00:00+00:00", "2021-01-01T01:00:00+00:00"))
            .ExpectError(HttpStatusCode.Forbidden, "authentication_error", "You don't have access to the project.");
        Assert.Equal(0, await StoredBackfillsAsync(id));
    }

    [Fact]
    public async Task Create_ThroughAnotherTeamOfTheSameOrganization_Is404()
    {
        var (tenant, client, id) = await ExportAsync();
        var otherTeam = await factory.CreateTeamAsync(tenant.OrganizationId);

        (await client.CreateBackfillAsync(otherTeam, id, "2021-01-01T00:00:00+00:00", "2021-01-01T01:00:00+00:00"))
            .ExpectError(HttpStatusCode.NotFound, "invalid_request");
        Assert.Equal(0, await StoredBackfillsAsync(id));
    }

    [Fact]
    public async Task Create_ForADeletedExport_Is404()
    {
        var (tenant, client, id) = await ExportAsync();
        (await client.DeleteExportAsync(tenant.TeamId, id.ToString())).Expect(HttpStatusCode.NoContent);

        (await client.CreateBackfillAsync(tenant.TeamId, id, "2021-01-01T00:00:00+00:00", "2021-01-01T01:00:00+00:00"))
            .ExpectError(HttpStatusCode.NotFound, "invalid_request");
    }

    [Fact]
    public async Task Create_WithAReadOnlyKey_Is403()
    {
        var (tenant, _, id) = await ExportAsync();
        var readOnly = await factory.CreateKeyAsync(tenant.Email, tenant.OrganizationId, ["batch_export:read"]);

        (await factory.CreateApiClient(readOnly).CreateBackfillAsync(tenant.TeamId, id, "2021-01-01T00:00:00+00:00", "2021-01-01T01:00:00+00:00"))
            .ExpectError(HttpStatusCode.Forbidden, "authentication_error", "API key missing required scope 'batch_export:write'");
    }
}
