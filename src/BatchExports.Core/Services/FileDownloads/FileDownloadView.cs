using BatchExports.Core.Domain;

namespace BatchExports.Core.Services.FileDownloads;

/// <summary>
/// A file download as retrieve shows it: the status PostHog reports (a Completed run whose files are not recorded yet
/// but that exported records still reads as Running), its files' ids ordered by key once Completed, and its run.
/// </summary>
public sealed record FileDownloadView(BatchExportRun Run, string Status, IReadOnlyList<Guid>? Files);
