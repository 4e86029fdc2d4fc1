using System.Net;
using System.Text.Json.Nodes;
using BatchExports.Testing;
using static BatchExports.Testing.BatchExportsOperations;

namespace BatchExports.Api.Tests.BatchExports;

/// <summary>Destination config rules, per type, with PostHog's messages (spec §3.1–3.4).</summary>
public sealed class DestinationValidationTests(ApiFactory factory) : IClassFixture<ApiFactory>
{
    private async Task<ApiResponse> CreateAsync(JsonObject destination, Action<JsonObject>? amend = null)
    {
        var tenant = await factory.CreateTenantAsync();
        var body = ExportBody(destination);
        amend?.Invoke(body);
        return await factory.CreateApiClient(tenant.ApiKey).CreateExportAsync(tenant.TeamId, body);
    }

    private static JsonObject Destination(string type, string configJson) => new() { ["type"] = type, ["config"] = JsonNode.Parse(configJson) };

    private static JsonObject Postgres(string extra = "") =>
        Destination("Postgres", $$"""{"user": "u", "password": "p", "host": "db.example.com", "database": "analytics"{{extra}}}""");

    [Theory]
    [InlineData("Snowflake")]
    [InlineData("BigQuery")]
    [InlineData("Databricks")]
    [InlineData("AzureBlob")]
    [InlineData("Workflows")]
    [InlineData("AwsS3")]
    public async Task PostHogTypeWeDoNotRun_IsRefusedNamingTheSupportedTypes(string type)
    {
        var response = await CreateAsync(Destination(type, "{}"));

        response.ExpectError(
            HttpStatusCode.BadRequest,
            "validation_error",
            $"The '{type}' destination is not supported by this server yet. Supported destination types are: 'S3', 'Postgres', 'Redshift', 'HTTP', 'NoOp'.",
            "destination__type",
            "invalid_choice");
    }

    [Fact]
    public async Task UnknownType_IsAnInvalidChoice()
    {
        (await CreateAsync(Destination("Carrier pigeon", "{}"))).ExpectError(
            HttpStatusCode.BadRequest, "validation_error", "\"Carrier pigeon\" is not a valid choice.", "destination__type", "invalid_choice");
    }

    [Theory]
    [InlineData("""{"bucket_name": "b", "region": "r", "prefix": "p", "hello": 1, "hello2": 2}""", "Configuration has unknown field/s: 'hello', 'hello2'")]
    [InlineData("""{"region": "r", "prefix": "p"}""", "Configuration missing required field: 'bucket_name'")]
    [InlineData("""{"bucket_name": 5, "region": "r", "prefix": "p"}""", "Configuration has invalid type: got 'int', expected 'str'")]
    [InlineData("""{"bucket_name": "b", "region": "r", "prefix": "p", "use_virtual_style_addressing": 3}""", "Configuration has invalid type: got 'int', expected 'bool'")]
    [InlineData("""{"bucket_name": "b", "region": "r", "prefix": "p", "legacy_parquet_extension": 1}""", "Configuration has invalid type: got 'int', expected 'bool'")]
    [InlineData("""{"bucket_name": "b", "region": "r", "prefix": "p", "legacy_parquet_extension": []}""", "Configuration has invalid type: got 'list', expected 'bool'")]
    [InlineData("""{"bucket_name": "b", "region": "r", "prefix": "p", "exclude_events": "$pageview"}""", "Configuration has invalid type: got 'str', expected 'list[str] | None'")]
    public async Task S3Config_Shape_IsCheckedWithPostHogsMessages(string config, string message)
    {
        (await CreateAsync(Destination("S3", config))).ExpectError(HttpStatusCode.BadRequest, "validation_error", message, "destination__non_field_errors");
    }

    [Fact]
    public async Task PostgresConfig_WithNullSchema_IsAnInvalidType()
    {
        (await CreateAsync(Postgres(""", "schema": null"""))).ExpectError(
            HttpStatusCode.BadRequest, "validation_error", "Configuration has invalid type: got 'NoneType', expected 'str'", "destination__non_field_errors");
    }

    [Fact]
    public async Task PostgresConfig_KeepsJsonTypes_AndCastsStringsLikePostHog()
    {
        var created = (await CreateAsync(Postgres(""", "port": "5433", "has_self_signed_cert": "true", "schema": "s" """))).Expect(HttpStatusCode.Created);

        var config = created["destination"]!["config"]!.AsObject();
        Assert.True(JsonNode.DeepEquals(
            JsonNode.Parse("""{"host": "db.example.com", "database": "analytics", "port": 5433, "has_self_signed_cert": true, "schema": "s"}"""),
            config), config.ToJsonString());
    }

    [Fact]
    public async Task PostgresConfig_WithANonNumericPort_IsAnInvalidType()
    {
        (await CreateAsync(Postgres(""", "port": "five" """))).ExpectError(
            HttpStatusCode.BadRequest, "validation_error", "Configuration has invalid type: got 'str', expected 'int'", "destination__non_field_errors");
    }

    [Fact]
    public async Task S3_EmptyInputs_AreNamed()
    {
        (await CreateAsync(Destination("S3", """{"bucket_name": "", "region": "", "prefix": "p"}"""))).ExpectError(
            HttpStatusCode.BadRequest, "validation_error", "The following inputs are empty: ['bucket_name', 'region']", "destination");
    }

    [Theory]
    [InlineData("JSONLines", null, null)]
    [InlineData("JSONLines", "gzip", null)]
    [InlineData("JSONLines", "brotli", null)]
    [InlineData("JSONLines", "zstd", "Compression zstd is not supported for file format JSONLines. Supported compressions are ['gzip', 'brotli']")]
    [InlineData("Parquet", null, null)]
    [InlineData("Parquet", "zstd", null)]
    [InlineData("Parquet", "lz4", null)]
    [InlineData("Parquet", "snappy", null)]
    [InlineData("Parquet", "gzip", null)]
    [InlineData("Parquet", "brotli", null)]
    [InlineData("Parquet", "unknown", "Compression unknown is not supported for file format Parquet. Supported compressions are ['zstd', 'lz4', 'snappy', 'gzip', 'brotli']")]
    [InlineData("unknown", null, "File format unknown is not supported. Supported file formats are ['Parquet', 'JSONLines']")]
    public async Task S3_FileFormatAndCompression_FollowPostHogsLists(string format, string? compression, string? error)
    {
        var destination = S3Destination();
        destination["config"]!["file_format"] = format;
        destination["config"]!["compression"] = compression;

        var response = await CreateAsync(destination);

        if (error == null)
        {
            response.Expect(HttpStatusCode.Created);
        }
        else
        {
            response.ExpectError(HttpStatusCode.BadRequest, "validation_error", error, "destination");
        }
    }

    [Fact]
    public async Task S3_EmptyEndpointUrl_IsStoredAsNull()
    {
        var created = (await CreateAsync(S3Destination(endpoint: ""))).Expect(HttpStatusCode.Created);

        Assert.Null(created["destination"]!["config"]!["endpoint_url"]);
        Assert.True(created["destination"]!["config"]!.AsObject().ContainsKey("endpoint_url"));
    }

    [Theory]
    [InlineData("exports/{year}/{month}/{day}/{hour}:{minute}:{second}/{table}", null)]
    [InlineData("{data_interval_start}-{data_interval_end}", null)]
    [InlineData("exports/{yaer}/", "Invalid prefix template 'exports/{yaer}/': unknown variable '{yaer}'. Supported variables are: {year}, {month}, {day}, {hour}, {minute}, {second}, {table}, {data_interval_start}, {data_interval_end}")]
    [InlineData("exports/{year", "Invalid prefix template 'exports/{year': unbalanced braces.")]
    public async Task S3_PrefixTemplate_IsCheckedWhenSaved(string prefix, string? error)
    {
        var response = await CreateAsync(S3Destination(prefix: prefix));

        if (error == null)
        {
            response.Expect(HttpStatusCode.Created);
        }
        else
        {
            response.ExpectError(HttpStatusCode.BadRequest, "validation_error", error, "destination");
        }
    }

    [Theory]
    [InlineData("""{"mode": "INSERT"}""", null)]
    [InlineData("""{"mode": "INSERT", "copy_inputs": {}}""", null)]
    [InlineData("""{"mode": "INSERT", "copy_inputs": null}""", null)]
    [InlineData("""{"mode": "COPY", "copy_inputs": {"s3_bucket": "b", "region_name": "us-east-1", "authorization": "arn:aws:iam::1:role/r", "bucket_credentials": {"aws_access_key_id": "a", "aws_secret_access_key": "s"}}}""", null)]
    [InlineData("""{"mode": "COPY", "copy_inputs": {"s3_bucket": "b", "region_name": "us-east-1", "authorization": {"aws_access_key_id": "a", "aws_secret_access_key": "s"}, "bucket_credentials": {"aws_access_key_id": "a", "aws_secret_access_key": "s"}}}""", null)]
    [InlineData("""{"mode": "COPY"}""", "Missing required inputs for 'COPY'")]
    [InlineData("""{"mode": "COPY", "copy_inputs": {"region_name": "r", "authorization": "x", "bucket_credentials": {"aws_access_key_id": "a", "aws_secret_access_key": "s"}}}""", "Missing required input for 'COPY'")]
    [InlineData("""{"mode": "COPY", "copy_inputs": {"s3_bucket": "b", "region_name": "r", "authorization": "x", "bucket_credentials": {"aws_access_key_id": "a"}}}""", "Missing required bucket credentials for 'COPY'")]
    [InlineData("""{"mode": "COPY", "copy_inputs": {"s3_bucket": "b", "region_name": "r", "authorization": {}, "bucket_credentials": {"aws_access_key_id": "a", "aws_secret_access_key": "s"}}}""", "Missing required credentials for 'COPY'")]
    [InlineData("""{"mode": "COPY", "copy_inputs": {"s3_bucket": "b", "region_name": "r", "authorization": "", "bucket_credentials": {"aws_access_key_id": "a", "aws_secret_access_key": "s"}}}""", "Missing required IAM role for 'COPY'")]
    [InlineData("""{"mode": "COPY", "copy_inputs": {"s3_bucket": "b", "region_name": "r", "authorization": 1.5, "bucket_credentials": {"aws_access_key_id": "a", "aws_secret_access_key": "s"}}}""", "Authorization for 'COPY' must be an IAM role ARN, AWS credentials, or an integration ID.")]
    public async Task Redshift_CopyInputs_AreChecked(string extraConfig, string? error)
    {
        var config = JsonNode.Parse("""{"user": "u", "password": "p", "host": "h", "database": "d"}""")!.AsObject();
        foreach (var (key, value) in JsonNode.Parse(extraConfig)!.AsObject())
        {
            config[key] = value?.DeepClone();
        }

        var response = await CreateAsync(new JsonObject { ["type"] = "Redshift", ["config"] = config });

        if (error == null)
        {
            var created = response.Expect(HttpStatusCode.Created);
            Assert.DoesNotContain("aws_secret_access_key", created.ToJsonString());
            Assert.DoesNotContain("\"password\"", created.ToJsonString());
        }
        else
        {
            response.ExpectError(HttpStatusCode.BadRequest, "validation_error", error, "destination");
        }
    }

    [Fact]
    public async Task Http_OnlyAllowsTheEventsModel()
    {
        JsonObject Destination() => DestinationValidationTests.Destination("HTTP", """{"url": "https://us.i.posthog.com/batch/", "token": "t"}""");

        (await CreateAsync(Destination())).Expect(HttpStatusCode.Created);
        (await CreateAsync(Destination(), b => b["model"] = "events")).Expect(HttpStatusCode.Created);
        (await CreateAsync(Destination(), b => b["model"] = "persons")).ExpectError(
            HttpStatusCode.BadRequest, "validation_error", "HTTP batch exports only support the events model", null);
    }

    [Fact]
    public async Task Http_RefusesACustomSchema_WhichItCouldNotSend()
    {
        var destination = Destination("HTTP", """{"url": "https://us.i.posthog.com/batch/", "token": "t"}""");

        (await CreateAsync(destination, b => b["hogql_query"] = "SELECT event FROM events")).ExpectError(
            HttpStatusCode.BadRequest, "validation_error", "HTTP batch exports do not support a custom schema (hogql_query).", "hogql_query");
    }

    [Fact]
    public async Task Http_RefusesUrlsOutsideTheAllowList()
    {
        (await CreateAsync(Destination("HTTP", """{"url": "https://evil.example.com/batch/", "token": "t"}"""))).ExpectError(
            HttpStatusCode.BadRequest, "validation_error", "Invalid destination URL: https://evil.example.com/batch/", "destination");
    }

    [Fact]
    public async Task Integration_IsRefused_BecauseCredentialsAreInline()
    {
        var destination = S3Destination();
        destination["integration"] = 999;

        (await CreateAsync(destination)).ExpectError(
            HttpStatusCode.BadRequest, "validation_error", "Invalid pk \"999\" - object does not exist.", "destination__integration", "does_not_exist");
    }

    [Fact]
    public async Task DestinationWithoutConfig_IsRequired()
    {
        (await CreateAsync(new JsonObject { ["type"] = "S3" })).ExpectError(
            HttpStatusCode.BadRequest, "validation_error", "This field is required.", "destination__config", "required");
    }

    [Fact]
    public async Task NoOp_NeedsNoConfig()
    {
        var created = (await CreateAsync(NoOpDestination())).Expect(HttpStatusCode.Created);

        Assert.Equal("NoOp", (string?)created["destination"]!["type"]);
    }
}
