namespace BatchExports.Pipeline.Sources;

/// <summary>
/// Where exported records come from. The PostgreSQL source tables today; a ClickHouse source implements the same
/// interface. Only the pipeline and backfill planning talk to it; destinations receive its batches.
/// </summary>
public interface ISource
{
    /// <summary>The records of one run's interval, in batches of at most <paramref name="batchSize"/> rows.</summary>
    SourceRead Read(SourceRequest request, int batchSize);

    /// <summary>
    /// Over the backfill time column of the selection's model (event time for events), honouring its event filters;
    /// <paramref name="start"/> null means from the beginning.
    /// </summary>
    Task<SourceStats> GetStatsAsync(ExportSelection selection, DateTimeOffset? start, DateTimeOffset end, CancellationToken cancellationToken);
}
