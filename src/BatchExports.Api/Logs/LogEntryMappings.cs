using BatchExports.Core.Domain;

namespace BatchExports.Api.Logs;

public static class LogEntryMappings
{
    /// <summary>PostHog's <c>log_source_id</c> is the export's id, or the on-demand export's for a file download.</summary>
    public static LogEntryResponse ToResponse(this BatchExportLogEntry entry) =>
        new((entry.BatchExportId ?? entry.BatchExportOnDemandId).ToString()!, entry.InstanceId, entry.Timestamp, entry.Level, entry.Message);
}
