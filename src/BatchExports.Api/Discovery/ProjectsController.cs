using BatchExports.Api.Auth;
using BatchExports.Api.Errors;
using BatchExports.Api.Pagination;
using BatchExports.Core.Services.Accounts;
using Microsoft.AspNetCore.Mvc;

namespace BatchExports.Api.Discovery;

/// <summary>What a key may see: the seeds tell users to call <c>/api/projects/</c> to find a project id.</summary>
[ApiController]
[Route("api/projects")]
[Produces("application/json")]
[ProducesResponseType<ErrorEnvelope>(StatusCodes.Status401Unauthorized)]
[ProducesResponseType<ErrorEnvelope>(StatusCodes.Status403Forbidden)]
public sealed class ProjectsController(AccessService access) : ControllerBase
{
    [HttpGet]
    [RequiredScope(RequiredScopeAttribute.AnyScope)]
    [EndpointSummary("List the projects (teams) this key may access")]
    public async Task<Page<ProjectResponse>> List(CancellationToken cancellationToken)
    {
        var page = LimitOffset.From(Request);
        var (count, results) = await access.ListProjectsAsync(HttpContext.GetAccess().Caller, page.Limit, page.Offset, cancellationToken);
        return page.PageOf(Request, count, results.Select(DiscoveryMappings.ToResponse).ToList());
    }

    [HttpGet("{team_id}")]
    [RequiredScope(RequiredScopeAttribute.AnyScope)]
    [EndpointSummary("Retrieve a project")]
    [ProducesResponseType<ErrorEnvelope>(StatusCodes.Status404NotFound)]
    public ProjectResponse Get([FromRoute(Name = "team_id")] string teamId)
    {
        return HttpContext.GetAccess().Team!.ToResponse();
    }
}

[ApiController]
[Route("api/organizations")]
[Produces("application/json")]
[ProducesResponseType<ErrorEnvelope>(StatusCodes.Status401Unauthorized)]
[ProducesResponseType<ErrorEnvelope>(StatusCodes.Status403Forbidden)]
public sealed class OrganizationsController(AccessService access) : ControllerBase
{
    [HttpGet]
    [RequiredScope(RequiredScopeAttribute.AnyScope)]
    [EndpointSummary("List the organizations this key may access")]
    public async Task<Page<OrganizationResponse>> List(CancellationToken cancellationToken)
    {
        var page = LimitOffset.From(Request);
        var (count, results) = await access.ListOrganizationsAsync(HttpContext.GetAccess().Caller, page.Limit, page.Offset, cancellationToken);
        return page.PageOf(Request, count, results.Select(DiscoveryMappings.ToResponse).ToList());
    }

    [HttpGet("{organization_id}")]
    [RequiredScope(RequiredScopeAttribute.AnyScope)]
    [EndpointSummary("Retrieve an organization")]
    [ProducesResponseType<ErrorEnvelope>(StatusCodes.Status404NotFound)]
    public async Task<OrganizationResponse> Get([FromRoute(Name = "organization_id")] string organizationId, CancellationToken cancellationToken) =>
        (await access.GetOrganizationAsync(HttpContext.GetAccess().Caller, organizationId, cancellationToken)).ToResponse();
}
