using System.Collections.Concurrent;
using System.Text.Json.Nodes;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;

namespace BatchExports.Pipeline.Tests.Destinations.Http;

/// <summary>
/// A real HTTP server on loopback (Kestrel) standing in for PostHog's <c>/batch/</c> endpoint: it keeps every request
/// it gets and answers with what <see cref="Respond"/> says.
/// </summary>
internal sealed class CaptureServer : IAsyncDisposable
{
    private readonly WebApplication _app;
    private readonly ConcurrentQueue<CapturedRequest> _requests = new();

    private CaptureServer(WebApplication app)
    {
        _app = app;
    }

    /// <summary>The status and body to answer the n-th request (0-based) with; 200 <c>{"status": 1}</c> by default.</summary>
    public Func<int, (int Status, string Body)> Respond { get; set; } = _ => (200, """{"status": 1}""");

    public string BatchUrl { get; private set; } = "";

    public IReadOnlyList<CapturedRequest> Requests => [.. _requests];

    public static async Task<CaptureServer> StartAsync()
    {
        var builder = WebApplication.CreateSlimBuilder();
        builder.WebHost.UseKestrel(options => options.Limits.MaxRequestBodySize = null).UseUrls("http://127.0.0.1:0");
        builder.Logging.ClearProviders();
        var app = builder.Build();
        var server = new CaptureServer(app);
        app.MapPost("/batch/", server.HandleAsync);
        await app.StartAsync();
        var address = app.Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()!.Addresses.Single();
        server.BatchUrl = address.TrimEnd('/') + "/batch/";
        return server;
    }

    public async ValueTask DisposeAsync()
    {
        await _app.StopAsync();
        await _app.DisposeAsync();
    }

    private async Task HandleAsync(HttpContext context)
    {
        using var reader = new StreamReader(context.Request.Body);
        var body = await reader.ReadToEndAsync();
        var index = _requests.Count;
        _requests.Enqueue(new CapturedRequest(context.Request.ContentType, body));
        var (status, answer) = Respond(index);
        context.Response.StatusCode = status;
        await context.Response.WriteAsync(answer);
    }
}

internal sealed record CapturedRequest(string? ContentType, string Body)
{
    public JsonObject Json => JsonNode.Parse(Body)!.AsObject();

    public JsonArray Batch => Json["batch"]!.AsArray();
}
