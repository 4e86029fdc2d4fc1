using BatchExports.Core.Domain;
using BatchExports.Core.Persistence;
using BatchExports.Core.Services.BatchExports;
using Microsoft.EntityFrameworkCore;

namespace BatchExports.UnitTests.Services;

/// <summary>
/// The API's hand-written hot read (<see cref="ExportRows"/>) must select every column EF maps for the three entities it
/// builds, or an entity read there would silently lack a field that EF's reads carry.
/// </summary>
public sealed class ExportRowsTests
{
    private static readonly BatchExportsDbContext Db = new(
        new DbContextOptionsBuilder<BatchExportsDbContext>().UseNpgsql("Host=unused;Database=model_only").Options);

    [Theory]
    [InlineData(typeof(BatchExport), ExportRows.ExportColumns, "e.")]
    [InlineData(typeof(BatchExportDestination), ExportRows.DestinationColumns, "d.")]
    [InlineData(typeof(BatchExportRun), ExportRows.RunColumns, "r.")]
    public void Selects_every_column_the_model_maps(Type entity, string columns, string alias)
    {
        var mapped = Db.Model.FindEntityType(entity)!.GetProperties().Select(p => p.GetColumnName()).Order(StringComparer.Ordinal);

        Assert.Equal(mapped, Columns(columns, alias).Order(StringComparer.Ordinal));
    }

    [Fact]
    public void Offsets_follow_the_column_lists()
    {
        Assert.Equal(ExportRows.DestinationOffset, Columns(ExportRows.ExportColumns, "e.").Count);
        Assert.Equal(ExportRows.RunOffset, ExportRows.DestinationOffset + Columns(ExportRows.DestinationColumns, "d.").Count);
    }

    private static List<string> Columns(string list, string alias) =>
        list.Split(',', StringSplitOptions.TrimEntries).Select(c => c[alias.Length..].Trim('"')).ToList();
}
