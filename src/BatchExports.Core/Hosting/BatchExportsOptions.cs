using System.ComponentModel.DataAnnotations;

namespace BatchExports.Core.Hosting;

/// <summary>The <c>BatchExports</c> configuration section.</summary>
public sealed class BatchExportsOptions
{
    public const string SectionName = "BatchExports";

    /// <summary>Where the private PostgreSQL and the development encryption key live; defaults to <c>.data/</c> at the repository root.</summary>
    public string? DataDirectory { get; set; }

    /// <summary>Base64 of 32 bytes. When absent, a development key is generated under the data directory on first run.</summary>
    public string? EncryptionKey { get; set; }

    [Range(1024, 1024L * 1024 * 1024)]
    public long MaxRequestBodyBytes { get; set; } = 1024 * 1024;

    /// <summary>Whether <c>every 5 minutes</c> and <c>every 15 minutes</c> may be chosen (PostHog gates them per team).</summary>
    public bool AllowSubHourlyIntervals { get; set; } = true;

    [Range(1, 1000)]
    public int MaxConcurrentBackfillsPerTeam { get; set; } = 10;

    /// <summary>File downloads a team may have Starting or Running at once (PostHog's <c>BATCH_EXPORT_MAX_CONCURRENT_ON_DEMAND_PER_TEAM</c>).</summary>
    [Range(1, 1000)]
    public int MaxConcurrentFileDownloadsPerTeam { get; set; } = 5;

    /// <summary>Failed runs among the last <see cref="FailureCheckWindow"/> that pause an export (PostHog: 10); capped at the window.</summary>
    [Range(1, 10_000)]
    public int FailureThreshold { get; set; } = 10;

    /// <summary>How many of an export's latest runs the failure threshold counts in; unset, PostHog's per interval (24, 7, 4, 60 / N).</summary>
    [Range(1, 10_000)]
    public int? FailureCheckWindow { get; set; }

    /// <summary>
    /// URLs an <c>HTTP</c> destination may post to. PostHog allows only its own ingestion endpoints;
    /// a self-hosted deployment may add its own.
    /// </summary>
    public List<string> AllowedHttpDestinationUrls { get; set; } =
        ["https://us.i.posthog.com/batch/", "https://eu.i.posthog.com/batch/"];
}
