using BatchExports.Core.Domain;
using BatchExports.Core.Services.Accounts;

namespace BatchExports.Api.Discovery;

public static class DiscoveryMappings
{
    public static ProjectResponse ToResponse(this Team team) =>
        new(team.Id, team.Uuid, team.OrganizationId, team.Name, team.Timezone, team.CreatedAt);

    public static OrganizationResponse ToResponse(this OrganizationView view) => new(
        view.Organization.Id,
        view.Organization.Name,
        view.Organization.CreatedAt,
        view.MembershipLevel,
        view.Teams.Select(t => new ProjectSummary(t.Id, t.Name)).ToList());
}
