using BatchExports.Api.Auth;
using BatchExports.Api.Errors;
using BatchExports.Api.Logs;
using BatchExports.Api.Pagination;
using BatchExports.Api.Backfills;
using BatchExports.Core.Services.BatchExports;
using BatchExports.Core.Services.Logs;
using BatchExports.Core.Services.Runs;
using Microsoft.AspNetCore.Mvc;

namespace BatchExports.Api.Runs;

/// <summary>Runs of a batch export (spec §1.3): list, retrieve, cancel, retry, logs.</summary>
[ApiController]
[Route("api/projects/{team_id}/batch_exports/{batch_export_id}/runs")]
[Route("api/environments/{team_id}/batch_exports/{batch_export_id}/runs")]
[Produces("application/json")]
[ProducesResponseType<ErrorEnvelope>(StatusCodes.Status401Unauthorized)]
[ProducesResponseType<ErrorEnvelope>(StatusCodes.Status403Forbidden)]
[ProducesResponseType<ErrorEnvelope>(StatusCodes.Status404NotFound)]
public sealed class RunsController(RunService runs, TimeProvider clock) : ControllerBase
{
    private ExportScope Scope => ExportScope.ForTeam(HttpContext.GetAccess().Team!.Id);

    [HttpGet]
    [RequiredScope(RequiredScopeAttribute.Read)]
    [EndpointSummary("List runs (cursor pages of 100; the last 7 days unless after/before or start/end say otherwise)")]
    [ProducesResponseType<ErrorEnvelope>(StatusCodes.Status400BadRequest)]
    public async Task<CursorPage<BatchExportRunResponse>> List(
        [FromRoute(Name = "batch_export_id")] string batchExportId, [FromQuery] RunListParameters parameters, CancellationToken cancellationToken) =>
        CursorLinks.PageOf(Request, await runs.ListAsync(Scope, batchExportId, parameters.ToQuery(clock.GetUtcNow()), cancellationToken), RunMappings.ToResponse);

    [HttpGet("{id}")]
    [RequiredScope(RequiredScopeAttribute.Read)]
    [EndpointSummary("Retrieve a run")]
    public async Task<BatchExportRunResponse> Get([FromRoute(Name = "batch_export_id")] string batchExportId, string id, CancellationToken cancellationToken) =>
        (await runs.GetAsync(Scope, batchExportId, id, cancellationToken)).ToResponse();

    [HttpPost("{id}/cancel")]
    [RequiredScope(RequiredScopeAttribute.Write)]
    [EndpointSummary("Cancel a Starting or Running run")]
    [ProducesResponseType<ErrorEnvelope>(StatusCodes.Status400BadRequest)]
    public async Task<CancelledResponse> Cancel([FromRoute(Name = "batch_export_id")] string batchExportId, string id, CancellationToken cancellationToken)
    {
        await runs.CancelAsync(Scope, batchExportId, id, cancellationToken);
        return new CancelledResponse(true);
    }

    [HttpPost("{id}/retry")]
    [RequiredScope(RequiredScopeAttribute.Write)]
    [EndpointSummary("Retry a run: re-export its interval as a one-interval backfill")]
    public async Task<BackfillIdResponse> Retry([FromRoute(Name = "batch_export_id")] string batchExportId, string id, CancellationToken cancellationToken) =>
        new(await runs.RetryAsync(Scope, batchExportId, id, cancellationToken));

    [HttpGet("{id}/logs")]
    [RequiredScope(RequiredScopeAttribute.Read)]
    [EndpointSummary("Log entries of one run, newest first")]
    [ProducesResponseType<ErrorEnvelope>(StatusCodes.Status400BadRequest)]
    public async Task<Page<LogEntryResponse>> Logs(
        [FromRoute(Name = "batch_export_id")] string batchExportId,
        string id,
        [FromQuery] LogParameters parameters,
        [FromServices] LogReader logs,
        CancellationToken cancellationToken)
    {
        var query = parameters.ToQuery();
        var (count, results) = await logs.ReadRunLogsAsync(Scope, batchExportId, id, query, cancellationToken);
        return new LimitOffset(query.Limit, query.Offset).PageOf(Request, count, results.Select(LogEntryMappings.ToResponse).ToList());
    }
}
