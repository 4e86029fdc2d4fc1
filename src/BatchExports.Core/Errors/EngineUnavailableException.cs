namespace BatchExports.Core.Errors;

/// <summary>
/// The engine that holds schedules and workflows (Temporal) refused a change or could not be reached. The change was
/// not saved; the caller may try again. The detail names the address tried, never credentials.
/// </summary>
public sealed class EngineUnavailableException(string detail, Exception? inner = null) : DomainException(detail)
{
    public Exception? Cause { get; } = inner;
}
