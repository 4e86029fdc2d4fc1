namespace BatchExports.Core.Services.BatchExports;

/// <summary>
/// Which exports a request addresses: one team's (project and environment routes) or every visible team of an
/// organization (organization route). Services apply it as a filter, as PostHog's <c>filter_rewrite_rules</c> do.
/// </summary>
public sealed record ExportScope(IReadOnlyList<int> TeamIds, int? TeamId, Guid? OrganizationId)
{
    public static ExportScope ForTeam(int teamId) => new([teamId], teamId, null);

    public static ExportScope ForOrganization(Guid organizationId, IReadOnlyList<int> visibleTeamIds) => new(visibleTeamIds, null, organizationId);
}
