using System.Net;
using System.Text.Json.Nodes;
using BatchExports.Testing;
using Microsoft.EntityFrameworkCore;
using static BatchExports.Testing.BatchExportsOperations;

namespace BatchExports.Api.Tests.BatchExports;

public sealed class CreateTests(ApiFactory factory) : IClassFixture<ApiFactory>
{
    private async Task<(TestTenant Tenant, ApiClient Client)> TenantAsync()
    {
        var tenant = await factory.CreateTenantAsync();
        return (tenant, factory.CreateApiClient(tenant.ApiKey));
    }

    [Fact]
    public async Task Create_ReturnsTheExportInPostHogsShape()
    {
        var (tenant, client) = await TenantAsync();

        var created = await client.CreateExportOkAsync(tenant.TeamId);

        Assert.Equal(
            ["id", "team_id", "name", "model", "destination", "interval", "paused", "created_at", "last_updated_at", "last_paused_at",
             "start_at", "end_at", "latest_runs", "hogql_query", "schema", "filters", "timezone", "offset_day", "offset_hour"],
            created.AsObject().Select(p => p.Key).ToArray());
        Assert.Equal(tenant.TeamId, (int)created["team_id"]!);
        Assert.Equal("my export", (string?)created["name"]);
        Assert.Equal("events", (string?)created["model"]);
        Assert.Equal("hour", (string?)created["interval"]);
        Assert.False((bool)created["paused"]!);
        Assert.Equal("UTC", (string?)created["timezone"]);
        Assert.Null(created["offset_day"]);
        Assert.Null(created["offset_hour"]);
        Assert.Empty(created["latest_runs"]!.AsArray());
        Assert.Matches(@"^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d(\.\d{6})?Z$", (string?)created["created_at"]);
        Assert.True(Guid.TryParse((string?)created["id"], out _));
    }

    [Fact]
    public async Task Create_EchoesTheDestinationWithoutItsSecrets()
    {
        var (tenant, client) = await TenantAsync();

        var created = await client.CreateExportOkAsync(tenant.TeamId);

        var destination = created["destination"]!.AsObject();
        Assert.Equal(["type", "config", "integration", "integration_id"], destination.Select(p => p.Key).ToArray());
        Assert.Equal("S3", (string?)destination["type"]);
        var expected = S3Destination()["config"]!.AsObject();
        expected.Remove("aws_access_key_id");
        expected.Remove("aws_secret_access_key");
        Assert.True(JsonNode.DeepEquals(expected, destination["config"]), destination["config"]!.ToJsonString());
        Assert.DoesNotContain("super-secret-value", created.ToJsonString());
        Assert.DoesNotContain("AKIAEXAMPLE", created.ToJsonString());
    }

    [Fact]
    public async Task Create_StoresTheConfigEncrypted()
    {
        var (tenant, client) = await TenantAsync();
        var created = await client.CreateExportOkAsync(tenant.TeamId);

        await using var db = factory.CreateDbContext();
        var export = await db.BatchExports.Include(e => e.Destination).SingleAsync(e => e.Id == Guid.Parse((string)created["id"]!));
        var raw = System.Text.Encoding.UTF8.GetString(export.Destination.ConfigCiphertext);
        Assert.DoesNotContain("super-secret-value", raw);
        Assert.DoesNotContain("my-bucket", raw);
    }

    [Theory]
    [InlineData("hour", null, null, null, null, null, null)]
    [InlineData("day", null, null, null, null, 0, null)]
    [InlineData("day", "US/Pacific", null, 2, null, 2, 7200)]
    [InlineData("day", "UTC", null, 0, null, 0, 0)]
    [InlineData("week", "UTC", 1, 0, 1, 0, 86400)]
    [InlineData("week", "Europe/Berlin", 1, 2, 1, 2, 93600)]
    [InlineData("week", "Asia/Kathmandu", 1, 2, 1, 2, 93600)]
    [InlineData("week", null, null, null, 0, 0, null)]
    [InlineData("every 5 minutes", null, null, null, null, null, null)]
    [InlineData("every 15 minutes", "America/New_York", null, null, null, null, null)]
    public async Task Create_WithIntervalTimezoneAndOffsets_FollowsPostHogsOffsetRules(
        string interval, string? timezone, int? offsetDay, int? offsetHour, int? expectedDay, int? expectedHour, int? expectedIntervalOffset)
    {
        var (tenant, client) = await TenantAsync();
        var body = ExportBody(interval: interval);
        body["timezone"] = timezone;
        if (offsetDay != null)
        {
            body["offset_day"] = offsetDay;
        }

        if (offsetHour != null)
        {
            body["offset_hour"] = offsetHour;
        }

        var created = await client.CreateExportOkAsync(tenant.TeamId, body);

        Assert.Equal(interval, (string?)created["interval"]);
        Assert.Equal(timezone ?? "UTC", (string?)created["timezone"]);
        Assert.Equal(expectedDay, (int?)created["offset_day"]);
        Assert.Equal(expectedHour, (int?)created["offset_hour"]);
        await using var db = factory.CreateDbContext();
        var stored = await db.BatchExports.SingleAsync(e => e.Id == Guid.Parse((string)created["id"]!));
        Assert.Equal(expectedIntervalOffset, stored.IntervalOffset);
    }

    [Theory]
    [InlineData("name", "This field is required.", "required")]
    [InlineData("destination", "This field is required.", "required")]
    [InlineData("interval", "This field is required.", "required")]
    public async Task Create_WithoutARequiredField_Is400NamingIt(string field, string message, string code)
    {
        var (tenant, client) = await TenantAsync();
        var body = ExportBody();
        body.Remove(field);

        (await client.CreateExportAsync(tenant.TeamId, body)).ExpectError(HttpStatusCode.BadRequest, "validation_error", message, field, code);
    }

    [Theory]
    [InlineData("interval", null, "This field may not be null.", "null")]
    [InlineData("interval", "every 7 minutes", "\"every 7 minutes\" is not a valid choice.", "invalid_choice")]
    [InlineData("interval", "monthly", "\"monthly\" is not a valid choice.", "invalid_choice")]
    [InlineData("model", "groups", "\"groups\" is not a valid choice.", "invalid_choice")]
    [InlineData("timezone", "invalid", "\"invalid\" is not a valid choice.", "invalid_choice")]
    [InlineData("name", null, "This field may not be null.", "null")]
    [InlineData("name", "", "This field may not be blank.", "blank")]
    [InlineData("destination", null, "This field may not be null.", "null")]
    [InlineData("paused", null, "This field may not be null.", "null")]
    public async Task Create_WithAnInvalidValue_Is400WithPostHogsMessage(string field, string? value, string message, string code)
    {
        var (tenant, client) = await TenantAsync();
        var body = ExportBody();
        body[field] = value;

        (await client.CreateExportAsync(tenant.TeamId, body)).ExpectError(HttpStatusCode.BadRequest, "validation_error", message, field, code);
    }

    [Theory]
    [InlineData("day", "offset_hour", 24, "Ensure this value is less than or equal to 23.", "max_value")]
    [InlineData("day", "offset_hour", -1, "Ensure this value is greater than or equal to 0.", "min_value")]
    [InlineData("week", "offset_day", 7, "Ensure this value is less than or equal to 6.", "max_value")]
    [InlineData("day", "offset_day", 1, "offset_day is not applicable for non-weekly intervals", "invalid_input")]
    [InlineData("hour", "offset_day", 1, "offset_day is not applicable for non-weekly intervals", "invalid_input")]
    [InlineData("hour", "offset_hour", 1, "offset_hour is not applicable for non-daily/weekly intervals", "invalid_input")]
    [InlineData("every 5 minutes", "offset_hour", 0, "offset_hour is not applicable for non-daily/weekly intervals", "invalid_input")]
    public async Task Create_WithOffsetsThatDoNotFit_Is400(string interval, string field, int value, string message, string code)
    {
        var (tenant, client) = await TenantAsync();
        var body = ExportBody(interval: interval);
        body[field] = value;

        (await client.CreateExportAsync(tenant.TeamId, body)).ExpectError(HttpStatusCode.BadRequest, "validation_error", message, field, code);
    }

    [Fact]
    public async Task Create_AcceptsNaiveAndOffsetDatetimes_AndAnswersInUtc()
    {
        var (tenant, client) = await TenantAsync();
        var body = ExportBody();
        body["start_at"] = "2023-07-19 00:00:00";
        body["end_at"] = "2023-07-20T02:00:00+02:00";

        var created = await client.CreateExportOkAsync(tenant.TeamId, body);

        Assert.Equal("2023-07-19T00:00:00Z", (string?)created["start_at"]);
        Assert.Equal("2023-07-20T00:00:00Z", (string?)created["end_at"]);
    }

    [Fact]
    public async Task Create_WithEndBeforeStart_Is400()
    {
        var (tenant, client) = await TenantAsync();
        var body = ExportBody();
        body["start_at"] = "2023-07-20T00:00:00Z";
        body["end_at"] = "2023-07-19T00:00:00Z";

        (await client.CreateExportAsync(tenant.TeamId, body)).ExpectError(HttpStatusCode.BadRequest, "validation_error", attr: "end_at");
    }

    [Fact]
    public async Task Create_WithAnUnparseableDatetime_Is400NamingTheField()
    {
        var (tenant, client) = await TenantAsync();
        var body = ExportBody();
        body["start_at"] = "not a date";

        (await client.CreateExportAsync(tenant.TeamId, body)).ExpectError(
            HttpStatusCode.BadRequest,
            "validation_error",
            "Datetime has wrong format. Use one of these formats instead: YYYY-MM-DDThh:mm[:ss[.uuuuuu]][+HH:MM|-HH:MM|Z].",
            "start_at",
            "invalid_input");
    }

    [Fact]
    public async Task Create_IgnoresUnknownTopLevelKeys()
    {
        var (tenant, client) = await TenantAsync();
        var body = ExportBody();
        body["last_modified_by"] = "someone";
        body["whatever"] = new JsonObject { ["x"] = 1 };

        var created = await client.CreateExportOkAsync(tenant.TeamId, body);

        Assert.Null(created["whatever"]);
    }

    [Fact]
    public async Task Create_InAnotherOrganizationsProject_Is403_AndCreatesNothing()
    {
        var (_, client) = await TenantAsync();
        var other = await factory.CreateTenantAsync();

        (await client.CreateExportAsync(other.TeamId, ExportBody())).ExpectError(HttpStatusCode.Forbidden, "authentication_error", "You don't have access to the project.");

        await using var db = factory.CreateDbContext();
        Assert.False(await db.BatchExports.AnyAsync(e => e.TeamId == other.TeamId));
    }

    [Fact]
    public async Task Create_WithACustomSchema_StoresTheNormalisedQuery()
    {
        var (tenant, client) = await TenantAsync();
        var body = ExportBody();
        body["hogql_query"] = "select event, properties.$browser as browser from events";

        var created = await client.CreateExportOkAsync(tenant.TeamId, body);

        Assert.Equal("SELECT event, properties.$browser AS browser FROM events", (string?)created["schema"]!["hogql_query"]);
        Assert.Equal("SELECT event, properties.$browser AS browser FROM events", (string?)created["hogql_query"]);
        var fields = created["schema"]!["fields"]!.AsArray();
        Assert.Equal(new[] { "event", "browser" }, fields.Select(f => (string?)f!["alias"]).ToArray());
    }

    [Theory]
    [InlineData("SELECT", "Failed to parse query")]
    [InlineData("SELECT event FROM events e JOIN persons p ON e.person_id = p.id", "JOINs are not supported")]
    [InlineData("SELECT event FROM events UNION ALL SELECT event FROM events", "UNIONs are not supported")]
    [InlineData("WITH x AS (SELECT event FROM events) SELECT event FROM x", "CTEs are not supported")]
    [InlineData("SELECT event FROM (SELECT event FROM events)", "Subqueries are not supported")]
    [InlineData("SELECT unknown_field FROM events", "Invalid HogQL query: Unable to resolve field: unknown_field")]
    public async Task Create_WithAnUnsupportedCustomSchema_Is400OnHogqlQuery(string query, string message)
    {
        var (tenant, client) = await TenantAsync();
        var body = ExportBody();
        body["hogql_query"] = query;

        (await client.CreateExportAsync(tenant.TeamId, body)).ExpectError(HttpStatusCode.BadRequest, "validation_error", message, "hogql_query");
    }

    [Fact]
    public async Task Create_WithACustomSchemaOnPersons_Is400()
    {
        var (tenant, client) = await TenantAsync();
        var body = ExportBody();
        body["model"] = "persons";
        body["hogql_query"] = "SELECT event FROM events";

        (await client.CreateExportAsync(tenant.TeamId, body)).ExpectError(HttpStatusCode.BadRequest, "validation_error", attr: "hogql_query");
    }

    public static TheoryData<string, string?> InvalidFilters => new()
    {
        { """{"filter_something": 123}""", "'filters' should be an array of filters" },
        { """[{"data_interval_start": "2024-01-01"}]""", "'data_interval_start' and 'data_interval_end' are run attributes and not 'filters'. Trigger a backfill if you wish to manually control which periods to batch export." },
        { """["$pageview"]""", "Each filter must be an object" },
        { """[{"key": "$browser", "operator": "exact", "value": "Chrome"}]""", "Each filter must have a 'type' of one of: 'event', 'hogql', 'person'" },
        { """[{"key": "$browser", "type": "event", "operator": "near", "value": "x"}]""", null },
        { """[{"type": "event", "operator": "exact", "value": "x"}]""", null },
        { """[{"key": "$browser", "type": "event", "operator": "exact"}]""", null },
        { """[{"key": "n", "type": "event", "operator": "gt", "value": "abc"}]""", null },
        { """[{"key": "x", "type": "hogql", "value": "1 = 1"}]""", null },
    };

    [Theory]
    [MemberData(nameof(InvalidFilters))]
    public async Task Create_WithInvalidFilters_Is400OnFilters(string filters, string? message)
    {
        var (tenant, client) = await TenantAsync();
        var body = ExportBody();
        body["filters"] = JsonNode.Parse(filters);

        (await client.CreateExportAsync(tenant.TeamId, body)).ExpectError(HttpStatusCode.BadRequest, "validation_error", message, "filters");
    }

    [Theory]
    [InlineData("null")]
    [InlineData("[]")]
    [InlineData("""[{"key": "$browser", "type": "event", "operator": "exact", "value": ["Chrome", "Safari"]}]""")]
    [InlineData("""[{"key": "email", "type": "person", "operator": "icontains", "value": "@posthog.com"}, {"key": "$lib", "type": "event", "operator": "is_set"}]""")]
    public async Task Create_WithValidFilters_StoresThem(string filters)
    {
        var (tenant, client) = await TenantAsync();
        var body = ExportBody();
        body["filters"] = JsonNode.Parse(filters);

        var created = await client.CreateExportOkAsync(tenant.TeamId, body);

        Assert.True(JsonNode.DeepEquals(JsonNode.Parse(filters), created["filters"]));
    }
}
