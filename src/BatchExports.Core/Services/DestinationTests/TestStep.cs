namespace BatchExports.Core.Services.DestinationTests;

/// <summary>A step of a destination test as PostHog serialises it (<c>result</c> is null until it ran).</summary>
public sealed record TestStep(string Name, string Description, StepResult? Result);
