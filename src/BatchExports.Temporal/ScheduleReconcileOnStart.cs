using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;

namespace BatchExports.Temporal;

/// <summary>
/// The API's start-up reconcile in Temporal mode: re-applies every schedule once. Temporal or the database being
/// away delays it with back-off; it never stops the API, which answers 503 for changes meanwhile.
/// </summary>
public sealed class ScheduleReconcileOnStart(ScheduleSynchronizer synchronizer, TimeProvider clock, ILogger<ScheduleReconcileOnStart> logger) : BackgroundService
{
    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        for (var failures = 0; !stoppingToken.IsCancellationRequested; failures++)
        {
            try
            {
                var result = await synchronizer.SyncAsync(stoppingToken);
                logger.LogInformation("Temporal schedules reconciled: {Applied} applied, {Removed} removed", result.Applied, result.Removed);
                return;
            }
            catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
            {
                return;
            }
            catch (Exception exception)
            {
                if (failures == 0)
                {
                    logger.LogWarning(exception, "Temporal schedule reconcile failed; retrying with back-off");
                }

                try
                {
                    await Task.Delay(TimeSpan.FromSeconds(Math.Min(60, 1 << Math.Min(failures, 6))), clock, stoppingToken);
                }
                catch (OperationCanceledException)
                {
                    return;
                }
            }
        }
    }
}
