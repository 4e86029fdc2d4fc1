using System.Net;
using BatchExports.Core.Security;
using BatchExports.Testing;
using Microsoft.EntityFrameworkCore;
using Npgsql;

namespace BatchExports.Api.Tests.Auth;

public sealed class AuthenticationTests(ApiFactory factory) : IClassFixture<ApiFactory>
{
    [Fact]
    public async Task Request_WithoutCredentials_Is401WithBearerChallenge()
    {
        var response = await factory.CreateApiClient(null).GetAsync("/api/projects/");

        response.ExpectError(HttpStatusCode.Unauthorized, "authentication_error", "Authentication credentials were not provided.", code: "not_authenticated");
        Assert.Equal("Bearer", response.WwwAuthenticate);
    }

    [Fact]
    public async Task Request_WithUnknownKeyInHeader_Is401NamingTheHeader()
    {
        var response = await factory.CreateApiClient("phx_" + new string('x', 43)).GetAsync("/api/projects/");

        response.ExpectError(HttpStatusCode.Unauthorized, "authentication_error",
            "Personal API key found in request Authorization header is invalid.", code: "authentication_failed");
        Assert.Equal("Bearer", response.WwwAuthenticate);
    }

    [Fact]
    public async Task Request_WithUnknownKeyInQueryString_Is401NamingTheQueryString()
    {
        var response = await factory.CreateApiClient(null).GetAsync("/api/projects/?personal_api_key=phx_nope");

        response.ExpectError(HttpStatusCode.Unauthorized, "authentication_error", "Personal API key found in request query string is invalid.");
    }

    [Fact]
    public async Task Request_WithUnknownKeyInBody_Is401NamingTheBody()
    {
        var tenant = await factory.CreateTenantAsync();
        var response = await factory.CreateApiClient(null).PostAsync($"/api/projects/{tenant.TeamId}/batch_exports/", new { personal_api_key = "phx_nope" });

        response.ExpectError(HttpStatusCode.Unauthorized, "authentication_error", "Personal API key found in request body is invalid.");
    }

    [Fact]
    public async Task Request_WithValidKeyInQueryString_IsAuthenticated()
    {
        var tenant = await factory.CreateTenantAsync();

        var response = await factory.CreateApiClient(null).GetAsync($"/api/projects/?personal_api_key={tenant.ApiKey}");

        var json = response.Expect(HttpStatusCode.OK);
        Assert.Equal(tenant.TeamId, (int)json["results"]![0]!["id"]!);
    }

    [Fact]
    public async Task Request_WithValidKeyInBody_IsAuthenticated()
    {
        var tenant = await factory.CreateTenantAsync();

        var response = await factory.CreateApiClient(null).PostAsync(
            $"/api/projects/{tenant.TeamId}/batch_exports/",
            new { personal_api_key = tenant.ApiKey, name = "by body key", interval = "hour", destination = new { type = "NoOp", config = new { } } });

        response.Expect(HttpStatusCode.Created);
    }

    [Fact]
    public async Task HeaderKey_IsTheOnlyOneTried_WhenPresent()
    {
        var tenant = await factory.CreateTenantAsync();

        // The query string holds garbage; the header's valid key is the one PostHog uses.
        var response = await factory.CreateApiClient(tenant.ApiKey).GetAsync("/api/projects/?personal_api_key=phx_nope");

        response.Expect(HttpStatusCode.OK);
    }

    [Fact]
    public async Task KeyOfDeactivatedUser_Is401()
    {
        var tenant = await factory.CreateTenantAsync();
        await using (var db = factory.CreateDbContext())
        {
            await db.Users.Where(u => u.Email == tenant.Email).ExecuteUpdateAsync(s => s.SetProperty(u => u.IsActive, false));
        }

        var response = await factory.CreateApiClient(tenant.ApiKey).GetAsync("/api/projects/");

        response.ExpectError(HttpStatusCode.Unauthorized, "authentication_error", "Personal API key found in request Authorization header is invalid.");
    }

    [Fact]
    public async Task Keys_AreStoredOnlyAsSha256_AndThePlainKeyAppearsNowhereInTheDatabase()
    {
        var tenant = await factory.CreateTenantAsync();
        await factory.CreateApiClient(tenant.ApiKey).GetAsync("/api/projects/");

        await using var db = factory.CreateDbContext();
        var stored = await db.PersonalApiKeys.SingleAsync(k => k.SecureValue == PersonalApiKeys.Hash(tenant.ApiKey));
        Assert.Matches("^sha256\\$[0-9a-f]{64}$", stored.SecureValue);
        Assert.Equal(tenant.ApiKey[..4] + "..." + tenant.ApiKey[^4..], stored.MaskValue);

        await using var connection = new NpgsqlConnection(factory.ConnectionString);
        await connection.OpenAsync();
        var tables = new List<string>();
        await using (var list = new NpgsqlCommand("SELECT tablename FROM pg_tables WHERE schemaname = 'public'", connection))
        await using (var reader = await list.ExecuteReaderAsync())
        {
            while (await reader.ReadAsync())
            {
                tables.Add(reader.GetString(0));
            }
        }

        Assert.Contains("personal_api_keys", tables);
        foreach (var table in tables)
        {
            await using var search = new NpgsqlCommand($"SELECT count(*) FROM \"{table}\" t WHERE t::text LIKE @needle", connection);
            search.Parameters.AddWithValue("needle", "%" + tenant.ApiKey[4..] + "%");
            Assert.Equal(0L, (long)(await search.ExecuteScalarAsync())!);
        }
    }

    [Fact]
    public async Task GeneratedKeys_CarryAtLeast256BitsOfRandomness()
    {
        var key = PersonalApiKeys.Generate();

        Assert.StartsWith("phx_", key);
        // 43 characters from a 62-letter alphabet: log2(62^43) ≈ 256.03 bits.
        Assert.Equal(43, key.Length - 4);
        Assert.True(43 * Math.Log2(62) >= 256);
        Assert.NotEqual(key, PersonalApiKeys.Generate());
    }

    [Fact]
    public async Task LastUsedAt_IsWrittenAtMostOnceAnHour()
    {
        var tenant = await factory.CreateTenantAsync();
        var client = factory.CreateApiClient(tenant.ApiKey);
        var hash = PersonalApiKeys.Hash(tenant.ApiKey);

        async Task<DateTimeOffset?> LastUsedAsync()
        {
            await using var db = factory.CreateDbContext();
            return await db.PersonalApiKeys.Where(k => k.SecureValue == hash).Select(k => k.LastUsedAt).SingleAsync();
        }

        Assert.Null(await LastUsedAsync());
        await client.GetAsync("/api/projects/");
        var first = await LastUsedAsync();
        Assert.NotNull(first);

        factory.Clock.Advance(TimeSpan.FromMinutes(30));
        await client.GetAsync("/api/projects/");
        Assert.Equal(first, await LastUsedAsync());

        factory.Clock.Advance(TimeSpan.FromMinutes(31));
        await client.GetAsync("/api/projects/");
        Assert.True(await LastUsedAsync() > first);
    }
}
