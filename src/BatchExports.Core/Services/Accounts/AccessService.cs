using BatchExports.Core.Domain;
using BatchExports.Core.Errors;
using BatchExports.Core.Persistence;
using Microsoft.EntityFrameworkCore;

namespace BatchExports.Core.Services.Accounts;

/// <summary>Which teams and organizations a caller may reach, with PostHog's status codes and messages.</summary>
public sealed class AccessService(BatchExportsDbContext db, AccessCache cache)
{
    public const string CurrentAlias = "@current";

    /// <summary>
    /// Resolves <c>{team_id}</c> from a route. Order as PostHog's permission chain: the team must exist (404),
    /// the key's team/organization restrictions must allow it (403), and the user must belong to its organization (403).
    /// </summary>
    public async Task<Team> ResolveTeamAsync(Caller caller, string rawTeamId, CancellationToken cancellationToken)
    {
        int teamId;
        if (rawTeamId == CurrentAlias && caller.CurrentTeamId is { } current)
        {
            teamId = current;
        }
        else if (!int.TryParse(rawTeamId, System.Globalization.NumberStyles.None, null, out teamId))
        {
            throw new NotFoundException("Project not found.");
        }

        var team = await FindTeamAsync(teamId, cancellationToken) ?? throw new NotFoundException("Project not found.");

        if (caller.ScopedTeams is { Count: > 0 } scopedTeams && !scopedTeams.Contains(team.Id))
        {
            throw new PermissionDeniedException($"API key does not have access to the requested project: ID {team.Id}.");
        }

        if (caller.ScopedOrganizations is { Count: > 0 } scopedOrganizations && !scopedOrganizations.Contains(team.OrganizationId.ToString()))
        {
            throw new PermissionDeniedException($"API key does not have access to the requested organization: ID {team.OrganizationId}.");
        }

        if (!await IsMemberAsync(caller, team.OrganizationId, cancellationToken))
        {
            throw new PermissionDeniedException("You don't have access to the project.");
        }

        return team;
    }

    public async Task<Organization> ResolveOrganizationAsync(Caller caller, string rawOrganizationId, CancellationToken cancellationToken)
    {
        Guid organizationId;
        if (rawOrganizationId == CurrentAlias && caller.CurrentTeamId is { } currentTeam)
        {
            organizationId = await db.Teams.Where(t => t.Id == currentTeam).Select(t => t.OrganizationId).SingleAsync(cancellationToken);
        }
        else if (!Guid.TryParse(rawOrganizationId, out organizationId))
        {
            throw new NotFoundException("Organization not found.");
        }

        var organization = await db.Organizations.AsNoTracking().SingleOrDefaultAsync(o => o.Id == organizationId, cancellationToken)
            ?? throw new NotFoundException("Organization not found.");

        if (caller.ScopedOrganizations is { Count: > 0 } scopedOrganizations && !scopedOrganizations.Contains(organization.Id.ToString()))
        {
            throw new PermissionDeniedException($"API key does not have access to the requested organization: ID {organization.Id}.");
        }

        if (!await IsMemberAsync(caller, organization.Id, cancellationToken))
        {
            throw new PermissionDeniedException("You don't have access to the organization.");
        }

        return organization;
    }

    /// <summary>The teams of <paramref name="organizationId"/> this caller's key may reach.</summary>
    public async Task<IReadOnlyList<int>> VisibleTeamIdsAsync(Caller caller, Guid organizationId, CancellationToken cancellationToken)
    {
        var teamIds = await db.Teams.Where(t => t.OrganizationId == organizationId).Select(t => t.Id).ToListAsync(cancellationToken);
        return caller.ScopedTeams is { Count: > 0 } scoped ? teamIds.Where(scoped.Contains).ToList() : teamIds;
    }

    /// <summary>What <c>GET /api/projects/</c> lists: the teams of the caller's organizations that the key may reach.</summary>
    public async Task<(int Count, IReadOnlyList<Team> Results)> ListProjectsAsync(Caller caller, int limit, int offset, CancellationToken cancellationToken)
    {
        var query = VisibleTeams(caller);
        var count = await query.CountAsync(cancellationToken);
        var teams = await query.OrderBy(t => t.Id).Skip(offset).Take(limit).ToListAsync(cancellationToken);
        return (count, teams);
    }

    public async Task<(int Count, IReadOnlyList<OrganizationView> Results)> ListOrganizationsAsync(Caller caller, int limit, int offset, CancellationToken cancellationToken)
    {
        var query =
            from organization in db.Organizations
            join membership in db.OrganizationMemberships on organization.Id equals membership.OrganizationId
            where membership.UserId == caller.UserId
            select new { organization, membership.Level };
        if (caller.ScopedOrganizations is { Count: > 0 } scoped)
        {
            var ids = scoped.Select(s => Guid.TryParse(s, out var id) ? id : Guid.Empty).ToList();
            query = query.Where(x => ids.Contains(x.organization.Id));
        }

        var count = await query.CountAsync(cancellationToken);
        var rows = await query.OrderBy(x => x.organization.CreatedAt).ThenBy(x => x.organization.Id).Skip(offset).Take(limit).AsNoTracking().ToListAsync(cancellationToken);
        var organizationIds = rows.Select(r => r.organization.Id).ToList();
        var teams = await VisibleTeams(caller).Where(t => organizationIds.Contains(t.OrganizationId)).OrderBy(t => t.Id).ToListAsync(cancellationToken);
        return (count, rows.Select(r => new OrganizationView(r.organization, r.Level, teams.Where(t => t.OrganizationId == r.organization.Id).ToList())).ToList());
    }

    public async Task<OrganizationView> GetOrganizationAsync(Caller caller, string rawOrganizationId, CancellationToken cancellationToken)
    {
        var organization = await ResolveOrganizationAsync(caller, rawOrganizationId, cancellationToken);
        var level = await db.OrganizationMemberships.Where(m => m.OrganizationId == organization.Id && m.UserId == caller.UserId).Select(m => m.Level).SingleAsync(cancellationToken);
        var teams = await VisibleTeams(caller).Where(t => t.OrganizationId == organization.Id).OrderBy(t => t.Id).ToListAsync(cancellationToken);
        return new OrganizationView(organization, level, teams);
    }

    private IQueryable<Team> VisibleTeams(Caller caller)
    {
        var memberOf = db.OrganizationMemberships.Where(m => m.UserId == caller.UserId).Select(m => m.OrganizationId);
        var query = db.Teams.AsNoTracking().Where(t => memberOf.Contains(t.OrganizationId));
        if (caller.ScopedTeams is { Count: > 0 } scopedTeams)
        {
            var ids = scopedTeams.ToList();
            query = query.Where(t => ids.Contains(t.Id));
        }

        if (caller.ScopedOrganizations is { Count: > 0 } scopedOrganizations)
        {
            var ids = scopedOrganizations.Select(s => Guid.TryParse(s, out var id) ? id : Guid.Empty).ToList();
            query = query.Where(t => ids.Contains(t.OrganizationId));
        }

        return query;
    }

    /// <summary>The team, shared between requests for <see cref="AccessCache.TimeToLive"/>: callers only read it.</summary>
    private async Task<Team?> FindTeamAsync(int teamId, CancellationToken cancellationToken)
    {
        var cacheKey = (nameof(Team), teamId);
        if (cache.TryGet<Team>(cacheKey, out var cached))
        {
            return cached;
        }

        var team = await db.Teams.AsNoTracking().SingleOrDefaultAsync(t => t.Id == teamId, cancellationToken);
        if (team != null)
        {
            cache.Set(cacheKey, team);
        }

        return team;
    }

    private async Task<bool> IsMemberAsync(Caller caller, Guid organizationId, CancellationToken cancellationToken)
    {
        var cacheKey = (nameof(IsMemberAsync), caller.UserId, organizationId);
        if (cache.TryGet<bool>(cacheKey, out var cached))
        {
            return cached;
        }

        var isMember = await db.OrganizationMemberships.AnyAsync(m => m.UserId == caller.UserId && m.OrganizationId == organizationId, cancellationToken);
        cache.Set(cacheKey, isMember);
        return isMember;
    }
}
