using BatchExports.Pipeline.Tests.Sources;
using System.IO.Compression;
using System.Text;
using System.Text.Json.Nodes;
using BatchExports.Core.Domain;
using BatchExports.Pipeline.Destinations;
using BatchExports.Pipeline.Destinations.Redshift;
using BatchExports.Pipeline.Destinations.Tables;
using BatchExports.Pipeline.Runs;
using BatchExports.Pipeline.Sources;
using BatchExports.Testing;

namespace BatchExports.Pipeline.Tests.Destinations.Redshift;

/// <summary>
/// COPY mode's staged file, written to a real S3-compatible server and read back: one gzip JSONLines object whose keys
/// are the table's columns, JSON kept as text for VARCHAR columns and nested for SUPER ones.
/// </summary>
public sealed class RedshiftCopyUploadTests
{
    private static readonly DateTimeOffset InInterval = DestinationRuns.Start.AddMinutes(10);

    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public async Task Stages_the_interval_as_gzip_JSONLines_keyed_by_column(bool useSuper)
    {
        var source = await SourceData.CreateAsync();
        var uuid = Guid.NewGuid();
        await source.InsertEventAsync(uuid, "$pageview", InInterval, properties: """{"$ip": "10.1.1.1", "$set": {"a": 1}}""");
        await source.InsertEventAsync(Guid.NewGuid(), "other", InInterval.AddSeconds(1));
        var s3 = await S3TestServer.GetAsync();
        var bucket = s3.Settings(await s3.CreateBucketAsync());
        var export = new BatchExport { Model = ExportModels.Events, TeamId = DestinationRuns.TeamId };
        var query = SourceRequests.Records(export, new JsonObject(), new DataInterval(DestinationRuns.Start, DestinationRuns.End), false, RedshiftTables.EventFields);
        var layout = RedshiftTables.For(export, query.Columns, useSuper);
        using var client = s3.CreateClient();

        await using var records = new RecordStream(new SourceRead(query.Columns, source.Source.ReadAsync(query, 1, CancellationToken.None)), CancellationToken.None);
        var (rows, bytes) = await RedshiftCopyUpload.UploadAsync(client, bucket, "staged/events.jsonl.gz", layout.Columns,
            new RowProjection(query.Columns, layout.Columns), (await records.NextAsync())!, records, CancellationToken.None);

        Assert.Equal(2, rows);
        var stored = await s3.ReadObjectAsync(bucket.BucketName, "staged/events.jsonl.gz");
        Assert.Equal(stored.Length, bytes);
        using var gunzip = new StreamReader(new GZipStream(new MemoryStream(stored), CompressionMode.Decompress), Encoding.UTF8);
        var lines = (await gunzip.ReadToEndAsync()).Split('\n', StringSplitOptions.RemoveEmptyEntries).Select(l => JsonNode.Parse(l)!.AsObject()).ToList();
        Assert.Equal(2, lines.Count);
        var first = lines[0];
        Assert.Equal(layout.Columns.Select(c => c.Name), first.Select(p => p.Key));
        Assert.Equal(uuid.ToString(), (string?)first["uuid"]);
        Assert.Equal(2, (int)first["team_id"]!);
        Assert.Equal("", (string?)first["elements"]);
        Assert.Equal("", (string?)first["site_url"]);
        Assert.Equal("10.1.1.1", (string?)first["ip"]);
        Assert.Equal("2024-01-01T10:10:00+00:00", (string?)first["timestamp"]);
        if (useSuper)
        {
            Assert.True(JsonNode.DeepEquals(JsonNode.Parse("""{"a": 1}"""), first["set"]));
        }
        else
        {
            Assert.Equal("""{"a": 1}""", (string?)first["set"]);
        }
    }
}
