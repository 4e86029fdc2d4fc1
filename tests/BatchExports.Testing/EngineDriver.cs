using BatchExports.Core.Domain;
using Xunit;
using BatchExports.Pipeline.Embedded;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;

namespace BatchExports.Testing;

/// <summary>
/// Drives the real embedded engine components step by step on the factory's fake clock, so tests decide when time
/// passes. (The hosted engine loop is off in tests; these are the same objects it would call.)
/// </summary>
public sealed class EngineDriver(IServiceProvider services)
{
    public ScheduleTicker Scheduler => services.GetRequiredService<ScheduleTicker>();

    public BackfillDriver Backfills => services.GetRequiredService<BackfillDriver>();

    public RunExecutor Executor => services.GetRequiredService<RunExecutor>();

    public ScheduleReconciler Reconciler => services.GetRequiredService<ScheduleReconciler>();

    /// <summary>One scheduler and backfill tick.</summary>
    public async Task TickAsync()
    {
        await Scheduler.TickAsync(CancellationToken.None);
        await Backfills.TickAsync(CancellationToken.None);
    }

    /// <summary>Executes claimable runs until none is left; returns how many ran.</summary>
    public async Task<int> ExecuteAllAsync()
    {
        var count = 0;
        while (await Executor.ExecuteNextAsync(CancellationToken.None))
        {
            count++;
        }

        return count;
    }

    /// <summary>Ticks and executes until nothing moves: a backfill runs to its end, one interval at a time.</summary>
    public async Task DriveAsync(int maxSteps = 500)
    {
        for (var step = 0; step < maxSteps; step++)
        {
            await TickAsync();
            if (await ExecuteAllAsync() == 0 && !await AnyActiveBackfillAsync())
            {
                return;
            }
        }

        throw new InvalidOperationException("The engine did not settle.");
    }

    private async Task<bool> AnyActiveBackfillAsync()
    {
        await using var scope = services.CreateAsyncScope();
        var db = scope.ServiceProvider.GetRequiredService<Core.Persistence.BatchExportsDbContext>();
        return await db.BatchExportBackfills.AnyAsync(b => b.Status == BackfillStatuses.Starting || b.Status == BackfillStatuses.Running);
    }
}

/// <summary>An API over its own database with engine settings for step-by-step tests: no settle delay, short backoff.</summary>
public class EngineApiFactory : ApiFactory
{
    protected override IDictionary<string, string?> Settings => new Dictionary<string, string?>
    {
        ["BatchExports:Engine:SettleDelay"] = "00:00:00",
        ["BatchExports:Engine:RetryBackoff"] = "00:00:10",
        ["BatchExports:Engine:MaxAttempts"] = "3",
        ["BatchExports:Engine:LeaseDuration"] = "00:00:30",
        ["BatchExports:MaxConcurrentBackfillsPerTeam"] = "3",
        // One upload attempt: an S3 failure reaches the engine's run-level retry without seconds of sleeping.
        ["BatchExports:S3:UploadAttempts"] = "1",
    };

    public EngineDriver Engine => new(Services);
}

/// <summary>
/// A test class whose every test gets its own database and API: engine tests tick every schedule in the database,
/// so they must not see each other's exports.
/// </summary>
public abstract class IsolatedEngineTest : IAsyncLifetime
{
    protected EngineApiFactory Factory { get; } = new();

    public ValueTask InitializeAsync() => Factory.InitializeAsync();

    public async ValueTask DisposeAsync()
    {
        await Factory.DisposeAsync();
        GC.SuppressFinalize(this);
    }
}
