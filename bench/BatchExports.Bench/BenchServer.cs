using System.Diagnostics;
using System.Globalization;
using System.Net;
using System.Net.Http.Headers;
using System.Net.Http.Json;
using System.Net.Sockets;
using System.Security.Cryptography;
using System.Text.Json.Nodes;
using Npgsql;

/// <summary>
/// <c>serve</c> (the API with its embedded engine) as a child process on the benchmark's database, driven through
/// its HTTP API with a personal API key, as a user would.
/// </summary>
sealed class BenchServer : IAsyncDisposable
{
    private readonly Process _process;
    private readonly HttpClient _http;
    private bool _disposed;

    private BenchServer(Process process, HttpClient http, string logPath)
    {
        (_process, _http, LogPath) = (process, http, logPath);
    }

    public Uri BaseAddress => _http.BaseAddress!;

    public int ProcessId => _process.Id;

    public string LogPath { get; }

    public static async Task<BenchServer> StartAsync(string connectionString)
    {
        var key = "phx_bench" + Convert.ToHexString(RandomNumberGenerator.GetBytes(16)).ToLowerInvariant();
        var port = FreePort();
        var logPath = Path.Combine(Path.GetTempPath(), $"bench-serve-{Environment.ProcessId}.log");
        var start = new ProcessStartInfo("dotnet", [Path.Combine(AppContext.BaseDirectory, "BatchExports.Api.dll"), "serve", "--bootstrap", "--urls", $"http://127.0.0.1:{port}"])
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
        };
        // The test kit's throwaway cluster hands out unpooled connection strings (so a database can be dropped at once);
        // `serve` as a user runs it pools connections (Npgsql's default), and without a pool every request and every
        // engine step forks a PostgreSQL backend: at the bench's 50 status polls a second that doubled PostgreSQL's CPU
        // during a backfill. BENCH_POOLING=0 measures the unpooled way, as the figures before 2026-12-02 were taken.
        start.Environment["ConnectionStrings__BatchExports"] = new NpgsqlConnectionStringBuilder(connectionString)
        {
            Pooling = Environment.GetEnvironmentVariable("BENCH_POOLING") != "0",
        }.ConnectionString;
        start.Environment["BATCH_EXPORTS_BOOTSTRAP_API_KEY"] = key;
        // BENCH_SERVE_X=v sets X=v for `serve` alone (runtime settings such as DOTNET_TieredPGO tried on the server
        // without changing the in-process pipeline it is compared with).
        foreach (System.Collections.DictionaryEntry variable in Environment.GetEnvironmentVariables())
        {
            if (variable.Key is string name && name.StartsWith("BENCH_SERVE_", StringComparison.Ordinal))
            {
                start.Environment[name["BENCH_SERVE_".Length..]] = variable.Value as string;
            }
        }
        var process = Process.Start(start)!;
        var log = new StreamWriter(logPath) { AutoFlush = true };
        // Console output goes to a file, as a service's would; the two pipes are drained so the server never blocks on them.
        process.OutputDataReceived += (_, line) => { lock (log) { log.WriteLine(line.Data); } };
        process.ErrorDataReceived += (_, line) => { lock (log) { log.WriteLine(line.Data); } };
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();

        var http = new HttpClient { BaseAddress = new Uri($"http://127.0.0.1:{port}/") };
        http.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", key);
        var server = new BenchServer(process, http, logPath);
        for (var attempt = 0; ; attempt++)
        {
            try
            {
                using var health = await http.GetAsync("_health");
                if (health.IsSuccessStatusCode)
                {
                    return server;
                }
            }
            catch (HttpRequestException) when (attempt < 600 && !process.HasExited)
            {
            }

            if (attempt >= 600 || process.HasExited)
            {
                await server.DisposeAsync();
                throw new InvalidOperationException($"serve did not start; see {logPath}");
            }

            await Task.Delay(200);
        }
    }

    /// <summary>Creates an S3 export (interval hour) and times one backfill of it from the POST to Completed.</summary>
    public async Task<(TimeSpan Elapsed, long Records, long IdleRss, long PeakRss, string Steps)> BackfillAsync(
        JsonObject config, DateTimeOffset start, DateTimeOffset end)
    {
        var created = await PostAsync("api/projects/@current/batch_exports/", new JsonObject
        {
            ["name"] = $"bench {Guid.NewGuid():N}",
            ["interval"] = "hour",
            ["destination"] = new JsonObject { ["type"] = "S3", ["config"] = config.DeepClone() },
        });
        var export = $"api/projects/@current/batch_exports/{created["id"]!.GetValue<string>()}/";

        GC.Collect();
        var idle = Rss();
        long peak = idle;
        var posted = DateTimeOffset.UtcNow;
        var stopwatch = Stopwatch.StartNew();
        var backfill = await PostAsync(export + "backfills/", new JsonObject { ["start_at"] = start.ToString("O"), ["end_at"] = end.ToString("O") });
        var url = $"{export}backfills/{backfill["backfill_id"]!.GetValue<string>()}/";
        while (true)
        {
            peak = Math.Max(peak, Rss());
            var status = (await _http.GetFromJsonAsync<JsonObject>(url))!["status"]!.GetValue<string>();
            if (status == "Completed")
            {
                break;
            }

            if (status is "Failed" or "FailedRetryable" or "Cancelled" or "ContinuedAsNew" or "Terminated" or "TimedOut")
            {
                throw new InvalidOperationException($"the backfill ended {status}; see {LogPath}");
            }

            await Task.Delay(20);
        }

        stopwatch.Stop();
        var runs = (await _http.GetFromJsonAsync<JsonObject>(export + "runs/"))!["results"]!.AsArray();
        var records = runs.Sum(run => run!["records_completed"]?.GetValue<long>() ?? 0);
        return (stopwatch.Elapsed, records, idle, peak, await StepsAsync(export, posted, posted + stopwatch.Elapsed));
    }

    /// <summary>
    /// Where the time between the POST and the Completed status went, from the run's start and finish log lines
    /// (stored with the server's clock, the same machine's as ours): before the run started, the run, after it.
    /// </summary>
    private async Task<string> StepsAsync(string export, DateTimeOffset posted, DateTimeOffset seenCompleted)
    {
        var lines = (await _http.GetFromJsonAsync<JsonObject>(export + "logs/?limit=100"))!["results"]!.AsArray()
            .Select(l => (Time: DateTimeOffset.Parse(l!["timestamp"]!.GetValue<string>(), CultureInfo.InvariantCulture), Message: l["message"]!.GetValue<string>()))
            .ToList();
        var started = lines.Where(l => l.Message.StartsWith("Batch exporting range", StringComparison.Ordinal)).Select(l => l.Time).DefaultIfEmpty().Min();
        var finished = lines.Where(l => l.Message.Contains("finished successfully", StringComparison.Ordinal)).Select(l => l.Time).DefaultIfEmpty().Max();
        return started == default || finished == default
            ? "steps: no start/finish log lines"
            : $"POST → run started {(started - posted).TotalMilliseconds:0} ms, run {(finished - started).TotalSeconds:0.00} s, finished → Completed seen {(seenCompleted - finished).TotalMilliseconds:0} ms";
    }

    /// <summary>
    /// Waits until `serve` has been idle for a second (under 20 ms of CPU), at most a minute: after its first exports
    /// the runtime goes on compiling their hot methods in the background, which would otherwise run beside the next case.
    /// Returns the time waited and the CPU seconds `serve` spent meanwhile.
    /// </summary>
    public async Task<(TimeSpan Waited, double CpuSeconds)> SettleAsync()
    {
        var stopwatch = Stopwatch.StartNew();
        var first = Cpu();
        var last = first;
        while (stopwatch.Elapsed < TimeSpan.FromMinutes(1))
        {
            await Task.Delay(1000);
            var now = Cpu();
            if (now - last < 0.02)
            {
                break;
            }

            last = now;
        }

        return (stopwatch.Elapsed, Cpu() - first);
    }

    private double Cpu()
    {
        _process.Refresh();
        return _process.TotalProcessorTime.TotalSeconds;
    }

    private long Rss()
    {
        _process.Refresh();
        return _process.WorkingSet64;
    }

    private async Task<JsonObject> PostAsync(string path, JsonObject body)
    {
        using var response = await _http.PostAsJsonAsync(path, body);
        var text = await response.Content.ReadAsStringAsync();
        if (!response.IsSuccessStatusCode)
        {
            throw new InvalidOperationException($"POST {path}: {(int)response.StatusCode} {text}");
        }

        return JsonNode.Parse(text)!.AsObject();
    }

    private static int FreePort()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        return ((IPEndPoint)listener.LocalEndpoint).Port;
    }

    public async ValueTask DisposeAsync()
    {
        if (_disposed)
        {
            return;
        }

        _disposed = true;
        _http.Dispose();
        if (!_process.HasExited)
        {
            _process.Kill(entireProcessTree: true);
            await _process.WaitForExitAsync();
        }

        _process.Dispose();
    }
}
