namespace BatchExports.Core.Errors;

/// <summary>The caller is known but may not do this (a scope, a team it cannot see, a feature not enabled for it).</summary>
public sealed class PermissionDeniedException(string detail) : DomainException(detail);
