using System.Text.Json.Nodes;
using BatchExports.Core.Domain;
using BatchExports.Pipeline.Sources;

namespace BatchExports.Pipeline.Tests.Sources;

/// <summary>Source reads as the pipeline builds them, from an export and its destination config, for tests of the source alone.</summary>
internal static class SourceRequests
{
    /// <summary>PostHog's default event fields for destinations other than S3: a field list of the tests' own.</summary>
    public static readonly IReadOnlyList<string> DefaultEventFields =
        ["uuid", "team_id", "timestamp", "_inserted_at", "created_at", "event", "properties", "distinct_id", "set", "set_once"];

    public static SourceQuery Records(BatchExport export, JsonObject config, DataInterval interval, bool isBackfill, IReadOnlyList<string> eventFields) =>
        SourceQueries.Records(new SourceRequest(ExportSelection.Of(export, config), interval, isBackfill, eventFields));

    public static Task<SourceStats> GetAsync(
        this ISource source, BatchExport export, JsonObject config, DateTimeOffset? start, DateTimeOffset end, CancellationToken cancellationToken) =>
        source.GetStatsAsync(ExportSelection.Of(export, config), start, end, cancellationToken);
}
