namespace BatchExports.Core.Services.BatchExports;

/// <summary>
/// Which exports a request addresses: one team's (project and environment routes) or every visible team of an
/// organization (organization route). Services apply it as a filter, as PostHog's <c>filter_rewrite_rules</c> do.
/// </summary>
public sealed record ExportScope(IReadOnlyList<int> TeamIds, int? TeamId)
{
    public static ExportScope ForTeam(int teamId) => new([teamId], teamId);

    public static ExportScope ForOrganization(IReadOnlyList<int> visibleTeamIds) => new(visibleTeamIds, null);
}
