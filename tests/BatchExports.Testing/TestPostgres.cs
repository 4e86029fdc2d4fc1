using BatchExports.Core.Hosting;
using BatchExports.Core.Persistence;
using Microsoft.EntityFrameworkCore;
using Npgsql;
using Testcontainers.PostgreSql;

namespace BatchExports.Testing;

/// <summary>
/// A real PostgreSQL for every test that touches data: <c>BATCHEXPORTS_TEST_POSTGRES</c> when set, else a
/// Testcontainers PostgreSQL when a Docker engine answers, else a throwaway cluster started from the machine's
/// PostgreSQL binaries. Each caller gets its own database, cloned from a migrated template.
/// </summary>
public sealed class TestPostgres
{
    public const string EnvironmentVariable = "BATCHEXPORTS_TEST_POSTGRES";

    private static readonly SemaphoreSlim Gate = new(1, 1);
    private static TestPostgres? _instance;

    private readonly string _adminConnectionString;
    private readonly string _templateName = $"bx_template_{Environment.ProcessId}";
    private bool _templateReady;

    private TestPostgres(string adminConnectionString, string source)
    {
        _adminConnectionString = adminConnectionString;
        Source = source;
    }

    /// <summary>Where the server came from, for test output.</summary>
    public string Source { get; }

    public static async Task<TestPostgres> GetAsync()
    {
        await Gate.WaitAsync();
        try
        {
            return _instance ??= await StartAsync();
        }
        finally
        {
            Gate.Release();
        }
    }

    /// <summary>A new, migrated, empty database; returns its connection string.</summary>
    public async Task<string> CreateDatabaseAsync(string? hint = null)
    {
        await Gate.WaitAsync();
        try
        {
            if (!_templateReady)
            {
                await ExecuteAsync($"DROP DATABASE IF EXISTS \"{_templateName}\"");
                await ExecuteAsync($"CREATE DATABASE \"{_templateName}\"");
                var templateConnection = WithDatabase(_templateName);
                await using (var db = new BatchExportsDbContext(new DbContextOptionsBuilder<BatchExportsDbContext>().UseNpgsql(templateConnection).Options))
                {
                    await db.Database.MigrateAsync();
                }

                NpgsqlConnection.ClearAllPools();
                _templateReady = true;
            }

            var name = $"bx_{Sanitize(hint)}_{Guid.NewGuid():N}";
            await ExecuteAsync($"CREATE DATABASE \"{name}\" TEMPLATE \"{_templateName}\"");
            return WithDatabase(name);
        }
        finally
        {
            Gate.Release();
        }
    }

    /// <summary>An empty database without migrations (for testing migrations themselves).</summary>
    public async Task<string> CreateEmptyDatabaseAsync()
    {
        var name = $"bx_empty_{Guid.NewGuid():N}";
        await ExecuteAsync($"CREATE DATABASE \"{name}\"");
        return WithDatabase(name);
    }

    public async Task DropDatabaseAsync(string connectionString)
    {
        var name = new NpgsqlConnectionStringBuilder(connectionString).Database;
        NpgsqlConnection.ClearAllPools();
        await ExecuteAsync($"DROP DATABASE IF EXISTS \"{name}\" WITH (FORCE)");
    }

    private string WithDatabase(string database) =>
        new NpgsqlConnectionStringBuilder(_adminConnectionString) { Database = database, MaxPoolSize = 30 }.ConnectionString;

    private async Task ExecuteAsync(string sql)
    {
        await using var connection = new NpgsqlConnection(_adminConnectionString);
        await connection.OpenAsync();
        await using var command = new NpgsqlCommand(sql, connection);
        await command.ExecuteNonQueryAsync();
    }

    private static string Sanitize(string? hint) =>
        new string((hint ?? "db").ToLowerInvariant().Where(char.IsAsciiLetterOrDigit).Take(20).ToArray());

    private static async Task<TestPostgres> StartAsync()
    {
        if (Environment.GetEnvironmentVariable(EnvironmentVariable) is { Length: > 0 } configured)
        {
            return new TestPostgres(new NpgsqlConnectionStringBuilder(configured) { Database = "postgres", Pooling = false }.ConnectionString, EnvironmentVariable);
        }

        if (DockerEngineAvailable())
        {
            var container = new PostgreSqlBuilder("postgres:16-alpine").Build();
            await container.StartAsync();
            AppDomain.CurrentDomain.ProcessExit += (_, _) => container.DisposeAsync().AsTask().GetAwaiter().GetResult();
            return new TestPostgres(new NpgsqlConnectionStringBuilder(container.GetConnectionString()) { Database = "postgres", Pooling = false }.ConnectionString, "Testcontainers");
        }

        // Short path: unix socket paths are limited to ~107 bytes.
        var root = Path.Combine(Path.GetTempPath(), $"bxpg-{Environment.ProcessId}-{Guid.NewGuid():N}"[..20]);
        var cluster = new EmbeddedPostgres(root, durable: false);
        var connectionString = await cluster.EnsureStartedAsync("postgres", CancellationToken.None);
        AppDomain.CurrentDomain.ProcessExit += (_, _) =>
        {
            cluster.StopAsync().GetAwaiter().GetResult();
            try
            {
                Directory.Delete(root, recursive: true);
            }
            catch (IOException)
            {
            }
            catch (UnauthorizedAccessException)
            {
            }
        };
        return new TestPostgres(new NpgsqlConnectionStringBuilder(connectionString) { Pooling = false }.ConnectionString, $"throwaway cluster in {root}");
    }

    private static bool DockerEngineAvailable() =>
        File.Exists("/var/run/docker.sock") || !string.IsNullOrEmpty(Environment.GetEnvironmentVariable("DOCKER_HOST"));
}
