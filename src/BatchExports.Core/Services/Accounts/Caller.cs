namespace BatchExports.Core.Services.Accounts;

/// <summary>Who is calling: the user behind a personal API key, and what the key allows.</summary>
public sealed record Caller(
    int UserId,
    int? CurrentTeamId,
    string KeyId,
    IReadOnlyList<string> Scopes,
    IReadOnlyList<int>? ScopedTeams,
    IReadOnlyList<string>? ScopedOrganizations);
