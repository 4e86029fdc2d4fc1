namespace BatchExports.Core.Errors;

/// <summary>
/// An error a caller caused or may act on, raised by the use cases. Core says what went wrong; the host that serves
/// the request decides how it is shown (the Api maps each kind to PostHog's envelope and status code).
/// Anything that is not a <see cref="DomainException"/> is a server error.
/// </summary>
public abstract class DomainException(string detail) : Exception(detail)
{
    public string Detail => Message;
}
