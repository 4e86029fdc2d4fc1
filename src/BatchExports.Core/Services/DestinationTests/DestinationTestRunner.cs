using BatchExports.Core.Errors;
using BatchExports.Core.Services.BatchExports;

namespace BatchExports.Core.Services.DestinationTests;

/// <summary>
/// PostHog's destination-test routes: the steps of a type, and one step run against a new export's config or a saved
/// export's config with the submitted one merged over it.
/// </summary>
public sealed class DestinationTestRunner(IDestinationTestSteps tests, ExportLookup lookup, BatchExportRules rules, BatchExportReader reader)
{
    public IReadOnlyList<TestStep> StepsFor(string? destinationType)
    {
        if (string.IsNullOrEmpty(destinationType))
        {
            throw new ValidationException("This query parameter is required: ?destination=<type>, e.g. ?destination=S3.", "destination", "required");
        }

        return tests.StepsFor(destinationType) ?? throw NoTestFor(destinationType);
    }

    /// <summary><c>run_test_step_new</c>: the body is checked as a create.</summary>
    public async Task<TestStep> RunNewAsync(IBatchExportInput input, int? step, CancellationToken cancellationToken)
    {
        var config = rules.CheckNew(input).Config;
        var type = input.Destination!.Type!;
        return await tests.RunAsync(type, CheckStep(type, step), config, cancellationToken);
    }

    /// <summary><c>run_test_step</c> on a saved export: the submitted config is merged over the stored one.</summary>
    public async Task<TestStep> RunStoredAsync(
        ExportScope scope, string rawExportId, IDestinationInput? submitted, int? step, CancellationToken cancellationToken)
    {
        var export = await lookup.FindAsync(scope, rawExportId, tracked: false, cancellationToken);
        var config = rules.MergeStoredConfig(export, reader.Decrypt(export), submitted);
        var type = export.Destination.Type;
        return await tests.RunAsync(type, CheckStep(type, step), config, cancellationToken);
    }

    private int CheckStep(string type, int? step)
    {
        var steps = tests.StepsFor(type) ?? throw NoTestFor(type);
        var index = step ?? 0;
        return index >= 0 && index < steps.Count
            ? index
            : throw new ValidationException($"The '{type}' destination test has {steps.Count} step(s): 'step' must be between 0 and {steps.Count - 1}.", "step");
    }

    private static NotFoundException NoTestFor(string type) => new($"There is no destination test for the '{type}' destination type.");
}
