using BatchExports.Core.Services.Accounts;
using Microsoft.Extensions.DependencyInjection;

namespace BatchExports.Testing;

/// <summary>An organization with a team, a member and a real personal API key.</summary>
public sealed record TestTenant(Guid OrganizationId, int TeamId, string Email, string ApiKey);

public static class TestAccounts
{
    /// <summary>Creates an organization, a team and a member holding a key with <paramref name="scopes"/> (default <c>*</c>).</summary>
    public static Task<TestTenant> CreateTenantAsync(this ApiFactory factory, string[]? scopes = null, string? email = null) =>
        factory.WithScopeAsync(async services =>
        {
            var accounts = services.GetRequiredService<AccountsService>();
            var organizationId = await accounts.CreateOrganizationAsync($"Org {Guid.NewGuid():N}", CancellationToken.None);
            var teamId = await accounts.CreateTeamAsync(organizationId, "Team", CancellationToken.None);
            email ??= $"user-{Guid.NewGuid():N}@example.com";
            var key = await accounts.CreateApiKeyAsync(email, organizationId, scopes ?? ["*"], null, null, null, CancellationToken.None);
            return new TestTenant(organizationId, teamId, email, key);
        });

    public static Task<int> CreateTeamAsync(this ApiFactory factory, Guid organizationId, string name = "Other team") =>
        factory.WithScopeAsync(services => services.GetRequiredService<AccountsService>().CreateTeamAsync(organizationId, name, CancellationToken.None));

    /// <summary>Another key for an existing member (or a new member) of <paramref name="organizationId"/>.</summary>
    public static Task<string> CreateKeyAsync(
        this ApiFactory factory,
        string email,
        Guid organizationId,
        string[]? scopes = null,
        int[]? scopedTeams = null,
        string[]? scopedOrganizations = null) =>
        factory.WithScopeAsync(services => services.GetRequiredService<AccountsService>()
            .CreateApiKeyAsync(email, organizationId, scopes ?? ["*"], scopedTeams, scopedOrganizations, null, CancellationToken.None));

    public static ApiClient CreateApiClient(this ApiFactory factory, string? apiKey) => new(factory.CreateClient(), apiKey);
}
