using Microsoft.AspNetCore.Hosting;
using System.Net;
using BatchExports.Core.Persistence;
using BatchExports.Testing;
using Microsoft.EntityFrameworkCore;
using Npgsql;

namespace BatchExports.Api.Tests.Platform;

public sealed class MigrationTests
{
    [Fact]
    public async Task Migrations_ApplyToAnEmptyDatabase_AndReadinessFollowsThem()
    {
        var postgres = await TestPostgres.GetAsync();
        var connectionString = await postgres.CreateEmptyDatabaseAsync();
        await using var factory = new FixedDatabaseFactory(connectionString);
        var client = factory.CreateApiClient(null);

        var notReady = await client.GetAsync("/_readyz");
        Assert.Equal(HttpStatusCode.ServiceUnavailable, notReady.Status);
        Assert.Equal("server_error", (string?)notReady.Json!["type"]);

        await using (var db = new BatchExportsDbContext(new DbContextOptionsBuilder<BatchExportsDbContext>().UseNpgsql(connectionString).Options))
        {
            await db.Database.MigrateAsync(TestContext.Current.CancellationToken);
            Assert.Empty(await db.Database.GetPendingMigrationsAsync(TestContext.Current.CancellationToken));
        }

        (await client.GetAsync("/_readyz")).Expect(HttpStatusCode.OK);

        await using var connection = new NpgsqlConnection(connectionString);
        await connection.OpenAsync(TestContext.Current.CancellationToken);
        await using var command = new NpgsqlCommand("SELECT tablename FROM pg_tables WHERE schemaname = 'public' ORDER BY 1", connection);
        var tables = new List<string>();
        await using (var reader = await command.ExecuteReaderAsync(TestContext.Current.CancellationToken))
        {
            while (await reader.ReadAsync(TestContext.Current.CancellationToken))
            {
                tables.Add(reader.GetString(0));
            }
        }

        Assert.Superset(
            new HashSet<string>
            {
                "organizations", "teams", "users", "organization_memberships", "personal_api_keys",
                "batch_exports", "batch_export_destinations", "batch_export_runs", "batch_export_backfills", "batch_export_log_entries",
            },
            tables.ToHashSet());
        await postgres.DropDatabaseAsync(connectionString);
    }

    [Fact]
    public async Task Readiness_IsUnavailable_WhenTheDatabaseIsUnreachable()
    {
        await using var factory = new FixedDatabaseFactory("Host=127.0.0.1;Port=1;Database=nothing;Timeout=2");

        var response = await factory.CreateApiClient(null).GetAsync("/_readyz");

        Assert.Equal(HttpStatusCode.ServiceUnavailable, response.Status);
        Assert.Equal("The database is not reachable.", (string?)response.Json!["detail"]);
        (await factory.CreateApiClient(null).GetAsync("/_health")).Expect(HttpStatusCode.OK);
    }

    /// <summary>The API over a database the test controls completely.</summary>
    private sealed class FixedDatabaseFactory(string connectionString) : Microsoft.AspNetCore.Mvc.Testing.WebApplicationFactory<Program>
    {
        protected override void ConfigureWebHost(Microsoft.AspNetCore.Hosting.IWebHostBuilder builder)
        {
            builder.UseContentRoot(AppContext.BaseDirectory);
            builder.UseSetting("ConnectionStrings:BatchExports", connectionString);
            builder.UseSetting("BatchExports:EncryptionKey", ApiFactory.EncryptionKey);
            builder.UseSetting("BatchExports:Engine:Enabled", "false");
            builder.UseSetting("Serilog:MinimumLevel:Default", "Warning");
        }

        public ApiClient CreateApiClient(string? key) => new(CreateClient(), key);
    }
}
