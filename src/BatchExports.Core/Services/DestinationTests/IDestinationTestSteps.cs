using System.Text.Json.Nodes;

namespace BatchExports.Core.Services.DestinationTests;

/// <summary>
/// The destination types' test steps (api spec §3.6), run for real against a configured destination. Implemented
/// where the destination clients live (the pipeline), so the hosts that serve the test routes need no destination SDK.
/// </summary>
public interface IDestinationTestSteps
{
    /// <summary>The steps of <paramref name="destinationType"/>'s test, or null when the type has none.</summary>
    IReadOnlyList<TestStep>? StepsFor(string destinationType);

    /// <summary>Runs step <paramref name="step"/> (a valid index of <see cref="StepsFor"/>) against <paramref name="config"/>.</summary>
    Task<TestStep> RunAsync(string destinationType, int step, JsonObject config, CancellationToken cancellationToken);
}
