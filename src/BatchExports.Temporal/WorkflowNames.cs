namespace BatchExports.Temporal;

/// <summary>
/// Names shared by the API (which starts workflows by name, never by class) and the worker (which registers them).
/// The export workflows' names come from each destination's definition (<c>WorkflowName</c>).
/// </summary>
public static class WorkflowNames
{
    public const string Backfill = "backfill-batch-export";

    /// <summary>The on-demand export of a file download (PostHog's <c>DESTINATION_WORKFLOWS["FileDownload"]</c>).</summary>
    public const string FileDownload = "file-download-export";

    /// <summary>Every export workflow type the worker registers, one per destination type we run.</summary>
    public static readonly IReadOnlyList<string> Exports = ["s3-export", "postgres-export", "redshift-export", "http-export", "no-op"];
}
