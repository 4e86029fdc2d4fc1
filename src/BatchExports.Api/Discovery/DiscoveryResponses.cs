namespace BatchExports.Api.Discovery;

public sealed record ProjectResponse(
    int Id,
    Guid Uuid,
    Guid Organization,
    string Name,
    string Timezone,
    DateTimeOffset CreatedAt);

public sealed record OrganizationResponse(
    Guid Id,
    string Name,
    DateTimeOffset CreatedAt,
    short MembershipLevel,
    IReadOnlyList<ProjectSummary> Teams);

public sealed record ProjectSummary(int Id, string Name);
