namespace BatchExports.Core.Domain.Destinations;

/// <summary>A save-time rule a destination type sets on the export around it, broken: PostHog's message and its <c>attr</c>.</summary>
public sealed record DestinationRuleViolation(string Message, string? Attr = null);
