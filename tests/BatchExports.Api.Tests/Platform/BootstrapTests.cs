using System.Net;
using BatchExports.Core.Services.Accounts;
using BatchExports.Testing;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;

namespace BatchExports.Api.Tests.Platform;

public sealed class BootstrapTests(ApiFactory factory) : IClassFixture<ApiFactory>
{
    [Fact]
    public async Task Bootstrap_OnAnEmptyDatabase_CreatesTeamOneAndAWorkingKey_ThenReusesThem()
    {
        var first = await factory.WithScopeAsync(s => s.GetRequiredService<AccountsService>().BootstrapAsync(null, CancellationToken.None));

        Assert.Equal(1, first.TeamId);
        Assert.NotNull(first.NewPlainKey);
        var projects = (await factory.CreateApiClient(first.NewPlainKey).GetAsync("/api/projects/")).Expect(HttpStatusCode.OK);
        Assert.Equal(1, (int)projects["results"]![0]!["id"]!);
        Assert.Equal("Default project", (string?)projects["results"]![0]!["name"]);

        var second = await factory.WithScopeAsync(s => s.GetRequiredService<AccountsService>().BootstrapAsync(null, CancellationToken.None));
        Assert.Null(second.NewPlainKey);
        Assert.Equal(first.OrganizationId, second.OrganizationId);
        Assert.Equal(first.KeyMask, second.KeyMask);

        // A configured bootstrap key becomes valid, idempotently.
        const string configured = "phx_ConfiguredBootstrapKeyForTests0123456789abcdefghi";
        await factory.WithScopeAsync(s => s.GetRequiredService<AccountsService>().BootstrapAsync(configured, CancellationToken.None));
        await factory.WithScopeAsync(s => s.GetRequiredService<AccountsService>().BootstrapAsync(configured, CancellationToken.None));
        (await factory.CreateApiClient(configured).GetAsync("/api/projects/1/batch_exports/")).Expect(HttpStatusCode.OK);
        await using var db = factory.CreateDbContext();
        Assert.Equal(1, await db.Organizations.CountAsync());
        Assert.Equal(2, await db.PersonalApiKeys.CountAsync());
    }
}
