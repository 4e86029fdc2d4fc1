using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Design;

namespace BatchExports.Core.Persistence;

/// <summary>Lets <c>dotnet ef migrations add</c> build the model without starting the API.</summary>
internal sealed class DesignTimeDbContextFactory : IDesignTimeDbContextFactory<BatchExportsDbContext>
{
    public BatchExportsDbContext CreateDbContext(string[] args) =>
        new(new DbContextOptionsBuilder<BatchExportsDbContext>().UseNpgsql("Host=localhost;Database=batchexports_design").Options);
}
