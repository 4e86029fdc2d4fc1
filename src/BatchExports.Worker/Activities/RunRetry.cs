using BatchExports.Core.Domain;
using BatchExports.Pipeline.Runs;
using Temporalio.Common;

namespace BatchExports.Worker.Activities;

/// <summary>
/// One retry policy for the export activity, seen by both sides: Temporal schedules the attempts, and the lifecycle
/// (told the same policy) writes each attempt's error, the "Retrying in" line and FailedRetryable after the last —
/// the same rows and lines as the embedded engine's defaults (3 attempts, 10 s doubling).
/// </summary>
public static class RunRetry
{
    public static readonly RunRetryPolicy Policy = new(MaxAttempts: 3, Backoff: TimeSpan.FromSeconds(10));

    public static readonly RetryPolicy Temporal = new()
    {
        InitialInterval = Policy.Backoff,
        BackoffCoefficient = 2,
        MaximumAttempts = Policy.MaxAttempts,
    };

    /// <summary>PostHog's start/finish activity policy: 10 s → 60 s, unlimited, integrity errors final (worker spec §1.3).</summary>
    public static readonly RetryPolicy Bookkeeping = new()
    {
        InitialInterval = TimeSpan.FromSeconds(10),
        MaximumInterval = TimeSpan.FromSeconds(60),
        MaximumAttempts = 0,
        NonRetryableErrorTypes = ["NotNullViolation", "IntegrityError"],
    };

    /// <summary>The export activity's start-to-close timeout by interval (worker spec §1.4).</summary>
    public static TimeSpan StartToClose(string interval) => interval switch
    {
        Intervals.Hour => TimeSpan.FromHours(6),
        Intervals.Day => TimeSpan.FromDays(1),
        Intervals.Week => TimeSpan.FromDays(3),
        _ => TimeSpan.FromMinutes(Math.Max(20, Intervals.NominalLength(interval).TotalMinutes)),
    };
}
