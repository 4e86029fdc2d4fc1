using BatchExports.Api.Auth;
using BatchExports.Api.Errors;
using BatchExports.Api.Pagination;
using BatchExports.Api.Runs;
using BatchExports.Core.Services.Backfills;
using BatchExports.Core.Services.BatchExports;
using Microsoft.AspNetCore.Mvc;

namespace BatchExports.Api.Backfills;

/// <summary>Backfills of a batch export (spec §1.4): create, list, retrieve, cancel. They cannot be updated or deleted.</summary>
[ApiController]
[Route("api/projects/{team_id}/batch_exports/{batch_export_id}/backfills")]
[Route("api/environments/{team_id}/batch_exports/{batch_export_id}/backfills")]
[Produces("application/json")]
[ProducesResponseType<ErrorEnvelope>(StatusCodes.Status401Unauthorized)]
[ProducesResponseType<ErrorEnvelope>(StatusCodes.Status403Forbidden)]
[ProducesResponseType<ErrorEnvelope>(StatusCodes.Status404NotFound)]
public sealed class BackfillsController(BackfillService backfills) : ControllerBase
{
    private ExportScope Scope => ExportScope.ForTeam(HttpContext.GetAccess().Team!.Id);

    [HttpPost]
    [RequiredScope(RequiredScopeAttribute.Write)]
    [EndpointSummary("Create a backfill")]
    [ProducesResponseType<BackfillCreatedResponse>(StatusCodes.Status201Created)]
    [ProducesResponseType<ErrorEnvelope>(StatusCodes.Status400BadRequest)]
    [ProducesResponseType<ErrorEnvelope>(StatusCodes.Status429TooManyRequests)]
    public async Task<ActionResult<BackfillCreatedResponse>> Create(
        [FromRoute(Name = "batch_export_id")] string batchExportId, BackfillCreateRequest request, CancellationToken cancellationToken) =>
        StatusCode(StatusCodes.Status201Created, (await backfills.CreateAsync(Scope, batchExportId, request.StartAt, request.EndAt, cancellationToken)).ToCreatedResponse());

    [HttpGet]
    [RequiredScope(RequiredScopeAttribute.Read)]
    [EndpointSummary("List backfills (cursor pages of 50)")]
    public async Task<CursorPage<BackfillResponse>> List(
        [FromRoute(Name = "batch_export_id")] string batchExportId,
        [FromQuery(Name = "ordering")] string? ordering,
        [FromQuery(Name = "cursor")] string? cursor,
        CancellationToken cancellationToken) =>
        CursorLinks.PageOf(Request, await backfills.ListAsync(Scope, batchExportId, ordering, cursor, cancellationToken), BackfillMappings.ToResponse);

    [HttpGet("{id}")]
    [RequiredScope(RequiredScopeAttribute.Read)]
    [EndpointSummary("Retrieve a backfill, with its progress")]
    public async Task<BackfillResponse> Get([FromRoute(Name = "batch_export_id")] string batchExportId, string id, CancellationToken cancellationToken) =>
        (await backfills.GetAsync(Scope, batchExportId, id, cancellationToken)).ToResponse();

    [HttpPost("{id}/cancel")]
    [RequiredScope(RequiredScopeAttribute.Write)]
    [EndpointSummary("Cancel a Starting or Running backfill and its running runs")]
    [ProducesResponseType<ErrorEnvelope>(StatusCodes.Status400BadRequest)]
    public async Task<CancelledResponse> Cancel([FromRoute(Name = "batch_export_id")] string batchExportId, string id, CancellationToken cancellationToken)
    {
        await backfills.CancelAsync(Scope, batchExportId, id, cancellationToken);
        return new CancelledResponse(true);
    }
}
