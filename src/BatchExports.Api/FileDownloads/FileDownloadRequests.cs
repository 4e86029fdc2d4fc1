using System.ComponentModel;
using BatchExports.Core.Services.FileDownloads;

namespace BatchExports.Api.FileDownloads;

/// <summary>PostHog's file download create body (spec §5.8).</summary>
public sealed record FileDownloadCreateRequest
{
    public FileSettingsRequest? File { get; init; }

    [Description("events (default), persons or sessions.")]
    public string? Model { get; init; }

    [Description("Event names to export (events only).")]
    public IReadOnlyList<string>? Include { get; init; }

    [Description("Event names to leave out (events only).")]
    public IReadOnlyList<string>? Exclude { get; init; }

    [Description("Only for the hogql model, which is not enabled here.")]
    public string? HogqlQuery { get; init; }

    [Description("ISO datetime; without an offset it is UTC.")]
    public string? DataIntervalStart { get; init; }

    [Description("ISO datetime, at most a week after the start and not in the future.")]
    public string? DataIntervalEnd { get; init; }

    public FileDownloadInput ToInput() => new(
        File?.Format, File?.Compression, File?.MaxSizeMb, Model, Include, Exclude, HogqlQuery, DataIntervalStart, DataIntervalEnd);
}

/// <summary>The file to write.</summary>
public sealed record FileSettingsRequest
{
    [Description("Parquet (default) or JSONLines.")]
    public string? Format { get; init; }

    [Description("Parquet: zstd, lz4, snappy, gzip, brotli. JSONLines: gzip, brotli. null for none.")]
    public string? Compression { get; init; }

    [Description("Split into files of about this size; 0 or null for one file.")]
    public long? MaxSizeMb { get; init; }
}
