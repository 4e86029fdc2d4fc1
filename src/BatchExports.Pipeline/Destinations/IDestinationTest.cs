using System.Text.Json.Nodes;
using BatchExports.Core.Services.DestinationTests;

namespace BatchExports.Pipeline.Destinations;

/// <summary>One destination type's test steps (api spec §3.6), run for real against the destination a user configured.</summary>
public interface IDestinationTest
{
    string Type { get; }

    /// <summary>The steps, in order; empty when PostHog runs no test for the type (its routes then answer 404).</summary>
    IReadOnlyList<TestStep> Steps { get; }

    Task<StepResult> RunStepAsync(int step, JsonObject config, CancellationToken cancellationToken);
}
