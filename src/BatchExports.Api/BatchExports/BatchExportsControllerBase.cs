using BatchExports.Api.Auth;
using BatchExports.Api.Errors;
using BatchExports.Api.Pagination;
using BatchExports.Api.Logs;
using BatchExports.Core.Contracts;
using BatchExports.Core.Errors;
using BatchExports.Pipeline.Destinations.Checks;
using BatchExports.Core.Services.Backfills;
using BatchExports.Core.Services.BatchExports;
using BatchExports.Core.Services.Logs;
using Microsoft.AspNetCore.Mvc;

namespace BatchExports.Api.BatchExports;

/// <summary>
/// Every batch-export action, once. The route families differ only in their routes and in the
/// <see cref="ExportScope"/> they address (<see cref="TeamBatchExportsController"/>, <see cref="OrganizationBatchExportsController"/>).
/// </summary>
[ApiController]
[Produces("application/json")]
[ProducesResponseType<ErrorEnvelope>(StatusCodes.Status401Unauthorized)]
[ProducesResponseType<ErrorEnvelope>(StatusCodes.Status403Forbidden)]
[ProducesResponseType<ErrorEnvelope>(StatusCodes.Status404NotFound)]
public abstract class BatchExportsControllerBase(BatchExportService exports, BackfillService backfills) : ControllerBase
{
    protected abstract Task<ExportScope> ScopeAsync(CancellationToken cancellationToken);

    [HttpGet]
    [RequiredScope(RequiredScopeAttribute.Read)]
    [EndpointSummary("List batch exports")]
    public async Task<Page<BatchExportResponse>> List(CancellationToken cancellationToken)
    {
        var page = LimitOffset.From(Request);
        var (count, results) = await exports.ListAsync(await ScopeAsync(cancellationToken), page.Limit, page.Offset, cancellationToken);
        return new Page<BatchExportResponse>(count, page.NextLink(Request, count), page.PreviousLink(Request), results);
    }

    [HttpPost]
    [RequiredScope(RequiredScopeAttribute.Write)]
    [EndpointSummary("Create a batch export")]
    [ProducesResponseType<BatchExportResponse>(StatusCodes.Status201Created)]
    [ProducesResponseType<ErrorEnvelope>(StatusCodes.Status400BadRequest)]
    public async Task<ActionResult<BatchExportResponse>> Create(BatchExportWriteRequest request, CancellationToken cancellationToken) =>
        StatusCode(StatusCodes.Status201Created, await exports.CreateAsync(await ScopeAsync(cancellationToken), request, cancellationToken));

    [HttpGet("{id}")]
    [RequiredScope(RequiredScopeAttribute.Read)]
    [EndpointSummary("Retrieve a batch export")]
    public async Task<BatchExportResponse> Get(string id, CancellationToken cancellationToken) =>
        await exports.GetAsync(await ScopeAsync(cancellationToken), id, cancellationToken);

    [HttpPut("{id}")]
    [RequiredScope(RequiredScopeAttribute.Write)]
    [EndpointSummary("Replace a batch export (name, destination and interval required; stored secrets are kept unless sent)")]
    [ProducesResponseType<ErrorEnvelope>(StatusCodes.Status400BadRequest)]
    public async Task<BatchExportResponse> Put(string id, BatchExportWriteRequest request, CancellationToken cancellationToken) =>
        await exports.UpdateAsync(await ScopeAsync(cancellationToken), id, request, partial: false, cancellationToken);

    [HttpPatch("{id}")]
    [RequiredScope(RequiredScopeAttribute.Write)]
    [EndpointSummary("Update a batch export (the destination config is merged into the stored one)")]
    [ProducesResponseType<ErrorEnvelope>(StatusCodes.Status400BadRequest)]
    public async Task<BatchExportResponse> Patch(string id, BatchExportWriteRequest request, CancellationToken cancellationToken) =>
        await exports.UpdateAsync(await ScopeAsync(cancellationToken), id, request, partial: true, cancellationToken);

    [HttpDelete("{id}")]
    [RequiredScope(RequiredScopeAttribute.Write)]
    [EndpointSummary("Delete a batch export")]
    [ProducesResponseType(StatusCodes.Status204NoContent)]
    public async Task<IActionResult> Delete(string id, CancellationToken cancellationToken)
    {
        await exports.DeleteAsync(await ScopeAsync(cancellationToken), id, cancellationToken);
        return NoContent();
    }

    [HttpPost("{id}/pause")]
    [RequiredScope(RequiredScopeAttribute.Write)]
    [EndpointSummary("Pause a batch export")]
    public async Task<PausedResponse> Pause(string id, CancellationToken cancellationToken)
    {
        await exports.PauseAsync(await ScopeAsync(cancellationToken), id, cancellationToken);
        return new PausedResponse(true);
    }

    [HttpPost("{id}/unpause")]
    [RequiredScope(RequiredScopeAttribute.Write)]
    [EndpointSummary("Unpause a batch export, optionally backfilling the paused period")]
    public async Task<PausedResponse> Unpause(
        string id,
        UnpauseRequest request,
        CancellationToken cancellationToken)
    {
        await backfills.UnpauseAsync(await ScopeAsync(cancellationToken), id, request.Backfill ?? false, cancellationToken);
        return new PausedResponse(false);
    }

    /// <summary>Deprecated in PostHog in favour of <c>POST …/backfills/</c>; creates the same backfill.</summary>
    [HttpPost("{id}/backfill")]
    [RequiredScope(RequiredScopeAttribute.Write)]
    [EndpointSummary("Trigger a backfill (deprecated: use POST …/batch_exports/{id}/backfills/)")]
    [ProducesResponseType<ErrorEnvelope>(StatusCodes.Status400BadRequest)]
    [Obsolete("PostHog deprecated this endpoint in favour of POST …/backfills/.")]
    public async Task<BackfillIdResponse> Backfill(string id, BackfillCreateRequest request, CancellationToken cancellationToken)
    {
        var created = await backfills.CreateAsync(await ScopeAsync(cancellationToken), id, request, cancellationToken);
        return new BackfillIdResponse(created.BackfillId);
    }

    [HttpGet("test")]
    [RequiredScope(RequiredScopeAttribute.Read)]
    [EndpointSummary("List the steps of a destination type's test")]
    [ProducesResponseType<ErrorEnvelope>(StatusCodes.Status400BadRequest)]
    public DestinationTestResponse Test([FromQuery(Name = "destination")] string? destination, [FromServices] DestinationTestService tests)
    {
        if (string.IsNullOrEmpty(destination))
        {
            throw ApiException.Validation("This query parameter is required: ?destination=<type>, e.g. ?destination=S3.", "destination", "required");
        }

        return new DestinationTestResponse(tests.StepsFor(destination) ?? throw NoTestFor(destination));
    }

    [HttpPost("run_test_step_new")]
    [RequiredScope(RequiredScopeAttribute.Write)]
    [EndpointSummary("Run one step of the destination test for a new batch export (the body is validated as a create)")]
    [ProducesResponseType<ErrorEnvelope>(StatusCodes.Status400BadRequest)]
    public async Task<TestStep> RunTestStepNew(DestinationTestStepRequest request, [FromServices] DestinationTestService tests, CancellationToken cancellationToken)
    {
        var config = exports.CheckDraft(request);
        var type = request.Destination!.Type!;
        return await tests.RunAsync(type, CheckStep(tests, type, request.Step), config, cancellationToken);
    }

    [HttpPost("{id}/run_test_step")]
    [RequiredScope(RequiredScopeAttribute.Write)]
    [EndpointSummary("Run one step of the destination test for a saved batch export (submitted config merged over the stored one)")]
    [ProducesResponseType<ErrorEnvelope>(StatusCodes.Status400BadRequest)]
    public async Task<TestStep> RunTestStep(
        string id, StoredDestinationTestStepRequest request, [FromServices] DestinationTestService tests, CancellationToken cancellationToken)
    {
        var (type, config) = await exports.MergeStoredConfigAsync(await ScopeAsync(cancellationToken), id, request.Destination, cancellationToken);
        return await tests.RunAsync(type, CheckStep(tests, type, request.Step), config, cancellationToken);
    }

    private static int CheckStep(DestinationTestService tests, string type, int? step)
    {
        var steps = tests.StepsFor(type) ?? throw NoTestFor(type);
        var index = step ?? 0;
        return index >= 0 && index < steps.Count
            ? index
            : throw ApiException.Validation($"The '{type}' destination test has {steps.Count} step(s): 'step' must be between 0 and {steps.Count - 1}.", "step");
    }

    private static ApiException NoTestFor(string type) => ApiException.NotFound($"There is no destination test for the '{type}' destination type.");

    [HttpGet("{id}/logs")]
    [RequiredScope(RequiredScopeAttribute.Read)]
    [EndpointSummary("Log entries of a batch export and its runs, newest first")]
    [ProducesResponseType<ErrorEnvelope>(StatusCodes.Status400BadRequest)]
    public async Task<Page<LogEntryResponse>> Logs(string id, [FromQuery] LogParameters parameters, [FromServices] LogReader logs, CancellationToken cancellationToken)
    {
        var export = await exports.FindAsync(await ScopeAsync(cancellationToken), id, tracked: false, cancellationToken);
        var query = parameters.ToQuery();
        var (count, results) = await logs.ReadAsync(export.Id, query, cancellationToken);
        var page = new LimitOffset(query.Limit, query.Offset);
        return new Page<LogEntryResponse>(count, page.NextLink(Request, count), page.PreviousLink(Request), results);
    }
}

/// <summary><c>/api/projects/{team_id}/batch_exports</c> and its alias <c>/api/environments/{team_id}/batch_exports</c>.</summary>
[Route("api/projects/{team_id}/batch_exports")]
[Route("api/environments/{team_id}/batch_exports")]
public sealed class TeamBatchExportsController(BatchExportService exports, BackfillService backfills) : BatchExportsControllerBase(exports, backfills)
{
    protected override Task<ExportScope> ScopeAsync(CancellationToken cancellationToken) =>
        Task.FromResult(ExportScope.ForTeam(HttpContext.GetAccess().Team!.Id));
}

/// <summary><c>/api/organizations/{organization_id}/batch_exports</c>: the exports of every team of the organization.</summary>
[Route("api/organizations/{organization_id}/batch_exports")]
public sealed class OrganizationBatchExportsController(BatchExportService exports, BackfillService backfills, Core.Services.Accounts.AccessService access)
    : BatchExportsControllerBase(exports, backfills)
{
    protected override async Task<ExportScope> ScopeAsync(CancellationToken cancellationToken)
    {
        var requestAccess = HttpContext.GetAccess();
        var organization = requestAccess.Organization!;
        return ExportScope.ForOrganization(organization.Id, await access.VisibleTeamIdsAsync(requestAccess.Caller, organization.Id, cancellationToken));
    }
}
