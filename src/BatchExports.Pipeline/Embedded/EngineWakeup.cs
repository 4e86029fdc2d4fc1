namespace BatchExports.Pipeline.Embedded;

/// <summary>
/// The embedded engine's one wake-up signal, so a loop with nothing to do waits for the next piece of work instead of a
/// poll: completed (and replaced) when a loop made progress, when another process announced work through
/// <see cref="EngineNotifications"/>, and at the earliest known due time (a schedule's next firing, a waiting run's
/// not-before). Polling stays the fallback for what none of these sees (a lapsed lease).
/// </summary>
public sealed class EngineWakeup(TimeProvider clock) : IDisposable
{
    private static readonly TimeSpan MaxDelay = TimeSpan.FromHours(1);

    private readonly Lock _timerLock = new();
    private TaskCompletionSource _signal = NewSignal();
    private ITimer? _timer;

    /// <summary>Completes at the next wake-up. Taken before a loop's step, so a wake-up during the step is not missed.</summary>
    public Task Next => Volatile.Read(ref _signal).Task;

    public void Wake() => Interlocked.Exchange(ref _signal, NewSignal()).TrySetResult();

    /// <summary>Wakes the loops at <paramref name="due"/> (replacing the previous due time: the caller knows the earliest), or never when null.</summary>
    public void WakeAt(DateTimeOffset? due)
    {
        lock (_timerLock)
        {
            _timer?.Dispose();
            _timer = null;
            if (due is not { } at)
            {
                return;
            }

            // Far-off due times are re-armed on the way (every step asks again), and timers have an upper bound.
            var delay = TimeSpan.FromTicks(Math.Min((at - clock.GetUtcNow()).Ticks, MaxDelay.Ticks));
            // A timer may fire a hair early by the wall clock; a loop woken before the due time finds nothing, asks
            // again and is re-armed for the remaining sliver, so one millisecond of margin saves that round.
            _timer = clock.CreateTimer(_ => Wake(), null, delay < TimeSpan.Zero ? TimeSpan.Zero : delay + TimeSpan.FromMilliseconds(1), Timeout.InfiniteTimeSpan);
        }
    }

    public void Dispose()
    {
        lock (_timerLock)
        {
            _timer?.Dispose();
            _timer = null;
        }
    }

    private static TaskCompletionSource NewSignal() => new(TaskCreationOptions.RunContinuationsAsynchronously);
}
