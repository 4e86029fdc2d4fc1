using BatchExports.Core.Domain;
using BatchExports.Core.Services.FileDownloads;

namespace BatchExports.Api.FileDownloads;

public static class FileDownloadMappings
{
    public static FileDownloadSummaryResponse ToSummaryResponse(this BatchExportRun run) => new(run.Id, run.Status);

    public static FileDownloadResponse ToResponse(this FileDownloadView view) => new(
        view.Status,
        view.Files,
        view.Files != null ? view.Run.RecordsCompleted ?? 0 : null,
        view.Run.LatestError);
}
