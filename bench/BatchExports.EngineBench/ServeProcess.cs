using System.Diagnostics;
using System.Net.Http.Headers;

namespace BatchExports.EngineBench;

/// <summary>
/// The product as a user runs it: <c>BatchExports.Api.dll serve --migrate --bootstrap</c> in a child process over the
/// benchmark's database, its console output in a file, with an HTTP client holding the bootstrap personal API key.
/// </summary>
public sealed class ServeProcess : IAsyncDisposable
{
    private readonly Process _process;

    private ServeProcess(Process process, HttpClient client, string logPath)
    {
        _process = process;
        Client = client;
        LogPath = logPath;
    }

    public HttpClient Client { get; }

    public string LogPath { get; }

    public static async Task<ServeProcess> StartAsync(string apiDll, string connectionString, IReadOnlyDictionary<string, string> settings)
    {
        var port = 20000 + Random.Shared.Next(20000);
        var key = $"phx_bench{Guid.NewGuid():N}";
        var logPath = Path.Combine(Path.GetTempPath(), $"engine-bench-{port}.log");
        var start = new ProcessStartInfo("dotnet", [apiDll, "serve", "--migrate", "--bootstrap", "--urls", $"http://127.0.0.1:{port}"])
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        start.Environment["ConnectionStrings__BatchExports"] = connectionString;
        start.Environment["BATCH_EXPORTS_BOOTSTRAP_API_KEY"] = key;
        start.Environment["Serilog__MinimumLevel__Default"] = "Warning";
        foreach (var (name, value) in settings)
        {
            start.Environment[name] = value;
        }

        var process = Process.Start(start) ?? throw new InvalidOperationException("could not start serve");
        var log = new StreamWriter(logPath) { AutoFlush = true };
        var sink = new Lock();
        process.OutputDataReceived += (_, e) => { lock (sink) { log.WriteLine(e.Data); } };
        process.ErrorDataReceived += (_, e) => { lock (sink) { log.WriteLine(e.Data); } };
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();

        var client = new HttpClient(new SocketsHttpHandler { MaxConnectionsPerServer = 64, PooledConnectionLifetime = TimeSpan.FromMinutes(10) })
        {
            BaseAddress = new Uri($"http://127.0.0.1:{port}"),
            Timeout = TimeSpan.FromSeconds(60),
        };
        client.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", key);
        var serve = new ServeProcess(process, client, logPath);
        for (var attempt = 0; attempt < 240; attempt++)
        {
            try
            {
                using var health = await client.GetAsync(new Uri("/_health", UriKind.Relative));
                if (health.IsSuccessStatusCode)
                {
                    return serve;
                }
            }
            catch (HttpRequestException)
            {
            }

            if (process.HasExited)
            {
                break;
            }

            await Task.Delay(500);
        }

        await serve.DisposeAsync();
        throw new InvalidOperationException($"serve did not start; see {logPath}");
    }

    public async ValueTask DisposeAsync()
    {
        Client.Dispose();
        if (!_process.HasExited)
        {
            _process.Kill(entireProcessTree: true);
            await _process.WaitForExitAsync();
        }

        _process.Dispose();
    }
}
