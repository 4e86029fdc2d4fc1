using BatchExports.Core.Hosting;
using Microsoft.Extensions.Configuration;

namespace BatchExports.Api.Hosting;

/// <summary>
/// Where the database is: <c>ConnectionStrings:BatchExports</c> when configured, otherwise the private
/// PostgreSQL under the data directory (started on demand by <see cref="EnsureAvailableAsync"/>).
/// </summary>
public sealed class DatabaseLocation : IDatabaseConnection
{
    public const string DatabaseName = "batchexports";

    public DatabaseLocation(IConfiguration configuration)
    {
        var configured = configuration.GetConnectionString("BatchExports");
        DataDirectoryPath = DataDirectory.Resolve(configuration[$"{BatchExportsOptions.SectionName}:DataDirectory"]);
        UsesPrivateCluster = string.IsNullOrWhiteSpace(configured);
        ConnectionString = UsesPrivateCluster
            ? EmbeddedPostgres.ConnectionStringFor(DataDirectoryPath, DatabaseName)
            : configured!;
    }

    public string ConnectionString { get; }

    public bool UsesPrivateCluster { get; }

    public string DataDirectoryPath { get; }

    /// <summary>Starts the private cluster when that is the database; returns it so the caller can stop it.</summary>
    public async Task<EmbeddedPostgres?> EnsureAvailableAsync(CancellationToken cancellationToken)
    {
        if (!UsesPrivateCluster)
        {
            return null;
        }

        var cluster = new EmbeddedPostgres(DataDirectoryPath);
        await cluster.EnsureStartedAsync(DatabaseName, cancellationToken);
        return cluster;
    }
}
