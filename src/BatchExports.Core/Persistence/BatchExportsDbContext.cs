using System.Text;
using BatchExports.Core.Domain;
using Microsoft.EntityFrameworkCore;

namespace BatchExports.Core.Persistence;

public sealed class BatchExportsDbContext(DbContextOptions<BatchExportsDbContext> options) : DbContext(options)
{
    public DbSet<Organization> Organizations => Set<Organization>();

    public DbSet<Team> Teams => Set<Team>();

    public DbSet<User> Users => Set<User>();

    public DbSet<OrganizationMembership> OrganizationMemberships => Set<OrganizationMembership>();

    public DbSet<PersonalApiKey> PersonalApiKeys => Set<PersonalApiKey>();

    public DbSet<BatchExportDestination> BatchExportDestinations => Set<BatchExportDestination>();

    public DbSet<BatchExport> BatchExports => Set<BatchExport>();

    public DbSet<BatchExportRun> BatchExportRuns => Set<BatchExportRun>();

    public DbSet<BatchExportBackfill> BatchExportBackfills => Set<BatchExportBackfill>();

    public DbSet<BatchExportOnDemand> BatchExportOnDemands => Set<BatchExportOnDemand>();

    public DbSet<BatchExportFileDownload> BatchExportFileDownloads => Set<BatchExportFileDownload>();

    public DbSet<BatchExportLogEntry> BatchExportLogEntries => Set<BatchExportLogEntry>();

    public DbSet<BatchExportSchedule> BatchExportSchedules => Set<BatchExportSchedule>();

    public DbSet<SourceEvent> Events => Set<SourceEvent>();

    public DbSet<SourcePerson> Persons => Set<SourcePerson>();

    public DbSet<SourcePersonDistinctId> PersonDistinctIds => Set<SourcePersonDistinctId>();

    public DbSet<SourceSession> Sessions => Set<SourceSession>();

    protected override void OnModelCreating(ModelBuilder modelBuilder)
    {
        modelBuilder.ApplyConfigurationsFromAssembly(typeof(BatchExportsDbContext).Assembly);
        ApplySnakeCaseNames(modelBuilder);
    }

    /// <summary>Tables and columns are snake_case, as in PostHog's schema.</summary>
    private static void ApplySnakeCaseNames(ModelBuilder modelBuilder)
    {
        foreach (var entity in modelBuilder.Model.GetEntityTypes())
        {
            foreach (var property in entity.GetProperties())
            {
                property.SetColumnName(ToSnakeCase(property.Name));
            }

            foreach (var key in entity.GetKeys())
            {
                key.SetName(ToSnakeCase(key.GetName()!));
            }

            foreach (var foreignKey in entity.GetForeignKeys())
            {
                foreignKey.SetConstraintName(ToSnakeCase(foreignKey.GetConstraintName()!));
            }

            foreach (var index in entity.GetIndexes())
            {
                index.SetDatabaseName(ToSnakeCase(index.GetDatabaseName()!));
            }
        }
    }

    internal static string ToSnakeCase(string name)
    {
        var builder = new StringBuilder(name.Length + 8);
        for (var i = 0; i < name.Length; i++)
        {
            var c = name[i];
            if (char.IsUpper(c))
            {
                var previousIsLowerOrDigit = i > 0 && (char.IsLower(name[i - 1]) || char.IsDigit(name[i - 1]));
                var nextIsLower = i + 1 < name.Length && char.IsLower(name[i + 1]);
                if (i > 0 && name[i - 1] != '_' && (previousIsLowerOrDigit || (nextIsLower && char.IsUpper(name[i - 1]))))
                {
                    builder.Append('_');
                }

                builder.Append(char.ToLowerInvariant(c));
            }
            else
            {
                builder.Append(c);
            }
        }

        return builder.ToString();
    }
}
