namespace BatchExports.Core.Errors;

/// <summary>The team already has as many file downloads in progress as it may; a new one must wait.</summary>
public sealed class TooManyConcurrentFileDownloadsException(int limit) : DomainException(
    "Too many concurrent file download batch exports for this team.")
{
    public int Limit { get; } = limit;
}
