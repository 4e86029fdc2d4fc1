namespace BatchExports.Pipeline.Runs;

/// <summary>
/// Group commit: while one write is in flight, the items queued meanwhile wait and then go in together, in one round
/// trip. Each caller still waits for its own item's result, so what is written, and when a caller may rely on it, is
/// what one write per item gave — only the round trips are shared (a boundary's thousands of concurrent runs would
/// otherwise pay one each). If a group's write fails, each of its items is written alone, so one bad item does not fail
/// the others.
/// </summary>
internal sealed class GroupCommit<TItem, TResult>(Func<IReadOnlyList<TItem>, Task<IReadOnlyList<TResult>>> write, int maxGroup)
{
    private readonly Lock _lock = new();
    private List<(TItem Item, TaskCompletionSource<TResult> Done)> _pending = [];
    private bool _flushing;

    /// <summary>
    /// Queues the item; the task ends once it was written. Once queued it is waited for whatever a caller's token says:
    /// a caller that gave up here would go on to its next write before this one is stored, and a run's rows would read
    /// out of order.
    /// </summary>
    public Task<TResult> WriteAsync(TItem item)
    {
        var done = new TaskCompletionSource<TResult>(TaskCreationOptions.RunContinuationsAsynchronously);
        bool flush;
        lock (_lock)
        {
            _pending.Add((item, done));
            flush = !_flushing;
            _flushing = true;
        }

        if (flush)
        {
            _ = Task.Run(FlushAsync, CancellationToken.None);
        }

        return done.Task;
    }

    /// <summary>Writes what is pending, group after group, until nothing is left; one flush runs at a time.</summary>
    private async Task FlushAsync()
    {
        while (true)
        {
            List<(TItem Item, TaskCompletionSource<TResult> Done)> group;
            lock (_lock)
            {
                if (_pending.Count == 0)
                {
                    _flushing = false;
                    return;
                }

                if (_pending.Count <= maxGroup)
                {
                    group = _pending;
                    _pending = [];
                }
                else
                {
                    // Bounded, so one statement's parameters stay a sensible size; the rest go in the next round trip.
                    group = _pending.GetRange(0, maxGroup);
                    _pending.RemoveRange(0, maxGroup);
                }
            }

            try
            {
                var results = await write([.. group.Select(g => g.Item)]);
                for (var i = 0; i < group.Count; i++)
                {
                    group[i].Done.TrySetResult(results[i]);
                }
            }
            catch (Exception) when (group.Count > 1)
            {
                foreach (var (item, done) in group)
                {
                    try
                    {
                        done.TrySetResult((await write([item]))[0]);
                    }
                    catch (Exception exception)
                    {
                        done.TrySetException(exception);
                    }
                }
            }
            catch (Exception exception)
            {
                group.ForEach(g => g.Done.TrySetException(exception));
            }
        }
    }
}
