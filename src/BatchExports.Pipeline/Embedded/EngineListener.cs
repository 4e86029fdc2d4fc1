using BatchExports.Core.Hosting;
using BatchExports.Core.Persistence;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using Npgsql;

namespace BatchExports.Pipeline.Embedded;

/// <summary>
/// Holds a dedicated connection that <c>LISTEN</c>s on <see cref="EngineNotifications.Channel"/> and wakes the engine
/// for every notification. When the connection drops (the database restarts), it reconnects with the engine's failure
/// back-off and wakes the engine once, since notifications sent meanwhile are lost.
/// </summary>
public sealed class EngineListener(
    IDatabaseConnection database,
    EngineWakeup wakeup,
    IOptions<EngineOptions> options,
    ILogger<EngineListener> logger)
{
    public async Task ListenAsync(CancellationToken stoppingToken)
    {
        // Not pooled: the LISTEN belongs to this one session, which must never be reset and handed to a query.
        // Keepalive: a connection that died silently is noticed within seconds rather than at the next poll of nothing.
        var connectionString = new NpgsqlConnectionStringBuilder(database.ConnectionString) { Pooling = false, KeepAlive = 10 }.ConnectionString;
        var failures = 0;
        while (!stoppingToken.IsCancellationRequested)
        {
            try
            {
                await using var connection = new NpgsqlConnection(connectionString);
                connection.Notification += (_, _) => wakeup.Wake();
                await connection.OpenAsync(stoppingToken);
                await using (var listen = new NpgsqlCommand("LISTEN " + EngineNotifications.Channel, connection))
                {
                    await listen.ExecuteNonQueryAsync(stoppingToken);
                }

                if (failures > 0)
                {
                    logger.LogInformation("Embedded engine listener reconnected after {Failures} failed attempt(s)", failures);
                    failures = 0;
                    // Work announced while we were away went unheard.
                    wakeup.Wake();
                }

                while (true)
                {
                    await connection.WaitAsync(stoppingToken);
                }
            }
            catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
            {
                return;
            }
            catch (Exception exception)
            {
                if (failures == 0)
                {
                    if (DatabaseOutage.IsUnreachable(exception))
                    {
                        logger.LogWarning(exception, "Embedded engine listener: the database is not reachable; reconnecting, polling meanwhile");
                    }
                    else
                    {
                        logger.LogError(exception, "Embedded engine listener failed; reconnecting, polling meanwhile");
                    }
                }

                var delay = TimeSpan.FromTicks(Math.Min(options.Value.PollInterval.Ticks * (1L << Math.Min(failures++, 20)), options.Value.MaxFailureBackoff.Ticks));
                try
                {
                    await Task.Delay(delay, stoppingToken);
                }
                catch (OperationCanceledException)
                {
                    return;
                }
            }
        }
    }
}
