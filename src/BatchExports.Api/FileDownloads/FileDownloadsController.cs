using BatchExports.Api.Auth;
using BatchExports.Api.Errors;
using BatchExports.Api.Logs;
using BatchExports.Api.Pagination;
using BatchExports.Core.Services.BatchExports;
using BatchExports.Core.Services.FileDownloads;
using BatchExports.Core.Services.Logs;
using BatchExports.Pipeline.Destinations.FileDownload;
using Microsoft.AspNetCore.Mvc;
using Microsoft.Extensions.Options;

namespace BatchExports.Api.FileDownloads;

/// <summary>
/// File downloads (spec §1.5, §5.8): an on-demand export of up to a week of one model into files, run by the engine
/// like any run; then the files themselves, streamed from the data directory or redirected to the downloads bucket.
/// </summary>
[ApiController]
[Route("api/projects/{team_id}/file_download_batch_exports")]
[Route("api/environments/{team_id}/file_download_batch_exports")]
[Produces("application/json")]
[ProducesResponseType<ErrorEnvelope>(StatusCodes.Status401Unauthorized)]
[ProducesResponseType<ErrorEnvelope>(StatusCodes.Status403Forbidden)]
[ProducesResponseType<ErrorEnvelope>(StatusCodes.Status404NotFound)]
public sealed class FileDownloadsController(FileDownloadService downloads, TimeProvider clock) : ControllerBase
{
    private int TeamId => HttpContext.GetAccess().Team!.Id;

    private ExportScope Scope => ExportScope.ForTeam(TeamId);

    [HttpPost]
    [RequiredScope(RequiredScopeAttribute.Write)]
    [EndpointSummary("Create and start a file download of up to a week of events, persons or sessions")]
    [ProducesResponseType<FileDownloadCreatedResponse>(StatusCodes.Status202Accepted)]
    [ProducesResponseType<ErrorEnvelope>(StatusCodes.Status400BadRequest)]
    [ProducesResponseType<ErrorEnvelope>(StatusCodes.Status429TooManyRequests)]
    public async Task<ActionResult<FileDownloadCreatedResponse>> Create(
        FileDownloadCreateRequest request, [FromServices] CreateFileDownload create, CancellationToken cancellationToken)
    {
        var run = await create.CreateAsync(TeamId, request.ToInput(), cancellationToken);
        return StatusCode(StatusCodes.Status202Accepted, new FileDownloadCreatedResponse(run.Id));
    }

    [HttpGet]
    [RequiredScope(RequiredScopeAttribute.Read)]
    [EndpointSummary("List file downloads, newest first")]
    public async Task<Page<FileDownloadSummaryResponse>> List(CancellationToken cancellationToken)
    {
        var page = LimitOffset.From(Request);
        var (count, results) = await downloads.ListAsync(Scope, page.Limit, page.Offset, cancellationToken);
        return page.PageOf(Request, count, results.Select(FileDownloadMappings.ToSummaryResponse).ToList());
    }

    [HttpGet("{id}")]
    [RequiredScope(RequiredScopeAttribute.Read)]
    [EndpointSummary("Retrieve a file download: its status, and its files once Completed")]
    public async Task<FileDownloadResponse> Get(string id, CancellationToken cancellationToken) =>
        (await downloads.GetAsync(Scope, id, cancellationToken)).ToResponse();

    [HttpPost("{id}/cancel")]
    [RequiredScope(RequiredScopeAttribute.Write)]
    [EndpointSummary("Cancel a Starting or Running file download")]
    [ProducesResponseType<ErrorEnvelope>(StatusCodes.Status400BadRequest)]
    public async Task<FileDownloadCancelResponse> Cancel(string id, CancellationToken cancellationToken) =>
        new(await downloads.CancelAsync(Scope, id, cancellationToken));

    [HttpGet("{id}/logs")]
    [RequiredScope(RequiredScopeAttribute.Read)]
    [EndpointSummary("Log entries of a file download, newest first")]
    [ProducesResponseType<ErrorEnvelope>(StatusCodes.Status400BadRequest)]
    public async Task<Page<LogEntryResponse>> Logs(string id, [FromQuery] LogParameters parameters, [FromServices] LogReader logs, CancellationToken cancellationToken)
    {
        var query = parameters.ToQuery();
        var (count, results) = await logs.ReadFileDownloadLogsAsync(Scope, id, query, cancellationToken);
        return new LimitOffset(query.Limit, query.Offset).PageOf(Request, count, results.Select(LogEntryMappings.ToResponse).ToList());
    }

    [HttpGet("{id}/download")]
    [RequiredScope(RequiredScopeAttribute.Read)]
    [EndpointSummary("Download the first file (by key) of a Completed file download")]
    [Produces("application/octet-stream")]
    [ProducesResponseType<Stream>(StatusCodes.Status200OK, "application/octet-stream")]
    [ProducesResponseType(StatusCodes.Status302Found)]
    [ProducesResponseType<ErrorEnvelope>(StatusCodes.Status400BadRequest)]
    public Task<IActionResult> Download(
        string id, [FromServices] IFileDownloadStorage storage, [FromServices] IOptions<FileDownloadOptions> options, CancellationToken cancellationToken) =>
        ServeAsync(id, null, storage, options.Value, cancellationToken);

    [HttpGet("{id}/download/{part}")]
    [RequiredScope(RequiredScopeAttribute.Read)]
    [EndpointSummary("Download one file of a Completed file download, by file id or zero-based index in key order")]
    [Produces("application/octet-stream")]
    [ProducesResponseType<Stream>(StatusCodes.Status200OK, "application/octet-stream")]
    [ProducesResponseType(StatusCodes.Status302Found)]
    [ProducesResponseType<ErrorEnvelope>(StatusCodes.Status400BadRequest)]
    public Task<IActionResult> DownloadPart(
        string id, string part, [FromServices] IFileDownloadStorage storage, [FromServices] IOptions<FileDownloadOptions> options, CancellationToken cancellationToken) =>
        ServeAsync(id, part, storage, options.Value, cancellationToken);

    /// <summary>
    /// Streams a file on disk as an attachment (with ranges), or redirects to a pre-signed URL valid while the file is,
    /// at most the configured expiry; the redirect must not be cached past that.
    /// </summary>
    private async Task<IActionResult> ServeAsync(string id, string? part, IFileDownloadStorage storage, FileDownloadOptions options, CancellationToken cancellationToken)
    {
        var file = await downloads.FindFileAsync(Scope, id, part, cancellationToken);
        var remaining = file.ExpiresAt is { } expiresAt ? expiresAt - clock.GetUtcNow() : options.ExpiresAfter;
        var location = storage.Locate(file.Key, remaining < options.ExpiresAfter ? remaining : options.ExpiresAfter);
        if (location.RedirectUrl is { } url)
        {
            Response.Headers.CacheControl = "no-store";
            return Redirect(url.ToString());
        }

        if (!System.IO.File.Exists(location.LocalPath))
        {
            throw ApiException.NotFound();
        }

        return PhysicalFile(location.LocalPath!, FileDownloadKeys.ContentType(file.Key), FileDownloadKeys.FileName(file.Key), enableRangeProcessing: true);
    }
}
