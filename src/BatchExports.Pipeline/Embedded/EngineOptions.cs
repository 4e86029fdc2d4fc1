using System.ComponentModel.DataAnnotations;

namespace BatchExports.Pipeline.Embedded;

/// <summary>The <c>BatchExports:Engine</c> section: how the embedded engine schedules, claims and retries runs.</summary>
public sealed class EngineOptions
{
    public const string SectionName = "BatchExports:Engine";

    /// <summary>Off in API tests that drive time themselves, and on processes that should only serve the API.</summary>
    public bool Enabled { get; set; } = true;

    /// <summary>
    /// Runs exporting at once in this process (reading the source and writing the destination), and the number of
    /// executor loops claiming runs.
    /// </summary>
    [Range(1, 64)]
    public int Concurrency { get; set; } = 2;

    /// <summary>
    /// Runs one executor loop claims in one statement and takes through their lifecycle together (status, log lines,
    /// heartbeat). Their round trips to PostgreSQL overlap and their final statuses and log lines are group-committed
    /// (one connection per group, not per run); only <see cref="Concurrency"/> of them export at once, and a claim takes
    /// runs that export data only up to the free export slots, so this bounds batches of cheap (NoOp) runs.
    /// </summary>
    [Range(1, 256)]
    public int RunConcurrency { get; set; } = 64;

    /// <summary>How often the engine looks for due intervals, backfill steps and claimable runs.</summary>
    public TimeSpan PollInterval { get; set; } = TimeSpan.FromSeconds(1);

    /// <summary>A claimed run belongs to its executor this long without a heartbeat; then another may take it.</summary>
    public TimeSpan LeaseDuration { get; set; } = TimeSpan.FromSeconds(30);

    /// <summary>How often a running export renews its lease and checks whether it was cancelled.</summary>
    public TimeSpan HeartbeatInterval { get; set; } = TimeSpan.FromSeconds(1);

    /// <summary>Attempts per run (transient failures and interruptions both count) before it ends FailedRetryable.</summary>
    [Range(1, 100)]
    public int MaxAttempts { get; set; } = 3;

    /// <summary>Delay before the second attempt; doubled for each later one.</summary>
    public TimeSpan RetryBackoff { get; set; } = TimeSpan.FromSeconds(10);

    /// <summary>Intervals missed while no engine ran are caught up only this far back.</summary>
    public TimeSpan CatchUpWindow { get; set; } = TimeSpan.FromDays(1);

    /// <summary>
    /// A scheduled run starts this long after its interval ends, so late writes to the interval are in
    /// (PostHog waits 30–60 s).
    /// </summary>
    public TimeSpan SettleDelay { get; set; } = TimeSpan.FromSeconds(30);

    /// <summary>
    /// A failing engine step (typically: the database is down) is retried after the poll interval, doubled per
    /// consecutive failure up to this, so an outage neither spins nor floods the log.
    /// </summary>
    public TimeSpan MaxFailureBackoff { get; set; } = TimeSpan.FromSeconds(30);

    /// <summary>Identifies this process in leases; unique per start.</summary>
    public string InstanceId { get; set; } = $"{Environment.MachineName}-{Environment.ProcessId}-{Guid.NewGuid():N}";
}
