namespace BatchExports.Core.Errors;

/// <summary>The team already has as many active backfills as it may; a new one must wait.</summary>
public sealed class TooManyConcurrentBackfillsException(int limit) : DomainException(
    $"This team already has {limit} batch export backfills running. Wait for some to finish or cancel them before creating more.")
{
    public int Limit { get; } = limit;
}
