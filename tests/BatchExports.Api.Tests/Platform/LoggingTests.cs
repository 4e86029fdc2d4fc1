using System.Net;
using BatchExports.Api.Hosting;
using BatchExports.Testing;
using Microsoft.AspNetCore.Hosting;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Serilog;
using static BatchExports.Testing.BatchExportsOperations;

namespace BatchExports.Api.Tests.Platform;

/// <summary>Whatever is logged, at any level, carries no API key, no secret and no destination config.</summary>
public sealed class LoggingTests : IAsyncLifetime
{
    private readonly string _logFile = Path.Combine(Path.GetTempPath(), $"bx-log-{Guid.NewGuid():N}.txt");
    private LoggingFactory _factory = null!;

    public async ValueTask InitializeAsync()
    {
        _factory = new LoggingFactory(_logFile);
        await _factory.InitializeAsync();
    }

    public async ValueTask DisposeAsync()
    {
        await _factory.DisposeAsync();
        File.Delete(_logFile);
    }

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
        await _factory.DisposeAsync();

        var log = await File.ReadAllTextAsync(_logFile);
        Assert.Contains("HTTP GET /api/projects/", log);
        Assert.Contains("Request starting", log);
        Assert.DoesNotContain(tenant.ApiKey[4..], log);
        Assert.DoesNotContain("WrongKeyInTheQueryString", log);
        Assert.DoesNotContain("super-secret-value", log);
        Assert.DoesNotContain("rotated-secret-value", log);
        Assert.DoesNotContain("AKIAEXAMPLE", log);
    }

    private sealed class LoggingFactory(string logFile) : ApiFactory
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
                ApiHost.ConfigureLogging(logger, provider.GetRequiredService<IConfiguration>()).WriteTo.File(logFile)));
        }
    }
}
