using System.Text.Json.Nodes;
using BatchExports.Core.Services.DestinationTests;

namespace BatchExports.Pipeline.Destinations;

/// <summary>PostHog's destination tests (api spec §3.6) over every registered type's steps: list them, run one against a config.</summary>
public sealed class DestinationTestService(IEnumerable<IDestinationTest> tests) : IDestinationTestSteps
{
    private readonly IReadOnlyDictionary<string, IDestinationTest> _tests = tests.ToDictionary(t => t.Type);

    public IReadOnlyList<TestStep>? StepsFor(string destinationType) =>
        _tests.TryGetValue(destinationType, out var test) && test.Steps.Count > 0 ? test.Steps : null;

    public async Task<TestStep> RunAsync(string destinationType, int step, JsonObject config, CancellationToken cancellationToken)
    {
        var test = _tests[destinationType];
        var definition = test.Steps[step];
        StepResult result;
        try
        {
            result = await test.RunStepAsync(step, config, cancellationToken);
        }
        catch (Exception exception) when (exception is not OperationCanceledException)
        {
            result = StepResult.Failed($"The test step failed with an unknown error: {exception.Message}.");
        }

        return definition with { Result = result };
    }
}
