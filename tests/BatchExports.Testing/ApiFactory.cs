using BatchExports.Core.Persistence;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Mvc.Testing;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Time.Testing;
using Xunit;

namespace BatchExports.Testing;

/// <summary>
/// The real API (real HTTP pipeline, real authentication, real PostgreSQL) over a fresh database per fixture.
/// The clock is a <see cref="FakeTimeProvider"/> starting at the real "now", so tests can move time.
/// </summary>
public class ApiFactory : WebApplicationFactory<Program>, IAsyncLifetime
{
    /// <summary>A fixed test key: configs in test databases are encrypted with it.</summary>
    public const string EncryptionKey = "q0n8Q3Vx3bJ3yN1O5nV6Yv0m7o3bJ3yN1O5nV6Yv0m4=";

    private TestPostgres? _postgres;

    public string ConnectionString { get; protected set; } = "";

    public FakeTimeProvider Clock { get; } = new(DateTimeOffset.UtcNow);

    /// <summary>False runs the API on the real clock (for tests of the hosted engine in real time).</summary>
    protected virtual bool UseFakeClock => true;

    /// <summary>Extra configuration (e.g. the engine's settings) for a test class.</summary>
    protected virtual IDictionary<string, string?> Settings => new Dictionary<string, string?>();

    /// <summary>Creates this fixture's database; a subclass may point <see cref="ConnectionString"/> at a server of its own instead.</summary>
    public virtual async ValueTask InitializeAsync()
    {
        _postgres = await TestPostgres.GetAsync();
        ConnectionString = await _postgres.CreateDatabaseAsync(GetType().Name);
    }

    public override async ValueTask DisposeAsync()
    {
        await base.DisposeAsync();
        if (_postgres != null && ConnectionString.Length > 0)
        {
            await _postgres.DropDatabaseAsync(ConnectionString);
        }

        GC.SuppressFinalize(this);
    }

    protected override void ConfigureWebHost(IWebHostBuilder builder)
    {
        builder.UseContentRoot(AppContext.BaseDirectory);
        builder.UseSetting("ConnectionStrings:BatchExports", ConnectionString);
        builder.UseSetting("BatchExports:EncryptionKey", EncryptionKey);
        builder.UseSetting("BatchExports:Engine:Enabled", "false");
        builder.UseSetting("BatchExports:Engine:InstanceId", $"test-{Guid.NewGuid():N}");
        builder.UseSetting("Serilog:MinimumLevel:Default", "Warning");
        foreach (var (key, value) in Settings)
        {
            builder.UseSetting(key, value);
        }

        if (UseFakeClock)
        {
            builder.ConfigureServices(services =>
            {
                services.RemoveAll<TimeProvider>();
                services.AddSingleton<TimeProvider>(Clock);
            });
        }
    }

    /// <summary>A DbContext on this fixture's database, for arranging and asserting state directly.</summary>
    public BatchExportsDbContext CreateDbContext() =>
        Services.CreateScope().ServiceProvider.GetRequiredService<BatchExportsDbContext>();

    public async Task<T> WithScopeAsync<T>(Func<IServiceProvider, Task<T>> action)
    {
        await using var scope = Services.CreateAsyncScope();
        return await action(scope.ServiceProvider);
    }
}
