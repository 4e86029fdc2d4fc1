using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace BatchExports.Pipeline.Embedded;

/// <summary>
/// The embedded engine: reconciles schedules on start, then ticks schedules and backfills and keeps
/// <see cref="EngineOptions.Concurrency"/> executors claiming runs. Several processes may share one database.
/// </summary>
public sealed class EmbeddedEngine(
    ScheduleReconciler reconciler,
    ScheduleTicker scheduler,
    BackfillDriver backfills,
    RunExecutor executor,
    TimeProvider clock,
    IOptions<EngineOptions> options,
    ILogger<EmbeddedEngine> logger) : BackgroundService
{
    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        if (!options.Value.Enabled)
        {
            return;
        }

        var reconciled = await reconciler.ReconcileAsync(stoppingToken);
        logger.LogInformation("Embedded engine {InstanceId} started with {Concurrency} executor(s); {Reconciled} schedule(s) re-synced",
            options.Value.InstanceId, options.Value.Concurrency, reconciled);

        var loops = Enumerable.Range(0, options.Value.Concurrency)
            .Select(_ => LoopAsync("executor", executor.ExecuteNextAsync, stoppingToken))
            .Append(LoopAsync("scheduler", async ct =>
            {
                await scheduler.TickAsync(ct);
                await backfills.TickAsync(ct);
                return false;
            }, stoppingToken));
        await Task.WhenAll(loops);
    }

    /// <summary>Repeats <paramref name="step"/>; sleeps a poll interval whenever it found nothing to do or failed.</summary>
    private async Task LoopAsync(string name, Func<CancellationToken, Task<bool>> step, CancellationToken stoppingToken)
    {
        while (!stoppingToken.IsCancellationRequested)
        {
            var busy = false;
            try
            {
                busy = await step(stoppingToken);
            }
            catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
            {
                return;
            }
            catch (Exception exception)
            {
                logger.LogError(exception, "Embedded engine {Loop} step failed; retrying", name);
            }

            if (!busy)
            {
                try
                {
                    await Task.Delay(options.Value.PollInterval, clock, stoppingToken);
                }
                catch (OperationCanceledException)
                {
                    return;
                }
            }
        }
    }
}
