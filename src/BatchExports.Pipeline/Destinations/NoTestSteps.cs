using System.Text.Json.Nodes;
using BatchExports.Core.Services.DestinationTests;

namespace BatchExports.Pipeline.Destinations;

/// <summary>The test of a type PostHog runs no destination test for (api spec §3.6): no steps.</summary>
public sealed class NoTestSteps(string type) : IDestinationTest
{
    public string Type { get; } = type;

    public IReadOnlyList<TestStep> Steps => [];

    public Task<StepResult> RunStepAsync(int step, JsonObject config, CancellationToken cancellationToken) =>
        throw new ArgumentOutOfRangeException(nameof(step), step, $"The '{Type}' destination has no test steps.");
}
