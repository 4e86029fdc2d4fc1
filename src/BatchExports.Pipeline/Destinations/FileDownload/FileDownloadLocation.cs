namespace BatchExports.Pipeline.Destinations.FileDownload;

/// <summary>A local file path to stream, or a URL to redirect to.</summary>
public sealed record FileDownloadLocation(string? LocalPath, Uri? RedirectUrl);
