using System.Text.Json.Serialization;

namespace BatchExports.Api.FileDownloads;

public sealed record FileDownloadCreatedResponse(Guid Id);

/// <summary>One file download in the list.</summary>
public sealed record FileDownloadSummaryResponse(Guid Id, string Status);

/// <summary>
/// A file download's state. PostHog adds <c>files</c> and <c>records_completed</c> once Completed and <c>error</c>
/// when the run has one, and leaves the keys out otherwise.
/// </summary>
public sealed record FileDownloadResponse(
    string Status,
    [property: JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)] IReadOnlyList<Guid>? Files,
    [property: JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)] int? RecordsCompleted,
    [property: JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)] string? Error);

public sealed record FileDownloadCancelResponse(string Status);
