using System.Collections.Concurrent;
using System.Net;
using BatchExports.Api.Hosting;
using BatchExports.Testing;
using Microsoft.AspNetCore.Hosting;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Serilog;
using Serilog.Core;
using Serilog.Events;
using static BatchExports.Testing.BatchExportsOperations;

namespace BatchExports.Api.Tests.Platform;

/// <summary>
/// Whatever is logged, at any level, carries no API key, no secret and no destination config; each request is
/// logged once, with the status the client received.
/// </summary>
public sealed class LoggingTests : IAsyncLifetime
{
    private readonly CollectingSink _sink = new();
    private LoggingFactory _factory = null!;

    public async ValueTask InitializeAsync()
    {
        _factory = new LoggingFactory(_sink);
        await _factory.InitializeAsync();
    }

    public async ValueTask DisposeAsync() => await _factory.DisposeAsync();

    [Fact]
    public async Task VerboseLogs_NeverContainKeysOrSecrets()
    {
        var tenant = await _factory.CreateTenantAsync();
        var client = _factory.CreateApiClient(tenant.ApiKey);
        await _factory.CreateApiClient(null).GetAsync($"/api/projects/?personal_api_key={tenant.ApiKey}");
        await _factory.CreateApiClient(null).GetAsync("/api/projects/?personal_api_key=phx_WrongKeyInTheQueryString123");
        var id = (string)(await client.CreateExportOkAsync(tenant.TeamId))["id"]!;
        await client.PatchExportAsync(tenant.TeamId, id, System.Text.Json.Nodes.JsonNode.Parse(
            """{"destination": {"type": "S3", "config": {"aws_secret_access_key": "rotated-secret-value"}}}""")!.AsObject());
        (await client.PostAsync($"{ExportsPath(tenant.TeamId)}/", "{broken")).Expect(HttpStatusCode.BadRequest);

        // A request line is written after its response reached the client, so lines of consecutive requests can
        // arrive in either order: wait for each that is asserted on, then read.
        await _sink.WaitForAsync(e => IsRequest(e, "GET", "/api/projects/"));
        await _sink.WaitForAsync(e => IsRequest(e, "POST", $"{ExportsPath(tenant.TeamId)}/") && Status(e) == 400);
        await _factory.DisposeAsync();

        var log = _sink.Text();
        Assert.Contains(_sink.Events, e => IsRequest(e, "GET", "/api/projects/"));
        Assert.Contains("Request starting", log);
        Assert.DoesNotContain(tenant.ApiKey[4..], log);
        Assert.DoesNotContain("WrongKeyInTheQueryString", log);
        Assert.DoesNotContain("super-secret-value", log);
        Assert.DoesNotContain("rotated-secret-value", log);
        Assert.DoesNotContain("AKIAEXAMPLE", log);
    }

    [Fact]
    public async Task HandledClientErrors_AreLoggedOnceWithTheirStatus_NotAsErrors()
    {
        var tenant = await _factory.CreateTenantAsync();
        var client = _factory.CreateApiClient(tenant.ApiKey);
        var path = $"{ExportsPath(tenant.TeamId)}/";

        (await client.PostAsync(path, "{broken")).Expect(HttpStatusCode.BadRequest);
        (await client.GetAsync($"{path}{Guid.NewGuid()}/")).Expect(HttpStatusCode.NotFound);
        // Each line is written after its response reached the client: the POST's may come after the GET's.
        await _sink.WaitForAsync(e => IsRequest(e, "POST", path));
        await _sink.WaitForAsync(e => IsRequest(e, "GET", path));

        var requests = _sink.Events.Where(e => IsRequest(e, "POST", path) || IsRequest(e, "GET", path)).ToList();
        Assert.Equal([400], requests.Where(e => IsRequest(e, "POST", path)).Select(Status));
        Assert.Equal([404], requests.Where(e => IsRequest(e, "GET", path)).Select(Status));
        Assert.All(requests, e =>
        {
            Assert.Equal(LogEventLevel.Information, e.Level);
            Assert.Null(e.Exception);
        });
        Assert.DoesNotContain(_sink.Events, e => e.Level >= LogEventLevel.Error);
    }

    /// <summary>The request-logging line (RequestLogging's template) of METHOD on a path starting with PATH.</summary>
    private static bool IsRequest(LogEvent e, string method, string path) =>
        e.Properties.TryGetValue("RequestMethod", out var m) && m is ScalarValue { Value: string requestMethod } && requestMethod == method
        && e.Properties.TryGetValue("RequestPath", out var p) && p is ScalarValue { Value: string requestPath } && requestPath.StartsWith(path, StringComparison.Ordinal)
        && e.Properties.ContainsKey("StatusCode");

    private static int? Status(LogEvent e) => e.Properties["StatusCode"] is ScalarValue { Value: int status } ? status : null;

    /// <summary>Keeps every event in memory, so a test reads exactly what the logger received, when it received it.</summary>
    private sealed class CollectingSink : ILogEventSink
    {
        private readonly ConcurrentQueue<LogEvent> _events = new();
        private readonly SemaphoreSlim _arrived = new(0);

        public IReadOnlyList<LogEvent> Events => [.. _events];

        public void Emit(LogEvent logEvent)
        {
            _events.Enqueue(logEvent);
            _arrived.Release();
        }

        public async Task WaitForAsync(Func<LogEvent, bool> condition)
        {
            using var timeout = CancellationTokenSource.CreateLinkedTokenSource(TestContext.Current.CancellationToken);
            timeout.CancelAfter(TimeSpan.FromSeconds(30));
            while (!_events.Any(condition))
            {
                await _arrived.WaitAsync(timeout.Token);
            }
        }

        /// <summary>Messages, property values and exceptions: everything a sink could write.</summary>
        public string Text() => string.Join('\n', _events.Select(e =>
            $"{e.RenderMessage()} {string.Join(' ', e.Properties.Select(p => $"{p.Key}={p.Value}"))} {e.Exception}"));
    }

    private sealed class LoggingFactory(CollectingSink sink) : ApiFactory
    {
        protected override IDictionary<string, string?> Settings => new Dictionary<string, string?>
        {
            ["Serilog:MinimumLevel:Default"] = "Verbose",
            ["Serilog:MinimumLevel:Override:Microsoft"] = "Verbose",
            ["Serilog:MinimumLevel:Override:Microsoft.AspNetCore"] = "Verbose",
            ["Serilog:MinimumLevel:Override:Microsoft.EntityFrameworkCore"] = "Verbose",
            ["Serilog:MinimumLevel:Override:Microsoft.EntityFrameworkCore.Database.Command"] = "Verbose",
        };

        protected override void ConfigureWebHost(IWebHostBuilder builder)
        {
            base.ConfigureWebHost(builder);

            // The production logger, with one more sink that the test can read.
            builder.ConfigureServices(services => services.AddSerilog((provider, logger) =>
                ApiHost.ConfigureLogging(logger, provider.GetRequiredService<IConfiguration>()).WriteTo.Sink(sink)));
        }
    }
}
