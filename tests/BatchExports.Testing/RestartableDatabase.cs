using BatchExports.Core.Hosting;
using BatchExports.Core.Persistence;
using Microsoft.EntityFrameworkCore;
using Npgsql;

namespace BatchExports.Testing;

/// <summary>
/// A PostgreSQL cluster of one test's own, migrated, that the test may stop and start (an outage, a restart) without
/// any other test losing its database; removed with its files when the test ends.
/// </summary>
public sealed class RestartableDatabase(string prefix, string databaseName) : IAsyncDisposable
{
    // Short: unix socket paths are limited to ~107 bytes.
    private readonly string _root = Path.Combine(Path.GetTempPath(), $"{prefix}-{Guid.NewGuid():N}"[..14]);

    public EmbeddedPostgres Cluster => field ??= new EmbeddedPostgres(_root, durable: false);

    public string DatabaseName => databaseName;

    /// <summary>Starts the cluster and migrates the database; returns its connection string.</summary>
    public async Task<string> StartAsync()
    {
        var connectionString = await Cluster.EnsureStartedAsync(DatabaseName, CancellationToken.None);
        await using var db = new BatchExportsDbContext(new DbContextOptionsBuilder<BatchExportsDbContext>().UseNpgsql(connectionString).Options);
        await db.Database.MigrateAsync();
        return connectionString;
    }

    public async ValueTask DisposeAsync()
    {
        NpgsqlConnection.ClearAllPools();
        await Cluster.StopAsync();
        try
        {
            Directory.Delete(_root, recursive: true);
        }
        catch (IOException)
        {
        }
        catch (UnauthorizedAccessException)
        {
        }
    }
}
