namespace BatchExports.Core.Services.FileDownloads;

/// <summary>A file download create request as received (PostHog's on-demand serializer); checked by <see cref="CreateFileDownload"/>.</summary>
public sealed record FileDownloadInput(
    string? FileFormat,
    string? Compression,
    long? MaxSizeMb,
    string? Model,
    IReadOnlyList<string>? Include,
    IReadOnlyList<string>? Exclude,
    string? HogqlQuery,
    string? DataIntervalStart,
    string? DataIntervalEnd);
