using BatchExports.Api.Errors;
using BatchExports.Core.Security;
using BatchExports.Core.Services.Accounts;
using Microsoft.AspNetCore.Authorization;
using Microsoft.AspNetCore.Mvc.Filters;

namespace BatchExports.Api.Auth;

/// <summary>
/// Runs before model binding on every authenticated action: resolves <c>{team_id}</c> / <c>{organization_id}</c>
/// (404, scoped-key and membership 403s) and checks the action's <see cref="RequiredScopeAttribute"/>.
/// </summary>
public sealed class AccessFilter(AccessService access) : IAsyncAuthorizationFilter
{
    public async Task OnAuthorizationAsync(AuthorizationFilterContext context)
    {
        var endpoint = context.HttpContext.GetEndpoint();
        if (endpoint?.Metadata.GetMetadata<IAllowAnonymous>() != null)
        {
            return;
        }

        var caller = context.HttpContext.Features.Get<Caller>() ?? throw ApiException.NotAuthenticated();
        var cancellationToken = context.HttpContext.RequestAborted;
        var routeValues = context.RouteData.Values;

        var team = routeValues.TryGetValue("team_id", out var rawTeam)
            ? await access.ResolveTeamAsync(caller, rawTeam?.ToString() ?? "", cancellationToken)
            : null;
        var organization = routeValues.TryGetValue("organization_id", out var rawOrganization)
            ? await access.ResolveOrganizationAsync(caller, rawOrganization?.ToString() ?? "", cancellationToken)
            : null;

        var required = endpoint?.Metadata.GetMetadata<RequiredScopeAttribute>()?.Scope;
        var isLegacyOrFullKey = caller.Scopes.Count == 0 || caller.Scopes.Contains(PersonalApiKeys.ScopeAll);
        if (required == null && !isLegacyOrFullKey)
        {
            throw ApiException.PermissionDenied("This action does not support Personal API Key access");
        }

        if (required is { Length: > 0 } && !PersonalApiKeys.Allows(caller.Scopes, required))
        {
            throw ApiException.PermissionDenied($"API key missing required scope '{required}'");
        }

        context.HttpContext.Features.Set(new RequestAccess(caller, team, organization));
    }
}
