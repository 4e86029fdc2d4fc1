using System.Net;
using System.Text.Json.Nodes;
using BatchExports.Core.Security;
using BatchExports.Testing;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using static BatchExports.Testing.BatchExportsOperations;

namespace BatchExports.Api.Tests.BatchExports;

/// <summary>PUT and PATCH (spec §3.5, §4.3 and PostHog's test_update.py).</summary>
public sealed class UpdateTests(ApiFactory factory) : IClassFixture<ApiFactory>
{
    private async Task<(TestTenant Tenant, ApiClient Client, string Id)> ExportAsync(JsonObject? body = null)
    {
        var tenant = await factory.CreateTenantAsync();
        var client = factory.CreateApiClient(tenant.ApiKey);
        var created = await client.CreateExportOkAsync(tenant.TeamId, body);
        return (tenant, client, (string)created["id"]!);
    }

    private async Task<JsonObject> StoredConfigAsync(string id)
    {
        await using var db = factory.CreateDbContext();
        var export = await db.BatchExports.Include(e => e.Destination).SingleAsync(e => e.Id == Guid.Parse(id));
        return factory.Services.GetRequiredService<ConfigCipher>().Decrypt(export.Destination.ConfigCiphertext, export.Destination.Id);
    }

    private async Task<int?> StoredIntervalOffsetAsync(string id)
    {
        await using var db = factory.CreateDbContext();
        return await db.BatchExports.Where(e => e.Id == Guid.Parse(id)).Select(e => e.IntervalOffset).SingleAsync();
    }

    [Fact]
    public async Task Put_WithoutDestination_Is400()
    {
        var (tenant, client, id) = await ExportAsync();

        (await client.PutExportAsync(tenant.TeamId, id, new JsonObject { ["name"] = "x", ["interval"] = "hour" })).ExpectError(
            HttpStatusCode.BadRequest, "validation_error", "This field is required.", "destination", "required");
    }

    [Fact]
    public async Task Put_ReplacesFields_KeepsStoredSecrets_AndTakesNewOnes()
    {
        var body = ExportBody();
        body["start_at"] = "2023-07-19T00:00:00+00:00";
        body["end_at"] = "2023-07-20T00:00:00+00:00";
        var (tenant, client, id) = await ExportAsync(body);

        var destination = S3Destination(bucket: "new-bucket");
        destination["config"]!.AsObject().Remove("aws_access_key_id");
        destination["config"]!["aws_secret_access_key"] = "new-secret";
        var updated = (await client.PutExportAsync(tenant.TeamId, id, new JsonObject
        {
            ["name"] = "renamed",
            ["destination"] = destination,
            ["interval"] = "day",
            ["start_at"] = "2022-07-19 00:00:00",
        })).Expect(HttpStatusCode.OK);

        Assert.Equal("day", (string?)updated["interval"]);
        Assert.Equal("UTC", (string?)updated["timezone"]);
        Assert.Null(updated["offset_day"]);
        Assert.Equal(0, (int?)updated["offset_hour"]);
        Assert.Equal("2022-07-19T00:00:00Z", (string?)updated["start_at"]);
        Assert.Equal("2023-07-20T00:00:00Z", (string?)updated["end_at"]);
        Assert.Equal("new-bucket", (string?)updated["destination"]!["config"]!["bucket_name"]);
        var stored = await StoredConfigAsync(id);
        Assert.Equal("new-secret", (string?)stored["aws_secret_access_key"]);
        Assert.Equal("AKIAEXAMPLE", (string?)stored["aws_access_key_id"]);
    }

    [Theory]
    [InlineData("hour", null)]
    [InlineData("day", 1)]
    public async Task Patch_MergesConfig_KeepingSecretsIntervalTimezoneAndOffsets(string interval, int? offsetHour)
    {
        var body = ExportBody(interval: interval);
        body["timezone"] = "Europe/Berlin";
        if (offsetHour != null)
        {
            body["offset_hour"] = offsetHour;
        }

        var (tenant, client, id) = await ExportAsync(body);

        var updated = (await client.PatchExportAsync(tenant.TeamId, id, new JsonObject
        {
            ["name"] = "patched",
            ["destination"] = new JsonObject { ["type"] = "S3", ["config"] = new JsonObject { ["bucket_name"] = "other-bucket", ["region"] = "us-east-1", ["prefix"] = "p" } },
        })).Expect(HttpStatusCode.OK);

        Assert.Equal("patched", (string?)updated["name"]);
        Assert.Equal(interval, (string?)updated["interval"]);
        Assert.Equal("Europe/Berlin", (string?)updated["timezone"]);
        Assert.Equal(offsetHour, (int?)updated["offset_hour"]);
        Assert.Equal("other-bucket", (string?)updated["destination"]!["config"]!["bucket_name"]);
        var stored = await StoredConfigAsync(id);
        Assert.Equal("super-secret-value", (string?)stored["aws_secret_access_key"]);
        Assert.Equal("AKIAEXAMPLE", (string?)stored["aws_access_key_id"]);
    }

    [Fact]
    public async Task Patch_NullOverwritesAConfigKey()
    {
        var (tenant, client, id) = await ExportAsync();

        await client.PatchExportAsync(tenant.TeamId, id, new JsonObject
        {
            ["destination"] = new JsonObject { ["type"] = "S3", ["config"] = new JsonObject { ["aws_secret_access_key"] = null } },
        });

        Assert.Null((await StoredConfigAsync(id))["aws_secret_access_key"]);
        Assert.True((await StoredConfigAsync(id)).ContainsKey("aws_secret_access_key"));
    }

    [Fact]
    public async Task Patch_MergesNestedConfigs_AndAnObjectReplacesAScalar()
    {
        const string copy = """{"user": "u", "password": "p", "host": "h", "database": "d", "mode": "COPY", "copy_inputs": {"s3_bucket": "b", "region_name": "us-east-1", "authorization": "arn:aws:iam::1:role/r", "bucket_credentials": {"aws_access_key_id": "a", "aws_secret_access_key": "s"}}}""";
        var (tenant, client, id) = await ExportAsync(ExportBody(new JsonObject { ["type"] = "Redshift", ["config"] = JsonNode.Parse(copy) }));

        (await client.PatchExportAsync(tenant.TeamId, id, JsonNode.Parse("""{"destination": {"type": "Redshift", "config": {"copy_inputs": {"s3_bucket": "new"}}}}""")!.AsObject()))
            .Expect(HttpStatusCode.OK);
        var stored = await StoredConfigAsync(id);
        Assert.Equal("new", (string?)stored["copy_inputs"]!["s3_bucket"]);
        Assert.Equal("arn:aws:iam::1:role/r", (string?)stored["copy_inputs"]!["authorization"]);
        Assert.Equal("s", (string?)stored["copy_inputs"]!["bucket_credentials"]!["aws_secret_access_key"]);

        (await client.PatchExportAsync(tenant.TeamId, id, JsonNode.Parse("""{"destination": {"type": "Redshift", "config": {"copy_inputs": {"authorization": {"aws_access_key_id": "k", "aws_secret_access_key": "v"}}}}}""")!.AsObject()))
            .Expect(HttpStatusCode.OK);
        stored = await StoredConfigAsync(id);
        Assert.Equal("v", (string?)stored["copy_inputs"]!["authorization"]!["aws_secret_access_key"]);
        Assert.Equal("new", (string?)stored["copy_inputs"]!["s3_bucket"]);
    }

    [Fact]
    public async Task Patch_ChecksFormatRulesOnTheMergedConfig()
    {
        var destination = S3Destination();
        destination["config"]!["file_format"] = "Parquet";
        destination["config"]!["compression"] = "zstd";
        var (tenant, client, id) = await ExportAsync(ExportBody(destination));

        (await client.PatchExportAsync(tenant.TeamId, id, JsonNode.Parse("""{"destination": {"type": "S3", "config": {"file_format": "JSONLines"}}}""")!.AsObject()))
            .ExpectError(HttpStatusCode.BadRequest, "validation_error",
                "Compression zstd is not supported for file format JSONLines. Supported compressions are ['gzip', 'brotli']", "destination");
    }

    [Fact]
    public async Task Patch_DropsStoredKeysTheTypeNoLongerDeclares()
    {
        var (tenant, client, id) = await ExportAsync();
        // A key an older version stored, written behind the API's back.
        var config = await StoredConfigAsync(id);
        config["invalid_key"] = "legacy";
        await using (var db = factory.CreateDbContext())
        {
            var destination = await db.BatchExports.Where(e => e.Id == Guid.Parse(id)).Select(e => e.Destination).SingleAsync();
            destination.ConfigCiphertext = factory.Services.GetRequiredService<ConfigCipher>().Encrypt(config, destination.Id);
            await db.SaveChangesAsync();
        }

        (await client.PatchExportAsync(tenant.TeamId, id, JsonNode.Parse("""{"destination": {"type": "S3", "config": {"bucket_name": "b2"}}}""")!.AsObject()))
            .Expect(HttpStatusCode.OK);

        Assert.False((await StoredConfigAsync(id)).ContainsKey("invalid_key"));
    }

    [Theory]
    [InlineData("PATCH")]
    [InlineData("PUT")]
    public async Task ChangingTheDestinationType_IsRejected(string method)
    {
        var (tenant, client, id) = await ExportAsync();
        var body = ExportBody(NoOpDestination());

        var response = method == "PATCH" ? await client.PatchExportAsync(tenant.TeamId, id, body) : await client.PutExportAsync(tenant.TeamId, id, body);

        response.ExpectError(HttpStatusCode.BadRequest, "validation_error",
            "Cannot change destination type from 'S3' to 'NoOp'. Delete this batch export and create a new one with the new destination type.", "destination");
        Assert.Equal("S3", (string?)(await client.GetExportAsync(tenant.TeamId, id)).Expect(HttpStatusCode.OK)["destination"]!["type"]);
    }

    public static TheoryData<string, string?, string, string, string, int?, int?, int?> ScheduleChanges => new()
    {
        // initial interval, initial timezone, initial extra json, patch json, expected timezone, offset_day, offset_hour, interval_offset
        { "hour", "UTC", "{}", """{"interval": "week", "timezone": "UTC", "offset_day": 0, "offset_hour": 0}""", "UTC", 0, 0, 0 },
        { "hour", null, "{}", """{"interval": "week"}""", "UTC", 0, 0, null },
        { "day", "Europe/Berlin", """{"offset_hour": 1}""", """{"interval": "hour"}""", "Europe/Berlin", null, null, null },
        { "day", "Europe/Berlin", """{"offset_hour": 1}""", """{"interval": "day", "timezone": null, "offset_day": null, "offset_hour": null}""", "UTC", null, 0, null },
        { "hour", null, "{}", """{"interval": "day", "timezone": "US/Pacific", "offset_hour": 2}""", "US/Pacific", null, 2, 7200 },
        { "day", "UTC", """{"offset_hour": 3}""", """{"name": "only the name"}""", "UTC", null, 3, 10800 },
        { "day", "UTC", """{"offset_hour": 3}""", """{"offset_hour": 5}""", "UTC", null, 5, 18000 },
    };

    [Theory]
    [MemberData(nameof(ScheduleChanges))]
    public async Task Patch_ScheduleConfiguration_FollowsPostHog(
        string interval, string? timezone, string extra, string patch, string expectedTimezone, int? offsetDay, int? offsetHour, int? intervalOffset)
    {
        var body = ExportBody(interval: interval);
        body["timezone"] = timezone;
        foreach (var (key, value) in JsonNode.Parse(extra)!.AsObject())
        {
            body[key] = value?.DeepClone();
        }

        var (tenant, client, id) = await ExportAsync(body);

        var updated = (await client.PatchExportAsync(tenant.TeamId, id, JsonNode.Parse(patch)!.AsObject())).Expect(HttpStatusCode.OK);

        Assert.Equal(expectedTimezone, (string?)updated["timezone"]);
        Assert.Equal(offsetDay, (int?)updated["offset_day"]);
        Assert.Equal(offsetHour, (int?)updated["offset_hour"]);
        Assert.Equal(intervalOffset, await StoredIntervalOffsetAsync(id));
    }

    public static TheoryData<string, string, int?, int?, int?> WeeklyOffsetChanges => new()
    {
        // method, body offsets json (with interval "week"), expected offset_day, offset_hour, interval_offset
        { "PUT", """{"offset_day": 2}""", 2, 0, 2 * 86400 },
        { "PUT", """{"offset_hour": 7}""", 0, 7, 7 * 3600 },
        { "PUT", "{}", 0, 0, null },
        { "PATCH", """{"offset_day": 2}""", 2, 0, 2 * 86400 },
        { "PATCH", """{"offset_hour": 7}""", 0, 7, 7 * 3600 },
        { "PATCH", """{"offset_day": null, "offset_hour": 1}""", 0, 1, 3600 },
        { "PATCH", "{}", 4, 5, 4 * 86400 + 5 * 3600 },
    };

    [Theory]
    [MemberData(nameof(WeeklyOffsetChanges))]
    public async Task PutOrPatch_WithIntervalWeek_ComputesTheOffsetFromTheBodyAlone(string method, string offsets, int? offsetDay, int? offsetHour, int? intervalOffset)
    {
        // PostHog: (offset_day or 0) * 86400 + (offset_hour or 0) * 3600 whenever either is sent with the interval.
        var created = ExportBody(interval: "week");
        created["offset_day"] = 4;
        created["offset_hour"] = 5;
        var (tenant, client, id) = await ExportAsync(created);
        var body = method == "PUT" ? ExportBody(interval: "week", name: "same") : new JsonObject { ["interval"] = "week" };
        foreach (var (key, value) in JsonNode.Parse(offsets)!.AsObject())
        {
            body[key] = value?.DeepClone();
        }

        var response = method == "PUT" ? await client.PutExportAsync(tenant.TeamId, id, body) : await client.PatchExportAsync(tenant.TeamId, id, body);

        var updated = response.Expect(HttpStatusCode.OK);
        Assert.Equal(offsetDay, (int?)updated["offset_day"]);
        Assert.Equal(offsetHour, (int?)updated["offset_hour"]);
        Assert.Equal(intervalOffset, await StoredIntervalOffsetAsync(id));
    }

    [Fact]
    public async Task Patch_OffsetWithoutInterval_KeepsTheOtherStoredOffset()
    {
        // PostHog ignores offsets sent without interval; we apply them, changing only the one sent.
        var created = ExportBody(interval: "week");
        created["offset_day"] = 4;
        created["offset_hour"] = 5;
        var (tenant, client, id) = await ExportAsync(created);

        var updated = (await client.PatchExportAsync(tenant.TeamId, id, new JsonObject { ["offset_hour"] = 9 })).Expect(HttpStatusCode.OK);

        Assert.Equal(4, (int?)updated["offset_day"]);
        Assert.Equal(9, (int?)updated["offset_hour"]);
        Assert.Equal(4 * 86400 + 9 * 3600, await StoredIntervalOffsetAsync(id));
    }

    [Theory]
    [InlineData("hour", """{"interval": null}""", "This field may not be null.", "interval")]
    [InlineData("hour", """{"interval": "day", "offset_hour": 24}""", "Ensure this value is less than or equal to 23.", "offset_hour")]
    [InlineData("hour", """{"interval": "week", "offset_day": 7}""", "Ensure this value is less than or equal to 6.", "offset_day")]
    [InlineData("week", """{"interval": "hour", "timezone": "Europe/Berlin", "offset_hour": 1}""", "offset_hour is not applicable for non-daily/weekly intervals", "offset_hour")]
    [InlineData("hour", """{"offset_hour": 1}""", "offset_hour is not applicable for non-daily/weekly intervals", "offset_hour")]
    public async Task Patch_InvalidScheduleConfiguration_Is400_AndChangesNothing(string interval, string patch, string message, string attr)
    {
        var (tenant, client, id) = await ExportAsync(ExportBody(interval: interval));
        var before = (await client.GetExportAsync(tenant.TeamId, id)).Body;

        (await client.PatchExportAsync(tenant.TeamId, id, JsonNode.Parse(patch)!.AsObject())).ExpectError(HttpStatusCode.BadRequest, "validation_error", message, attr);

        Assert.Equal(before, (await client.GetExportAsync(tenant.TeamId, id)).Body);
    }

    [Fact]
    public async Task Patch_PausedFlag_MovesTheScheduleButNotLastPausedAt()
    {
        var (tenant, client, id) = await ExportAsync();

        var updated = (await client.PatchExportAsync(tenant.TeamId, id, new JsonObject { ["paused"] = true })).Expect(HttpStatusCode.OK);

        Assert.True((bool)updated["paused"]!);
        Assert.Null(updated["last_paused_at"]);
        await using var db = factory.CreateDbContext();
        Assert.True(await db.BatchExportSchedules.Where(s => s.BatchExportId == Guid.Parse(id)).Select(s => s.Paused).SingleAsync());
    }

    [Fact]
    public async Task Patch_LastUpdatedAtMoves_CreatedAtDoesNot()
    {
        var (tenant, client, id) = await ExportAsync();
        var before = (await client.GetExportAsync(tenant.TeamId, id)).Expect(HttpStatusCode.OK);
        factory.Clock.Advance(TimeSpan.FromMinutes(1));

        var after = (await client.PatchExportAsync(tenant.TeamId, id, new JsonObject { ["name"] = "n2" })).Expect(HttpStatusCode.OK);

        Assert.Equal((string?)before["created_at"], (string?)after["created_at"]);
        Assert.True(DateTimeOffset.Parse((string)after["last_updated_at"]!) > DateTimeOffset.Parse((string)before["last_updated_at"]!));
    }

    [Fact]
    public async Task Patch_CustomSchema_ReplacesAndClears()
    {
        var (tenant, client, id) = await ExportAsync();

        var withSchema = (await client.PatchExportAsync(tenant.TeamId, id, new JsonObject { ["hogql_query"] = "SELECT uuid, event AS name FROM events" })).Expect(HttpStatusCode.OK);
        Assert.Equal("SELECT uuid, event AS name FROM events", (string?)withSchema["schema"]!["hogql_query"]);

        var cleared = (await client.PatchExportAsync(tenant.TeamId, id, new JsonObject { ["hogql_query"] = null })).Expect(HttpStatusCode.OK);
        Assert.Null(cleared["schema"]);
    }

    [Fact]
    public async Task Put_WithAnUnsupportedCustomSchema_AndMissingFields_Is400()
    {
        var (tenant, client, id) = await ExportAsync();

        (await client.PutExportAsync(tenant.TeamId, id, new JsonObject { ["name"] = "x", ["hogql_query"] = "select toInt32(1+1) as n from events" }))
            .Expect(HttpStatusCode.BadRequest);
    }

    [Fact]
    public async Task Patch_ThroughAnotherTeamOfTheSameOrganization_Is404()
    {
        var (tenant, client, id) = await ExportAsync();
        var otherTeam = await factory.CreateTeamAsync(tenant.OrganizationId);

        (await client.PatchExportAsync(otherTeam, id, new JsonObject { ["name"] = "x" })).ExpectError(HttpStatusCode.NotFound, "invalid_request", "Not found.");
    }
}
