using BatchExports.Api.Auth;
using BatchExports.Api.Backfills;
using BatchExports.Api.Errors;
using BatchExports.Api.Logs;
using BatchExports.Api.Pagination;
using BatchExports.Core.Domain.Destinations;
using BatchExports.Core.Services.Backfills;
using BatchExports.Core.Services.BatchExports;
using BatchExports.Core.Services.DestinationTests;
using BatchExports.Core.Services.Logs;
using Microsoft.AspNetCore.Mvc;

namespace BatchExports.Api.BatchExports;

/// <summary>
/// Every batch-export action, once. The route families differ only in their routes and in the
/// <see cref="ExportScope"/> they address (<see cref="TeamBatchExportsController"/>, <see cref="OrganizationBatchExportsController"/>).
/// Each action builds the scope, calls one use case and maps its result to the wire record.
/// </summary>
[ApiController]
[Produces("application/json")]
[ProducesResponseType<ErrorEnvelope>(StatusCodes.Status401Unauthorized)]
[ProducesResponseType<ErrorEnvelope>(StatusCodes.Status403Forbidden)]
[ProducesResponseType<ErrorEnvelope>(StatusCodes.Status404NotFound)]
public abstract class BatchExportsControllerBase : ControllerBase
{
    protected abstract Task<ExportScope> ScopeAsync(CancellationToken cancellationToken);

    /// <summary>Which keys of a config are secrets, for the mapping that removes them.</summary>
    private DestinationRegistry Destinations => HttpContext.RequestServices.GetRequiredService<DestinationRegistry>();

    [HttpGet]
    [RequiredScope(RequiredScopeAttribute.Read)]
    [EndpointSummary("List batch exports")]
    public async Task<Page<BatchExportResponse>> List([FromServices] BatchExportReader reader, CancellationToken cancellationToken)
    {
        var page = LimitOffset.From(Request);
        var (count, results) = await reader.ListAsync(await ScopeAsync(cancellationToken), page.Limit, page.Offset, cancellationToken);
        return page.PageOf(Request, count, results.Select(view => view.ToResponse(Destinations)).ToList());
    }

    [HttpPost]
    [RequiredScope(RequiredScopeAttribute.Write)]
    [EndpointSummary("Create a batch export")]
    [ProducesResponseType<BatchExportResponse>(StatusCodes.Status201Created)]
    [ProducesResponseType<ErrorEnvelope>(StatusCodes.Status400BadRequest)]
    public async Task<ActionResult<BatchExportResponse>> Create(
        BatchExportWriteRequest request, [FromServices] CreateBatchExport create, CancellationToken cancellationToken) =>
        StatusCode(StatusCodes.Status201Created, (await create.CreateAsync(await ScopeAsync(cancellationToken), request, cancellationToken)).ToResponse(Destinations));

    [HttpGet("{id}")]
    [RequiredScope(RequiredScopeAttribute.Read)]
    [EndpointSummary("Retrieve a batch export")]
    public async Task<BatchExportResponse> Get(string id, [FromServices] BatchExportReader reader, CancellationToken cancellationToken) =>
        (await reader.GetAsync(await ScopeAsync(cancellationToken), id, cancellationToken)).ToResponse(Destinations);

    [HttpPut("{id}")]
    [RequiredScope(RequiredScopeAttribute.Write)]
    [EndpointSummary("Replace a batch export (name, destination and interval required; stored secrets are kept unless sent)")]
    [ProducesResponseType<ErrorEnvelope>(StatusCodes.Status400BadRequest)]
    public async Task<BatchExportResponse> Put(
        string id, BatchExportWriteRequest request, [FromServices] UpdateBatchExport update, CancellationToken cancellationToken) =>
        (await update.UpdateAsync(await ScopeAsync(cancellationToken), id, request, partial: false, cancellationToken)).ToResponse(Destinations);

    [HttpPatch("{id}")]
    [RequiredScope(RequiredScopeAttribute.Write)]
    [EndpointSummary("Update a batch export (the destination config is merged into the stored one)")]
    [ProducesResponseType<ErrorEnvelope>(StatusCodes.Status400BadRequest)]
    public async Task<BatchExportResponse> Patch(
        string id, BatchExportWriteRequest request, [FromServices] UpdateBatchExport update, CancellationToken cancellationToken) =>
        (await update.UpdateAsync(await ScopeAsync(cancellationToken), id, request, partial: true, cancellationToken)).ToResponse(Destinations);

    [HttpDelete("{id}")]
    [RequiredScope(RequiredScopeAttribute.Write)]
    [EndpointSummary("Delete a batch export")]
    [ProducesResponseType(StatusCodes.Status204NoContent)]
    public async Task<IActionResult> Delete(string id, [FromServices] DeleteBatchExport delete, CancellationToken cancellationToken)
    {
        await delete.DeleteAsync(await ScopeAsync(cancellationToken), id, cancellationToken);
        return NoContent();
    }

    [HttpPost("{id}/pause")]
    [RequiredScope(RequiredScopeAttribute.Write)]
    [EndpointSummary("Pause a batch export")]
    public async Task<PausedResponse> Pause(string id, [FromServices] BatchExportPausing pausing, CancellationToken cancellationToken)
    {
        await pausing.PauseAsync(await ScopeAsync(cancellationToken), id, cancellationToken);
        return new PausedResponse(true);
    }

    [HttpPost("{id}/unpause")]
    [RequiredScope(RequiredScopeAttribute.Write)]
    [EndpointSummary("Unpause a batch export, optionally backfilling the paused period")]
    public async Task<PausedResponse> Unpause(
        string id,
        UnpauseRequest request,
        [FromServices] BatchExportPausing pausing,
        CancellationToken cancellationToken)
    {
        await pausing.UnpauseAsync(await ScopeAsync(cancellationToken), id, request.Backfill ?? false, cancellationToken);
        return new PausedResponse(false);
    }

    /// <summary>Deprecated in PostHog in favour of <c>POST …/backfills/</c>; creates the same backfill.</summary>
    [HttpPost("{id}/backfill")]
    [RequiredScope(RequiredScopeAttribute.Write)]
    [EndpointSummary("Trigger a backfill (deprecated: use POST …/batch_exports/{id}/backfills/)")]
    [ProducesResponseType<ErrorEnvelope>(StatusCodes.Status400BadRequest)]
    [Obsolete("PostHog deprecated this endpoint in favour of POST …/backfills/.")]
    public async Task<BackfillIdResponse> Backfill(
        string id, BackfillCreateRequest request, [FromServices] BackfillService backfills, CancellationToken cancellationToken)
    {
        var created = await backfills.CreateAsync(await ScopeAsync(cancellationToken), id, request.StartAt, request.EndAt, cancellationToken);
        return new BackfillIdResponse(created.Id);
    }

    [HttpGet("test")]
    [RequiredScope(RequiredScopeAttribute.Read)]
    [EndpointSummary("List the steps of a destination type's test")]
    [ProducesResponseType<ErrorEnvelope>(StatusCodes.Status400BadRequest)]
    public DestinationTestResponse Test([FromQuery(Name = "destination")] string? destination, [FromServices] DestinationTestRunner tests) =>
        new(tests.StepsFor(destination));

    [HttpPost("run_test_step_new")]
    [RequiredScope(RequiredScopeAttribute.Write)]
    [EndpointSummary("Run one step of the destination test for a new batch export (the body is validated as a create)")]
    [ProducesResponseType<ErrorEnvelope>(StatusCodes.Status400BadRequest)]
    public Task<TestStep> RunTestStepNew(DestinationTestStepRequest request, [FromServices] DestinationTestRunner tests, CancellationToken cancellationToken) =>
        tests.RunNewAsync(request, request.Step, cancellationToken);

    [HttpPost("{id}/run_test_step")]
    [RequiredScope(RequiredScopeAttribute.Write)]
    [EndpointSummary("Run one step of the destination test for a saved batch export (submitted config merged over the stored one)")]
    [ProducesResponseType<ErrorEnvelope>(StatusCodes.Status400BadRequest)]
    public async Task<TestStep> RunTestStep(
        string id, StoredDestinationTestStepRequest request, [FromServices] DestinationTestRunner tests, CancellationToken cancellationToken) =>
        await tests.RunStoredAsync(await ScopeAsync(cancellationToken), id, request.Destination, request.Step, cancellationToken);

    [HttpGet("{id}/logs")]
    [RequiredScope(RequiredScopeAttribute.Read)]
    [EndpointSummary("Log entries of a batch export and its runs, newest first")]
    [ProducesResponseType<ErrorEnvelope>(StatusCodes.Status400BadRequest)]
    public async Task<Page<LogEntryResponse>> Logs(string id, [FromQuery] LogParameters parameters, [FromServices] LogReader logs, CancellationToken cancellationToken)
    {
        var query = parameters.ToQuery();
        var (count, results) = await logs.ReadExportLogsAsync(await ScopeAsync(cancellationToken), id, query, cancellationToken);
        return new LimitOffset(query.Limit, query.Offset).PageOf(Request, count, results.Select(LogEntryMappings.ToResponse).ToList());
    }
}

/// <summary><c>/api/projects/{team_id}/batch_exports</c> and its alias <c>/api/environments/{team_id}/batch_exports</c>.</summary>
[Route("api/projects/{team_id}/batch_exports")]
[Route("api/environments/{team_id}/batch_exports")]
public sealed class TeamBatchExportsController : BatchExportsControllerBase
{
    protected override Task<ExportScope> ScopeAsync(CancellationToken cancellationToken) =>
        Task.FromResult(ExportScope.ForTeam(HttpContext.GetAccess().Team!.Id));
}

/// <summary><c>/api/organizations/{organization_id}/batch_exports</c>: the exports of every team of the organization.</summary>
[Route("api/organizations/{organization_id}/batch_exports")]
public sealed class OrganizationBatchExportsController(Core.Services.Accounts.AccessService access) : BatchExportsControllerBase
{
    protected override async Task<ExportScope> ScopeAsync(CancellationToken cancellationToken)
    {
        var requestAccess = HttpContext.GetAccess();
        var organization = requestAccess.Organization!;
        return ExportScope.ForOrganization(await access.VisibleTeamIdsAsync(requestAccess.Caller, organization.Id, cancellationToken));
    }
}
