using System.IO.Compression;
using System.Net;
using System.Text;
using System.Text.Json.Nodes;
using BatchExports.Core.Domain;
using BatchExports.Pipeline.Destinations.FileDownload;
using BatchExports.Testing;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using Parquet;

namespace BatchExports.Api.Tests.FileDownloads;

/// <summary>Each test gets its own database, API and data directory: the engine executes every claimable run it sees.</summary>
public abstract class FileDownloadTest : IAsyncLifetime
{
    protected FileDownloadApiFactory Factory { get; } = new();

    /// <summary>A fixed past week that every seeded event falls in.</summary>
    protected static readonly DateTimeOffset WeekStart = new(2024, 3, 4, 0, 0, 0, TimeSpan.Zero);

    protected virtual void Configure(Dictionary<string, string?> settings)
    {
    }

    public virtual ValueTask InitializeAsync()
    {
        Configure(Factory.Extra);
        return Factory.InitializeAsync();
    }

    public virtual async ValueTask DisposeAsync()
    {
        await Factory.DisposeAsync();
        GC.SuppressFinalize(this);
    }

    protected static string DownloadsPath(int teamId, string family = "projects") => $"/api/{family}/{teamId}/file_download_batch_exports";

    protected static JsonObject Body(string format = "Parquet", string? compression = null, int? maxSizeMb = null, string model = "events") => new()
    {
        ["file"] = new JsonObject { ["format"] = format, ["compression"] = compression, ["max_size_mb"] = maxSizeMb },
        ["model"] = model,
        ["data_interval_start"] = WeekStart.ToString("yyyy-MM-ddTHH:mm:ss"),
        ["data_interval_end"] = WeekStart.AddDays(7).ToString("yyyy-MM-ddTHH:mm:ss"),
    };

    /// <summary><paramref name="count"/> events in the week (one a minute), and one just outside it; returns the uuids inside.</summary>
    protected async Task<IReadOnlyList<Guid>> SeedEventsAsync(int teamId, int count, string eventName = "$pageview")
    {
        var uuids = new List<Guid>();
        await using var db = Factory.CreateDbContext();
        for (var i = 0; i < count; i++)
        {
            var timestamp = WeekStart.AddMinutes(i + 1);
            var uuid = Guid.NewGuid();
            uuids.Add(uuid);
            db.Events.Add(NewEvent(teamId, uuid, eventName, timestamp));
        }

        db.Events.Add(NewEvent(teamId, Guid.NewGuid(), eventName, WeekStart.AddDays(7).AddMinutes(1)));
        await db.SaveChangesAsync();
        return uuids;
    }

    private static SourceEvent NewEvent(int teamId, Guid uuid, string eventName, DateTimeOffset timestamp) => new()
    {
        Uuid = uuid,
        TeamId = teamId,
        Event = eventName,
        DistinctId = $"user-{uuid:N}",
        Properties = new JsonObject { ["$current_url"] = $"https://example.com/{uuid:N}", ["padding"] = new string('x', 200) }.ToJsonString(),
        Timestamp = timestamp,
        CreatedAt = timestamp,
        InsertedAt = timestamp,
    };

    protected async Task<(TestTenant Tenant, ApiClient Client)> TenantAsync(string[]? scopes = null)
    {
        var tenant = await Factory.CreateTenantAsync(scopes);
        return (tenant, Factory.CreateApiClient(tenant.ApiKey));
    }

    protected static async Task<Guid> CreateAsync(ApiClient client, int teamId, JsonObject body) =>
        Guid.Parse((string)(await client.PostAsync($"{DownloadsPath(teamId)}/", body)).Expect(HttpStatusCode.Accepted)["id"]!);

    protected async Task<BatchExportRun> RunAsync(Guid id)
    {
        await using var db = Factory.CreateDbContext();
        return await db.BatchExportRuns.AsNoTracking().SingleAsync(r => r.Id == id);
    }

    protected async Task<List<BatchExportFileDownload>> FilesAsync(Guid runId)
    {
        await using var db = Factory.CreateDbContext();
        return await db.BatchExportFileDownloads.AsNoTracking().Where(f => f.BatchExportRunId == runId).OrderBy(f => f.Key).ToListAsync();
    }

    protected Task<int> RemoveExpiredAsync() =>
        Factory.Services.GetRequiredService<FileDownloadCleanup>().RemoveExpiredAsync(CancellationToken.None);

    /// <summary>A raw GET that does not follow redirects, for the file bytes and headers.</summary>
    protected async Task<HttpResponseMessage> GetRawAsync(string apiKey, string path, Action<HttpRequestMessage>? configure = null)
    {
        var http = Factory.CreateClient(new Microsoft.AspNetCore.Mvc.Testing.WebApplicationFactoryClientOptions { AllowAutoRedirect = false });
        var request = new HttpRequestMessage(HttpMethod.Get, path);
        request.Headers.Authorization = new System.Net.Http.Headers.AuthenticationHeaderValue("Bearer", apiKey);
        configure?.Invoke(request);
        return await http.SendAsync(request);
    }

    /// <summary>The event uuids in a downloaded file, decoded as the user would: Parquet, or (compressed) JSON lines.</summary>
    protected static async Task<List<Guid>> UuidsInAsync(byte[] file, string format, string? compression)
    {
        if (format == "Parquet")
        {
            using var input = new MemoryStream(file);
            await using var reader = await ParquetReader.CreateAsync(input);
            var field = reader.Schema.DataFields.Single(f => f.Name == "uuid");
            var uuids = new List<Guid>();
            for (var i = 0; i < reader.RowGroupCount; i++)
            {
                using var group = reader.OpenRowGroupReader(i);
                var values = new string?[group.RowCount];
                await group.ReadAsync(field, values.AsMemory(), null, CancellationToken.None);
                uuids.AddRange(values.Select(v => Guid.Parse(v!)));
            }

            return uuids;
        }

        using var raw = new MemoryStream(file);
        using Stream decoded = compression switch
        {
            null => raw,
            "gzip" => new GZipStream(raw, CompressionMode.Decompress),
            "brotli" => new BrotliStream(raw, CompressionMode.Decompress),
            _ => throw new ArgumentException(compression),
        };
        using var text = new StreamReader(decoded, Encoding.UTF8);
        var lines = (await text.ReadToEndAsync()).Split('\n', StringSplitOptions.RemoveEmptyEntries);
        return lines.Select(l => Guid.Parse((string)JsonNode.Parse(l)!["uuid"]!)).ToList();
    }
}
