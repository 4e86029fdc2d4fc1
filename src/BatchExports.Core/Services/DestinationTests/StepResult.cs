namespace BatchExports.Core.Services.DestinationTests;

/// <summary>The result of one step: PostHog's <c>{"status": "Passed"|"Failed"|"Skipped", "message"}</c>.</summary>
public sealed record StepResult(string Status, string? Message)
{
    public static StepResult Passed() => new("Passed", null);

    public static StepResult Failed(string message) => new("Failed", message);
}
