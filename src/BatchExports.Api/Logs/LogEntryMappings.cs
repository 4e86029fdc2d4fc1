using BatchExports.Core.Domain;

namespace BatchExports.Api.Logs;

public static class LogEntryMappings
{
    public static LogEntryResponse ToResponse(this BatchExportLogEntry entry) =>
        new(entry.BatchExportId.ToString(), entry.InstanceId, entry.Timestamp, entry.Level, entry.Message);
}
