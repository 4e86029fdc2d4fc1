using BatchExports.Testing;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.Hosting;

namespace BatchExports.Worker.Tests.Live;

/// <summary>
/// A live Temporal, when one is given (<c>TEMPORAL_ADDRESS</c>, e.g. <c>127.0.0.1:7233</c> after
/// <c>docker compose up temporal</c>): the API in Temporal mode and a real, started worker host, on the same
/// database and on a task queue of their own so concurrent runs do not pick up each other's work. Without the
/// variable nothing is started and each test skips with the reason.
/// </summary>
public sealed class LiveTemporal : ApiFactory
{
    public const string AddressVariable = "TEMPORAL_ADDRESS";

    private readonly string _taskQueue = $"batch-exports-live-{Guid.NewGuid():N}";
    private IHost? _worker;

    public static string? Address => Environment.GetEnvironmentVariable(AddressVariable) is { Length: > 0 } address ? address : null;

    protected override IDictionary<string, string?> Settings => new Dictionary<string, string?>
    {
        ["BatchExports:Engine:Kind"] = "Temporal",
        ["Temporal:Address"] = Address,
        ["Temporal:Namespace"] = Environment.GetEnvironmentVariable("TEMPORAL_NAMESPACE") ?? "default",
        ["Temporal:TaskQueue"] = _taskQueue,
        ["Serilog:MinimumLevel:Default"] = "Warning",
    };

    /// <summary>Skips the calling test unless a server was given.</summary>
    public static void RequireServer() =>
        Assert.SkipWhen(Address == null,
            $"No Temporal server to test against: set {AddressVariable} (e.g. `docker compose up temporal`, then {AddressVariable}=127.0.0.1:7233 scripts/test). Everything that can be proven without a server is in the other Worker tests.");

    public override async ValueTask InitializeAsync()
    {
        if (Address == null)
        {
            return;
        }

        await base.InitializeAsync();
        _worker = WorkerHost.Build([], c => c.AddInMemoryCollection(new Dictionary<string, string?>(Settings)
        {
            ["ConnectionStrings:BatchExports"] = ConnectionString,
            ["BatchExports:EncryptionKey"] = EncryptionKey,
        }));
        await _worker.StartAsync();
    }

    public override async ValueTask DisposeAsync()
    {
        if (_worker != null)
        {
            await _worker.StopAsync();
            _worker.Dispose();
        }

        await base.DisposeAsync();
    }

    /// <summary>Polls until <paramref name="condition"/> holds (a live server works in its own time).</summary>
    public static async Task EventuallyAsync(Func<Task<bool>> condition, string what, int seconds = 90)
    {
        var until = DateTime.UtcNow.AddSeconds(seconds);
        while (!await condition())
        {
            if (DateTime.UtcNow > until)
            {
                Assert.Fail($"Not within {seconds} s: {what}.");
            }

            await Task.Delay(500);
        }
    }
}
