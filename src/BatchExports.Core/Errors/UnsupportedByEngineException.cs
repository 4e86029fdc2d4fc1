namespace BatchExports.Core.Errors;

/// <summary>
/// The configured engine cannot carry out this kind of request (for example file downloads on the Temporal engine).
/// Refused, with nothing saved, rather than accepted and never run.
/// </summary>
public sealed class UnsupportedByEngineException(string detail) : DomainException(detail);
