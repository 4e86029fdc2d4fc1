namespace BatchExports.Pipeline.Runs;

/// <summary>How often a run is attempted, and the backoff before the next attempt (doubled each time).</summary>
public sealed record RunRetryPolicy(int MaxAttempts, TimeSpan Backoff)
{
    public TimeSpan DelayAfter(int attempt) => Backoff * Math.Pow(2, attempt - 1);
}
