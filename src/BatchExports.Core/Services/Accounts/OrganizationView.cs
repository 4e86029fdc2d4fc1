using BatchExports.Core.Domain;

namespace BatchExports.Core.Services.Accounts;

/// <summary>An organization as the caller sees it: its membership level there and the teams its key may reach.</summary>
public sealed record OrganizationView(Organization Organization, short MembershipLevel, IReadOnlyList<Team> Teams);
