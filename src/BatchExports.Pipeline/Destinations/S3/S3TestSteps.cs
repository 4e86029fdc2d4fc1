using System.Text.Json.Nodes;
using BatchExports.Core.Services.DestinationTests;

namespace BatchExports.Pipeline.Destinations.S3;

/// <summary>S3 (and S3-compatible stores): "Check S3 bucket exists", with the configured credentials and endpoint.</summary>
public sealed class S3TestSteps : IDestinationTest
{
    public string Type => S3Definition.TypeName;

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
