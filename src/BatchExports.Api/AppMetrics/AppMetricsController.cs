using BatchExports.Api.Auth;
using BatchExports.Api.Errors;
using BatchExports.Api.Validation;
using BatchExports.Core.Services.AppMetrics;
using BatchExports.Core.Services.BatchExports;
using Microsoft.AspNetCore.Mvc;

namespace BatchExports.Api.AppMetrics;

/// <summary>
/// PostHog's app metrics for a batch export id (seed 004): records per day, computed from its runs, and its failed
/// runs' errors. A plugin config id names nothing here (a team without plugins), so those answer as PostHog's would.
/// </summary>
[ApiController]
[Route("api/projects/{team_id}/app_metrics")]
[Route("api/environments/{team_id}/app_metrics")]
[Produces("application/json")]
[ProducesResponseType<ErrorEnvelope>(StatusCodes.Status401Unauthorized)]
[ProducesResponseType<ErrorEnvelope>(StatusCodes.Status403Forbidden)]
[ProducesResponseType<ErrorEnvelope>(StatusCodes.Status404NotFound)]
public sealed class AppMetricsController(AppMetricsService metrics, TimeProvider clock) : ControllerBase
{
    private const string DefaultDateFrom = "-30d";

    private ExportScope Scope => ExportScope.ForTeam(HttpContext.GetAccess().Team!.Id);

    [HttpGet("{id}")]
    [RequiredScope(RequiredScopeAttribute.PluginRead)]
    [EndpointSummary("Records exported and failed per UTC day of a batch export's finished runs (date_from default -30d, date_to default now)")]
    [ProducesResponseType<ErrorEnvelope>(StatusCodes.Status400BadRequest)]
    public async Task<AppMetricsResponse> Get(
        string id, [FromQuery(Name = "date_from")] string? dateFrom, [FromQuery(Name = "date_to")] string? dateTo, CancellationToken cancellationToken)
    {
        var (from, to) = Range(dateFrom, dateTo);
        return (await metrics.GetAsync(Scope, id, from, to, cancellationToken)).ToResponse();
    }

    [HttpGet("{id}/error_details")]
    [RequiredScope(RequiredScopeAttribute.PluginRead)]
    [EndpointSummary("A batch export's failed runs' errors, grouped by message, with how often and when last")]
    [ProducesResponseType<ErrorEnvelope>(StatusCodes.Status400BadRequest)]
    public async Task<AppMetricsErrorDetailsResponse> ErrorDetails(
        string id, [FromQuery(Name = "date_from")] string? dateFrom, [FromQuery(Name = "date_to")] string? dateTo, CancellationToken cancellationToken)
    {
        var (from, to) = Range(dateFrom, dateTo);
        return new((await metrics.ErrorsAsync(Scope, id, from, to, cancellationToken)).Select(AppMetricsMappings.ToResponse).ToList());
    }

    [HttpGet("{plugin_config_id}/historical_exports")]
    [ActionName("List")]
    [RequiredScope(RequiredScopeAttribute.PluginRead)]
    [EndpointSummary("Historical exports of a plugin config: none, as for a team without plugins")]
    public HistoricalExportsResponse HistoricalExports([FromRoute(Name = "plugin_config_id")] string pluginConfigId) => new([]);

    [HttpGet("{plugin_config_id}/historical_exports/{id}")]
    [RequiredScope(RequiredScopeAttribute.PluginRead)]
    [EndpointSummary("One historical export of a plugin config: there are none")]
    public ActionResult<HistoricalExportResponse> HistoricalExport([FromRoute(Name = "plugin_config_id")] string pluginConfigId, string id) =>
        throw ApiException.NotFound();

    private (DateTimeOffset From, DateTimeOffset To) Range(string? dateFrom, string? dateTo)
    {
        var now = clock.GetUtcNow();
        var from = RelativeDates.TryParse(dateFrom ?? DefaultDateFrom, now, out var parsedFrom)
            ? parsedFrom
            : throw ApiException.Validation($"Invalid date_from: '{dateFrom}'.", "date_from", "invalid_input");
        var to = dateTo == null ? now
            : RelativeDates.TryParse(dateTo, now, out var parsedTo) ? parsedTo
            : throw ApiException.Validation($"Invalid date_to: '{dateTo}'.", "date_to", "invalid_input");
        return (from, to);
    }
}
