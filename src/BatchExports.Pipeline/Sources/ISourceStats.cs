using System.Text.Json.Nodes;
using BatchExports.Core.Domain;

namespace BatchExports.Pipeline.Sources;

/// <summary>The earliest data and an estimate of how many records a backfill will export.</summary>
public sealed record SourceStats(DateTimeOffset? Earliest, long? Count);

public interface ISourceStats
{
    /// <summary>
    /// Over the backfill time column of the export's model (event time for events), honouring the export's
    /// event filters; <paramref name="start"/> null means from the beginning.
    /// </summary>
    Task<SourceStats> GetAsync(BatchExport export, JsonObject config, DateTimeOffset? start, DateTimeOffset end, CancellationToken cancellationToken);
}
