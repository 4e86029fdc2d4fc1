using System.Text.Json;
using System.Text.Json.Nodes;
using BatchExports.Core.Domain;
using BatchExports.Core.Hosting;
using BatchExports.Core.Persistence;
using BatchExports.Pipeline.Destinations.S3;
using BatchExports.Pipeline.Formats;
using BatchExports.Pipeline.Runs;
using BatchExports.Pipeline.Sources;
using BatchExports.Pipeline.Tests.Formats;
using BatchExports.Pipeline.Tests.Sources;
using BatchExports.Testing;
using Microsoft.EntityFrameworkCore;

namespace BatchExports.Pipeline.Tests.Destinations.S3;

/// <summary>The S3 destination against a real S3-compatible server and a real PostgreSQL source (worker spec §4.1).</summary>
public sealed class S3DestinationTests : IAsyncLifetime
{
    private static readonly DateTimeOffset Start = new(2024, 1, 15, 10, 0, 0, TimeSpan.Zero);
    private static readonly DateTimeOffset End = Start.AddHours(1);

    private S3TestServer _s3 = null!;
    private string _connectionString = "";
    private string _bucket = "";

    public async ValueTask InitializeAsync()
    {
        _s3 = await S3TestServer.GetAsync();
        _connectionString = await (await TestPostgres.GetAsync()).CreateDatabaseAsync("s3dest");
        _bucket = await _s3.CreateBucketAsync();
    }

    public async ValueTask DisposeAsync() => await (await TestPostgres.GetAsync()).DropDatabaseAsync(_connectionString);

    private PostgresSource Source => new SourceData(_connectionString).Source;

    private S3Destination Destination(int batchSize = 1000, MultipartUploadOptions? options = null) =>
        new(options) { BatchSize = batchSize };

    private JsonObject Config(string prefix = "exports/", string? format = null, string? compression = null, long? maxFileSizeMb = null, string? secret = null, string? bucket = null) => new()
    {
        ["bucket_name"] = bucket ?? _bucket,
        ["region"] = _s3.Region,
        ["prefix"] = prefix,
        ["aws_access_key_id"] = _s3.AccessKeyId,
        ["aws_secret_access_key"] = secret ?? _s3.SecretAccessKey,
        ["endpoint_url"] = _s3.Endpoint,
        ["file_format"] = format,
        ["compression"] = compression,
        ["max_file_size_mb"] = maxFileSizeMb,
    };

    /// <summary>Seeds events for team 1 inside the interval (by inserted_at), plus rows that must not be exported.</summary>
    private async Task<List<SourceEvent>> SeedEventsAsync(int count, int propertyBytes = 64, string eventName = "$pageview")
    {
        var events = Enumerable.Range(0, count).Select(i => new SourceEvent
        {
            Uuid = Guid.NewGuid(),
            TeamId = 1,
            Event = i % 10 == 0 ? "purchase" : eventName,
            DistinctId = $"user-{i % 37}",
            Properties = JsonSerializer.Serialize(new Dictionary<string, object>
            {
                ["$browser"] = i % 2 == 0 ? "Chrome" : "Firefox",
                ["price"] = i,
                ["note"] = new string('x', propertyBytes),
                ["nested"] = new Dictionary<string, object> { ["ünïcode"] = "😀", ["n"] = i },
            }),
            PersonId = Guid.NewGuid(),
            PersonProperties = "{\"email\": \"a@example.com\"}",
            ElementsChain = i % 3 == 0 ? "button:nth-child=\"1\"" : null,
            Timestamp = Start.AddSeconds(i % 3600),
            CreatedAt = Start.AddSeconds(i % 3600),
            InsertedAt = Start.AddSeconds(i % 3600),
        }).ToList();
        var outside = new[]
        {
            new SourceEvent { Uuid = Guid.NewGuid(), TeamId = 1, Event = "late", DistinctId = "x", Timestamp = Start, CreatedAt = End, InsertedAt = End },
            new SourceEvent { Uuid = Guid.NewGuid(), TeamId = 1, Event = "early", DistinctId = "x", Timestamp = Start, CreatedAt = Start, InsertedAt = Start.AddTicks(-10) },
            new SourceEvent { Uuid = Guid.NewGuid(), TeamId = 2, Event = "other team", DistinctId = "x", Timestamp = Start, CreatedAt = Start, InsertedAt = Start },
        };
        await using var db = Db();
        db.Events.AddRange(events.Concat(outside));
        await db.SaveChangesAsync();
        return events;
    }

    private BatchExportsDbContext Db() => new(new DbContextOptionsBuilder<BatchExportsDbContext>().UseNpgsql(_connectionString).Options);

    public static TheoryData<string, string?> FormatMatrix => new()
    {
        { "JSONLines", null }, { "JSONLines", "gzip" }, { "JSONLines", "brotli" },
        { "Parquet", null }, { "Parquet", "zstd" }, { "Parquet", "lz4" }, { "Parquet", "snappy" }, { "Parquet", "gzip" }, { "Parquet", "brotli" },
    };

    [Theory]
    [MemberData(nameof(FormatMatrix))]
    public async Task EachFormatAndCompression_WritesOneReadableObjectHoldingTheIntervalsRows(string format, string? compression)
    {
        var seeded = await SeedEventsAsync(250);
        var context = PipelineRuns.Context("S3", Config(format: format, compression: compression), Start, End);

        var outcome = await Destination(batchSize: 100).ExportAsync(Source, context, CancellationToken.None);

        var key = Assert.Single(await _s3.ListKeysAsync(_bucket));
        Assert.Equal($"exports/2024-01-15T10:00:00+00:00-2024-01-15T11:00:00+00:00.{FileFormats.FileExtension(format, compression, legacyParquetExtension: false)}", key);
        var bytes = await _s3.ReadObjectAsync(_bucket, key);
        Assert.Equal(250, outcome.RecordsCompleted);
        Assert.Equal(bytes.Length, outcome.BytesExported);

        var columns = S3Destination.EventFields.Select(name => new Column(name, name switch
        {
            "timestamp" or "_inserted_at" or "created_at" => ColumnKind.Timestamp,
            "properties" or "person_properties" => ColumnKind.Json,
            _ => ColumnKind.String,
        })).ToList();
        var byUuid = seeded.ToDictionary(e => e.Uuid.ToString());
        if (format == "JSONLines")
        {
            var rows = ReadBack.JsonLines(bytes, compression, columns);
            Assert.Equal(250, rows.Count);
            Assert.Equal(S3Destination.EventFields, rows[0].EnumerateObject().Select(p => p.Name));
            foreach (var row in rows)
            {
                var source = byUuid[row.GetProperty("uuid").GetString()!];
                Assert.Equal(source.Event, row.GetProperty("event").GetString());
                Assert.Equal(source.DistinctId, row.GetProperty("distinct_id").GetString());
                Assert.Equal(JsonValueKind.Object, row.GetProperty("properties").ValueKind);
                Assert.True(JsonNode.DeepEquals(JsonNode.Parse(source.Properties), JsonNode.Parse(row.GetProperty("properties").GetRawText())));
                Assert.Equal("😀", row.GetProperty("properties").GetProperty("nested").GetProperty("ünïcode").GetString());
            }
        }
        else
        {
            var rows = await ReadBack.ParquetRows(bytes, columns);
            Assert.Equal(250, rows.Count);
            foreach (var row in rows)
            {
                var source = byUuid[(string)row[0]!];
                Assert.Equal(source.Event, row[4]);
                Assert.True(JsonNode.DeepEquals(JsonNode.Parse(source.Properties), JsonNode.Parse((string)row[5]!)));
            }
        }
    }

    [Fact]
    public async Task PrefixTemplate_IsFilledFromTheInterval()
    {
        await SeedEventsAsync(3);
        var config = Config(prefix: "posthog-{table}/{year}-{month}-{day}/{hour}:{minute}:{second}/{data_interval_start}/");

        await Destination().ExportAsync(Source, PipelineRuns.Context("S3", config, Start, End), CancellationToken.None);

        Assert.Equal(
            "posthog-events/2024-01-15/11:00:00/2024-01-15T10:00:00+00:00/2024-01-15T10:00:00+00:00-2024-01-15T11:00:00+00:00.jsonl",
            Assert.Single(await _s3.ListKeysAsync(_bucket)));
    }

    [Fact]
    public async Task MaxFileSize_RotatesNumberedFiles_AndWritesTheManifestLast()
    {
        var seeded = await SeedEventsAsync(3000, propertyBytes: 1500);
        var options = new MultipartUploadOptions { PartSize = MultipartUploadOptions.MinimumPartSize };

        var outcome = await Destination(batchSize: 200, options).ExportAsync(Source, 
            PipelineRuns.Context("S3", Config(maxFileSizeMb: 1), Start, End), CancellationToken.None);

        var keys = await _s3.ListKeysAsync(_bucket);
        var manifestKey = "exports/2024-01-15T10:00:00+00:00-2024-01-15T11:00:00+00:00_manifest.json";
        Assert.Contains(manifestKey, keys);
        var manifest = JsonNode.Parse(await _s3.ReadObjectAsync(_bucket, manifestKey))!["files"]!.AsArray().Select(f => (string)f!).ToList();
        Assert.True(manifest.Count >= 3, $"expected several files, got {manifest.Count}");
        Assert.Equal(
            Enumerable.Range(0, manifest.Count).Select(n => $"exports/2024-01-15T10:00:00+00:00-2024-01-15T11:00:00+00:00-{n}.jsonl"),
            manifest);
        Assert.Equal(manifest.Order(), keys.Where(k => k != manifestKey).Order());

        var uuids = new List<string>();
        long bytes = 0;
        foreach (var file in manifest)
        {
            var content = await _s3.ReadObjectAsync(_bucket, file);
            bytes += content.Length;
            uuids.AddRange(Lines(content).Select(r => r.GetProperty("uuid").GetString()!));
        }

        Assert.Equal(seeded.Select(e => e.Uuid.ToString()).Order(), uuids.Order());
        Assert.Equal(3000, outcome.RecordsCompleted);
        Assert.Equal(bytes, outcome.BytesExported);
    }

    [Fact]
    public async Task EmptyInterval_WritesNoObject()
    {
        var log = new RecordingRunLog();

        var outcome = await Destination().ExportAsync(Source, PipelineRuns.Context("S3", Config(), Start, End, log: log), CancellationToken.None);

        Assert.Empty(await _s3.ListKeysAsync(_bucket));
        Assert.Equal(0, outcome.RecordsCompleted);
        Assert.Equal(0, outcome.BytesExported);
        Assert.Contains(log.Entries, e => e.Message.Contains("nothing was written", StringComparison.Ordinal));
    }

    [Fact]
    public async Task ARetriedRun_OverwritesTheSameKeys_AndRemovesFilesAnEarlierAttemptLeft()
    {
        await SeedEventsAsync(3000, propertyBytes: 1500);
        var options = new MultipartUploadOptions { PartSize = MultipartUploadOptions.MinimumPartSize };

        await Destination(200, options).ExportAsync(Source, PipelineRuns.Context("S3", Config(maxFileSizeMb: 1), Start, End), CancellationToken.None);
        var first = await _s3.ListKeysAsync(_bucket);
        await Destination(200, options).ExportAsync(Source, PipelineRuns.Context("S3", Config(maxFileSizeMb: 100), Start, End), CancellationToken.None);

        var second = await _s3.ListKeysAsync(_bucket);
        Assert.True(first.Count > 2);
        Assert.Equal(2, second.Count);
        Assert.Contains("exports/2024-01-15T10:00:00+00:00-2024-01-15T11:00:00+00:00-0.jsonl", second);
        Assert.Empty(await _s3.ListMultipartUploadKeysAsync(_bucket));
    }

    [Fact]
    public async Task WrongSecret_FailsAtOnce_WithAMessageAUserCanActOn()
    {
        await SeedEventsAsync(5);

        var error = await Assert.ThrowsAsync<NonRetryableExportException>(() =>
            Destination().ExportAsync(Source, PipelineRuns.Context("S3", Config(secret: "wrong-secret"), Start, End), CancellationToken.None));

        Assert.Equal("The S3 credentials were rejected: SignatureDoesNotMatch", error.Message);
        Assert.DoesNotContain("wrong-secret", error.Message);
    }

    [Fact]
    public async Task MissingBucket_FailsAtOnce_NamingTheBucket()
    {
        await SeedEventsAsync(5);

        var error = await Assert.ThrowsAsync<NonRetryableExportException>(() =>
            Destination().ExportAsync(Source, PipelineRuns.Context("S3", Config(bucket: "no-such-bucket-here"), Start, End), CancellationToken.None));

        Assert.Equal("The bucket 'no-such-bucket-here' does not exist", error.Message);
    }

    [Fact]
    public async Task UnreachableEndpoint_FailsAtOnce()
    {
        await SeedEventsAsync(5);
        var config = Config();
        config["endpoint_url"] = "http://127.0.0.1:9";

        var error = await Assert.ThrowsAsync<NonRetryableExportException>(() =>
            Destination().ExportAsync(Source, PipelineRuns.Context("S3", config, Start, End), CancellationToken.None));

        Assert.Equal("Could not connect to the S3 endpoint 'http://127.0.0.1:9'", error.Message);
    }

    [Fact]
    public async Task ServerErrors_AreRetryable_AndLeaveNoObjectOrUpload()
    {
        await SeedEventsAsync(50);
        await _s3.InjectFaultAsync(_bucket, "PutObject", "InternalError", count: 20);

        var error = await Assert.ThrowsAsync<S3TransientException>(() =>
            Destination(options: new MultipartUploadOptions { RetryDelay = _ => TimeSpan.Zero }).ExportAsync(Source, 
                PipelineRuns.Context("S3", Config(), Start, End), CancellationToken.None));

        Assert.Contains("InternalError", error.Message);
        Assert.Empty(await _s3.ListKeysAsync(_bucket));
        Assert.Empty(await _s3.ListMultipartUploadKeysAsync(_bucket));
    }

    [Fact]
    public async Task CancellingMidExport_AbortsTheUpload()
    {
        await SeedEventsAsync(3000, propertyBytes: 3000);
        using var cancellation = new CancellationTokenSource();
        // The SDK retries a timeout itself a few times before the upload stream sees it.
        await _s3.InjectFaultAsync(_bucket, "UploadPart", "RequestTimeout", count: 10);

        // The first part's retry is where the run is cancelled: mid-upload, with a multipart upload open.
        var options = new MultipartUploadOptions
        {
            PartSize = MultipartUploadOptions.MinimumPartSize,
            RetryDelay = _ =>
            {
                cancellation.Cancel();
                return TimeSpan.FromSeconds(30);
            },
        };

        await Assert.ThrowsAnyAsync<OperationCanceledException>(() =>
            Destination(batchSize: 100, options).ExportAsync(Source, PipelineRuns.Context("S3", Config(), Start, End), cancellation.Token));

        Assert.Empty(await _s3.ListKeysAsync(_bucket));
        Assert.Empty(await _s3.ListMultipartUploadKeysAsync(_bucket));
    }

    [Fact]
    public async Task IncludeExcludeAndPropertyFilters_ChooseTheRows()
    {
        var seeded = await SeedEventsAsync(100);
        var config = Config();
        config["exclude_events"] = new JsonArray("purchase");
        var filters = JsonNode.Parse("""[{"key": "$browser", "type": "event", "operator": "exact", "value": "Chrome"}, {"key": "price", "type": "event", "operator": "gte", "value": 50}]""")!.AsArray();

        var outcome = await Destination().ExportAsync(Source, PipelineRuns.Context("S3", config, Start, End, filters: filters), CancellationToken.None);

        var rows = Lines(await _s3.ReadObjectAsync(_bucket, Assert.Single(await _s3.ListKeysAsync(_bucket))));
        var expected = seeded.Where((e, i) => e.Event != "purchase" && i % 2 == 0 && i >= 50).Select(e => e.Uuid.ToString()).Order().ToList();
        Assert.Equal(expected, rows.Select(r => r.GetProperty("uuid").GetString()!).Order().ToList());
        Assert.Equal(expected.Count, outcome.RecordsCompleted);
    }

    [Fact]
    public async Task CustomSchema_WritesItsColumns_PlusInsertedAt()
    {
        await SeedEventsAsync(10);
        var schema = Core.Domain.Schemas.HogQLSelectParser.Parse("SELECT event, properties.$browser AS browser, distinct_id FROM events").ToJson();

        await Destination().ExportAsync(Source, PipelineRuns.Context("S3", Config(), Start, End, schema: schema), CancellationToken.None);

        var rows = Lines(await _s3.ReadObjectAsync(_bucket, Assert.Single(await _s3.ListKeysAsync(_bucket))));
        Assert.Equal(["event", "browser", "distinct_id", "_inserted_at"], rows[0].EnumerateObject().Select(p => p.Name).ToArray());
        Assert.Contains(rows, r => r.GetProperty("browser").GetString() == "Chrome");
    }

    [Fact]
    public async Task PersonsAndSessions_ExportTheirColumns()
    {
        await using (var db = Db())
        {
            var sourcePerson = new SourcePerson { Id = Guid.NewGuid(), TeamId = 1, Properties = "{\"email\": \"p@example.com\"}", Version = 3, CreatedAt = Start, InsertedAt = Start.AddMinutes(5) };
            db.Persons.Add(sourcePerson);
            db.PersonDistinctIds.Add(new SourcePersonDistinctId { TeamId = 1, DistinctId = "d1", PersonId = sourcePerson.Id, Version = 1, InsertedAt = Start.AddMinutes(5) });
            db.Sessions.Add(new SourceSession
            {
                SessionId = Guid.NewGuid(), TeamId = 1, DistinctId = "d1", StartTimestamp = Start, EndTimestamp = Start.AddMinutes(30),
                Urls = ["https://a.example/", "https://a.example/pricing"], NumUniqUrls = 2, PageviewCount = 2, InsertedAt = Start.AddMinutes(31),
            });
            await db.SaveChangesAsync();
        }

        await Destination().ExportAsync(Source, PipelineRuns.Context("S3", Config(prefix: "p/"), Start, End, model: ExportModels.Persons), CancellationToken.None);
        await Destination().ExportAsync(Source, PipelineRuns.Context("S3", Config(prefix: "s/"), Start, End, model: ExportModels.Sessions), CancellationToken.None);

        var person = Assert.Single(Lines(await _s3.ReadObjectAsync(_bucket, Assert.Single(await _s3.ListKeysAsync(_bucket, "p/")))));
        Assert.Equal("d1", person.GetProperty("distinct_id").GetString());
        Assert.Equal("p@example.com", person.GetProperty("properties").GetProperty("email").GetString());
        Assert.Equal(3, person.GetProperty("person_version").GetInt64());
        var session = Assert.Single(Lines(await _s3.ReadObjectAsync(_bucket, Assert.Single(await _s3.ListKeysAsync(_bucket, "s/")))));
        Assert.Equal(2, session.GetProperty("urls").GetArrayLength());
        Assert.Equal(2, session.GetProperty("pageview_count").GetInt64());
    }

    [Fact]
    public async Task BackfillRuns_SelectByEventTime()
    {
        await using (var db = Db())
        {
            // Happened inside the interval, ingested a day later: only a backfill of the interval sees it.
            db.Events.Add(new SourceEvent { Uuid = Guid.NewGuid(), TeamId = 1, Event = "late", DistinctId = "x", Timestamp = Start.AddMinutes(1), CreatedAt = Start, InsertedAt = Start.AddDays(1) });
            await db.SaveChangesAsync();
        }

        var scheduled = await Destination().ExportAsync(Source, PipelineRuns.Context("S3", Config(prefix: "a/"), Start, End), CancellationToken.None);
        var backfill = await Destination().ExportAsync(Source, PipelineRuns.Context("S3", Config(prefix: "b/"), Start, End, backfill: true), CancellationToken.None);

        Assert.Equal(0, scheduled.RecordsCompleted);
        Assert.Equal(1, backfill.RecordsCompleted);
    }

    private static List<JsonElement> Lines(byte[] content) =>
        System.Text.Encoding.UTF8.GetString(content).Split('\n', StringSplitOptions.RemoveEmptyEntries)
            .Select(line => JsonDocument.Parse(line).RootElement.Clone()).ToList();
}
