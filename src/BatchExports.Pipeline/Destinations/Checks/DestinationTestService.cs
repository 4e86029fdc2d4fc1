using System.Text.Json.Nodes;
using BatchExports.Core.Domain.Destinations;
using BatchExports.Core.Services.DestinationTests;
using BatchExports.Pipeline.Destinations.S3;

namespace BatchExports.Pipeline.Destinations.Checks;

/// <summary>One destination type's checks, run for real against the destination a user configured.</summary>
public interface IDestinationTest
{
    string Type { get; }

    IReadOnlyList<TestStep> Steps { get; }

    Task<StepResult> RunStepAsync(int step, JsonObject config, CancellationToken cancellationToken);
}

/// <summary>PostHog's destination tests (api spec §3.6): list a type's steps, run one step against a config.</summary>
public sealed class DestinationTestService(IEnumerable<IDestinationTest> tests) : IDestinationTestSteps
{
    private readonly IReadOnlyDictionary<string, IDestinationTest> _tests = tests.ToDictionary(t => t.Type);

    public IReadOnlyList<TestStep>? StepsFor(string destinationType) =>
        _tests.TryGetValue(destinationType, out var test) ? test.Steps : null;

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

/// <summary>S3 (and S3-compatible stores): "Check S3 bucket exists", with the configured credentials and endpoint.</summary>
public sealed class S3DestinationTest : IDestinationTest
{
    public string Type => DestinationCatalog.S3;

    public IReadOnlyList<TestStep> Steps { get; } = [new(S3BucketCheck.Name, S3BucketCheck.Description, null)];

    public async Task<StepResult> RunStepAsync(int step, JsonObject config, CancellationToken cancellationToken)
    {
        S3Settings settings;
        try
        {
            settings = S3Settings.FromConfig(config);
        }
        catch (ArgumentException)
        {
            return StepResult.Failed("The test step cannot run as it's not configured.");
        }

        var (passed, message) = await S3BucketCheck.RunAsync(settings, cancellationToken);
        return passed ? StepResult.Passed() : StepResult.Failed(message ?? "The bucket check failed.");
    }
}
