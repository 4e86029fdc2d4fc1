using BatchExports.Pipeline.Tests.Sources;
using BatchExports.Testing;
using System.Net;
using System.Net.Http;
using System.Net.Sockets;
using System.Text;
using System.Text.Json.Nodes;
using BatchExports.Core.Domain;
using BatchExports.Pipeline.Destinations.Http;
using BatchExports.Pipeline.Runs;
using Microsoft.Extensions.DependencyInjection;

namespace BatchExports.Pipeline.Tests.Destinations.Http;

/// <summary>The HTTP destination posting to a real HTTP server on loopback, reading from a real source database.</summary>
public sealed class HttpDestinationTests
{
    private const string Token = "phc_project_token_7c1d";

    private static readonly DateTimeOffset InInterval = DestinationRuns.Start.AddMinutes(10);

    [Fact]
    public async Task Posts_events_in_PostHogs_migration_batch_format()
    {
        var source = await SourceData.CreateAsync();
        await using var server = await CaptureServer.StartAsync();
        var pageview = Guid.NewGuid();
        var autocapture = Guid.NewGuid();
        await source.InsertEventAsync(pageview, "$pageview", InInterval, properties: """{"$browser": "Firefox", "$geoip_disable": false, "nested": {"a": [1, "é"]}}""");
        await source.InsertEventAsync(autocapture, "$autocapture", InInterval.AddSeconds(1), distinctId: "user-2", elementsChain: "a:href=\"/x\"");
        await source.InsertEventAsync(Guid.NewGuid(), "$pageview", DestinationRuns.End);

        var outcome = await Resolve(source).ExportAsync(source.Source, DestinationRuns.Context(HttpDefinition.TypeName, Config(server)), CancellationToken.None);

        var request = Assert.Single(server.Requests);
        Assert.Equal("application/json", request.ContentType);
        Assert.Equal(2, outcome.RecordsCompleted);
        Assert.Equal(Encoding.UTF8.GetByteCount(request.Body), outcome.BytesExported);
        var body = request.Json;
        Assert.Equal(Token, (string?)body["api_key"]);
        Assert.True((bool)body["historical_migration"]!);
        Assert.True(JsonNode.DeepEquals(
            JsonNode.Parse($$$"""
                [
                  {"uuid": "{{{pageview}}}", "distinct_id": "user-1", "timestamp": "2024-01-01T10:10:00Z", "event": "$pageview",
                   "properties": {"$browser": "Firefox", "nested": {"a": [1, "é"]}, "$geoip_disable": true}},
                  {"uuid": "{{{autocapture}}}", "distinct_id": "user-2", "timestamp": "2024-01-01T10:10:01Z", "event": "$autocapture",
                   "properties": {"$geoip_disable": true, "$elements_chain": "a:href=\"/x\""}}
                ]
                """),
            body["batch"]),
            body["batch"]!.ToJsonString());
    }

    [Fact]
    public async Task Splits_the_interval_into_batches_bounded_by_count_and_size()
    {
        var source = await SourceData.CreateAsync();
        await using var server = await CaptureServer.StartAsync();
        for (var i = 0; i < 5; i++)
        {
            await source.InsertEventAsync(Guid.NewGuid(), $"event-{i}", InInterval.AddSeconds(i));
        }

        var byCount = new HttpDestination(HttpClients()) { MaxBatchRecords = 2, BatchSize = 3 };
        var outcome = await byCount.ExportAsync(source.Source, DestinationRuns.Context(HttpDefinition.TypeName, Config(server)), CancellationToken.None);
        Assert.Equal(5, outcome.RecordsCompleted);
        Assert.Equal([2, 2, 1], server.Requests.Select(r => r.Batch.Count));
        Assert.Equal(Enumerable.Range(0, 5).Select(i => $"event-{i}"), server.Requests.SelectMany(r => r.Batch).Select(e => (string?)e!["event"]));

        await using var second = await CaptureServer.StartAsync();
        var bySize = new HttpDestination(HttpClients()) { MaxBatchBytes = 1 };
        await bySize.ExportAsync(source.Source, DestinationRuns.Context(HttpDefinition.TypeName, Config(second)), CancellationToken.None);
        Assert.Equal([1, 1, 1, 1, 1], second.Requests.Select(r => r.Batch.Count));
    }

    [Fact]
    public async Task Leaves_out_excluded_events()
    {
        var source = await SourceData.CreateAsync();
        await using var server = await CaptureServer.StartAsync();
        await source.InsertEventAsync(Guid.NewGuid(), "$pageview", InInterval);
        await source.InsertEventAsync(Guid.NewGuid(), "signed_up", InInterval);
        var config = Config(server);
        config["exclude_events"] = new JsonArray("$pageview");

        var outcome = await Resolve(source).ExportAsync(source.Source, DestinationRuns.Context(HttpDefinition.TypeName, config), CancellationToken.None);

        Assert.Equal(1, outcome.RecordsCompleted);
        Assert.Equal(["signed_up"], server.Requests.SelectMany(r => r.Batch).Select(e => (string?)e!["event"]));
    }

    [Fact]
    public async Task An_empty_interval_posts_nothing()
    {
        var source = await SourceData.CreateAsync();
        await using var server = await CaptureServer.StartAsync();

        var outcome = await Resolve(source).ExportAsync(source.Source, DestinationRuns.Context(HttpDefinition.TypeName, Config(server)), CancellationToken.None);

        Assert.Equal(new RunOutcome(0, 0), outcome);
        Assert.Empty(server.Requests);
    }

    [Fact]
    public async Task A_4xx_answer_fails_the_run_with_its_status_and_body_but_not_the_token()
    {
        var source = await SourceData.CreateAsync();
        await using var server = await CaptureServer.StartAsync();
        server.Respond = _ => (400, $$"""{"type": "validation_error", "detail": "Invalid token {{Token}}"}""");
        await source.InsertEventAsync(Guid.NewGuid(), "$pageview", InInterval);

        var error = await Assert.ThrowsAsync<NonRetryableExportException>(() =>
            Resolve(source).ExportAsync(source.Source, DestinationRuns.Context(HttpDefinition.TypeName, Config(server)), CancellationToken.None));

        Assert.Equal("""NonRetryableResponseError (status: 400): {"type": "validation_error", "detail": "Invalid token ***"}""", error.Message);
    }

    [Theory]
    [InlineData(429)]
    [InlineData(500)]
    [InlineData(503)]
    public async Task Throttling_and_server_errors_are_retried(int status)
    {
        var source = await SourceData.CreateAsync();
        await using var server = await CaptureServer.StartAsync();
        server.Respond = _ => (status, "try later");
        await source.InsertEventAsync(Guid.NewGuid(), "$pageview", InInterval);

        var error = await Assert.ThrowsAsync<RetryableResponseException>(() =>
            Resolve(source).ExportAsync(source.Source, DestinationRuns.Context(HttpDefinition.TypeName, Config(server)), CancellationToken.None));

        Assert.Equal($"RetryableResponseError (status: {status}): try later", error.Message);
    }

    [Fact]
    public async Task An_unreachable_server_is_a_transient_error()
    {
        var source = await SourceData.CreateAsync();
        await source.InsertEventAsync(Guid.NewGuid(), "$pageview", InInterval);
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        var port = ((IPEndPoint)listener.LocalEndpoint).Port;
        listener.Stop();
        var config = new JsonObject { ["url"] = $"http://127.0.0.1:{port}/batch/", ["token"] = Token };

        var error = await Assert.ThrowsAsync<HttpRequestException>(() =>
            Resolve(source).ExportAsync(source.Source, DestinationRuns.Context(HttpDefinition.TypeName, config), CancellationToken.None));

        Assert.DoesNotContain(Token, error.ToString(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task Refuses_models_other_than_events()
    {
        var source = await SourceData.CreateAsync();
        await using var server = await CaptureServer.StartAsync();

        var error = await Assert.ThrowsAsync<NonRetryableExportException>(() =>
            Resolve(source).ExportAsync(source.Source, DestinationRuns.Context(HttpDefinition.TypeName, Config(server), ExportModels.Persons), CancellationToken.None));

        Assert.Equal("HTTP batch exports only export events, not persons.", error.Message);
    }

    private static JsonObject Config(CaptureServer server) => new() { ["url"] = server.BatchUrl, ["token"] = Token };

    /// <summary>The HTTP destination as the pipeline registers it.</summary>
    private static HttpDestination Resolve(SourceData source) =>
        PipelineServices.Build(source).GetServices<IDestination>().OfType<HttpDestination>().Single();

    private static IHttpClientFactory HttpClients() =>
        new ServiceCollection().AddHttpClient().BuildServiceProvider().GetRequiredService<IHttpClientFactory>();
}
