using System.Net;
using BatchExports.Core.Security;
using BatchExports.Core.Services.Accounts;
using BatchExports.Testing;
using Microsoft.EntityFrameworkCore;

namespace BatchExports.Api.Tests.Auth;

/// <summary>
/// Authentication and team access are cached for <see cref="AccessCache.TimeToLive"/>; a change made straight in the
/// database (as an admin or another process would) must be honoured once that time has passed.
/// </summary>
public sealed class AccessCacheTests(ApiFactory factory) : IClassFixture<ApiFactory>
{
    [Fact]
    public async Task DeletedKey_IsRefusedWithinTheTimeToLive()
    {
        var (tenant, client) = await AuthenticatedAsync();
        await using (var db = factory.CreateDbContext())
        {
            await db.PersonalApiKeys.Where(k => k.SecureValue == PersonalApiKeys.Hash(tenant.ApiKey)).ExecuteDeleteAsync();
        }

        factory.Clock.Advance(AccessCache.TimeToLive);

        (await client.GetAsync(ListPath(tenant))).ExpectError(HttpStatusCode.Unauthorized, "authentication_error",
            "Personal API key found in request Authorization header is invalid.");
    }

    [Fact]
    public async Task KeyThatLosesAScope_IsRefusedWithinTheTimeToLive()
    {
        var (tenant, client) = await AuthenticatedAsync();
        await using (var db = factory.CreateDbContext())
        {
            await db.PersonalApiKeys.Where(k => k.SecureValue == PersonalApiKeys.Hash(tenant.ApiKey))
                .ExecuteUpdateAsync(s => s.SetProperty(k => k.Scopes, new[] { "project:read" }));
        }

        factory.Clock.Advance(AccessCache.TimeToLive);

        (await client.GetAsync(ListPath(tenant))).ExpectError(HttpStatusCode.Forbidden, "authentication_error",
            "API key missing required scope 'batch_export:read'");
    }

    [Fact]
    public async Task UserRemovedFromTheOrganization_IsRefusedWithinTheTimeToLive()
    {
        var (tenant, client) = await AuthenticatedAsync();
        await using (var db = factory.CreateDbContext())
        {
            await db.OrganizationMemberships.Where(m => m.OrganizationId == tenant.OrganizationId).ExecuteDeleteAsync();
        }

        factory.Clock.Advance(AccessCache.TimeToLive);

        (await client.GetAsync(ListPath(tenant))).ExpectError(HttpStatusCode.Forbidden, "authentication_error",
            "You don't have access to the project.");
    }

    /// <summary>A tenant whose key, team and membership are in the cache (two requests, the second served from it).</summary>
    private async Task<(TestTenant Tenant, ApiClient Client)> AuthenticatedAsync()
    {
        var tenant = await factory.CreateTenantAsync();
        var client = factory.CreateApiClient(tenant.ApiKey);
        (await client.GetAsync(ListPath(tenant))).Expect(HttpStatusCode.OK);
        (await client.GetAsync(ListPath(tenant))).Expect(HttpStatusCode.OK);
        return (tenant, client);
    }

    private static string ListPath(TestTenant tenant) => $"/api/projects/{tenant.TeamId}/batch_exports/";
}
