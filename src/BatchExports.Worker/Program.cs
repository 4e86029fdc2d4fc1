using BatchExports.Temporal;
using BatchExports.Worker;
using Microsoft.Extensions.Options;
using Temporalio.Client;

// Connect first, so a worker that cannot reach Temporal says so in one line and exits non-zero, rather than logging
// a stack trace and (as the hosted worker would) stopping with exit code 0.
using var host = WorkerHost.Build(args);
var options = host.Services.GetRequiredService<IOptions<TemporalOptions>>().Value;
try
{
    await host.Services.GetRequiredService<ITemporalClient>().Connection.ConnectAsync();
}
catch (InvalidOperationException exception)
{
    await Console.Error.WriteLineAsync($"error: cannot reach Temporal at {options.Address} (namespace '{options.Namespace}'): {exception.Message}");
    return 1;
}

await host.RunAsync();

// The hosted worker stops the host when it fails (e.g. Temporal went away for good): that is not a clean exit.
var failed = host.Services.GetServices<IHostedService>().OfType<BackgroundService>().Any(s => s.ExecuteTask is { IsFaulted: true });
if (failed)
{
    await Console.Error.WriteLineAsync($"error: the Temporal worker on task queue '{options.TaskQueue}' at {options.Address} stopped with an error.");
}

return failed ? 1 : 0;
