using BatchExports.Core.Domain;

namespace BatchExports.Core.Services.FileDownloads;

/// <summary>How the run lifecycle and pipeline see an on-demand export.</summary>
public static class OnDemandExports
{
    /// <summary>
    /// The on-demand export as the unsaved batch export the pipeline runs: it has everything a run reads from its
    /// parent (team, model, filters, destination) and no schedule. Never attached to a DbContext.
    /// </summary>
    public static BatchExport AsRunnableExport(BatchExportOnDemand onDemand)
    {
        ArgumentNullException.ThrowIfNull(onDemand);
        return new BatchExport
        {
            Id = onDemand.Id,
            TeamId = onDemand.TeamId,
            Name = "File download",
            DestinationId = onDemand.DestinationId,
            Destination = onDemand.Destination,
            Model = onDemand.Model,
            Filters = onDemand.Filters,
            Deleted = onDemand.Deleted,
            CreatedAt = onDemand.CreatedAt,
            LastUpdatedAt = onDemand.LastUpdatedAt,
        };
    }
}
