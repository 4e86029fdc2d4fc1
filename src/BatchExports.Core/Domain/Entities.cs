using System.Text.Json.Nodes;

namespace BatchExports.Core.Domain;

public sealed class Organization
{
    public Guid Id { get; set; }

    public string Name { get; set; } = "";

    public DateTimeOffset CreatedAt { get; set; }
}

/// <summary>A PostHog team: what <c>/api/projects/{id}</c> and <c>/api/environments/{id}</c> address.</summary>
public sealed class Team
{
    public int Id { get; set; }

    public Guid Uuid { get; set; }

    public Guid OrganizationId { get; set; }

    public string Name { get; set; } = "";

    public string Timezone { get; set; } = "UTC";

    public DateTimeOffset CreatedAt { get; set; }
}

public sealed class User
{
    public int Id { get; set; }

    public Guid Uuid { get; set; }

    public string Email { get; set; } = "";

    public bool IsActive { get; set; } = true;

    public int? CurrentTeamId { get; set; }

    public DateTimeOffset CreatedAt { get; set; }
}

public sealed class OrganizationMembership
{
    public const short Member = 1;
    public const short Admin = 8;
    public const short Owner = 15;

    public Guid Id { get; set; }

    public Guid OrganizationId { get; set; }

    public int UserId { get; set; }

    public short Level { get; set; } = Member;

    public DateTimeOffset CreatedAt { get; set; }
}

public sealed class PersonalApiKey
{
    public string Id { get; set; } = "";

    public int UserId { get; set; }

    public string Label { get; set; } = "";

    /// <summary>e.g. <c>phx_...abcd</c>: enough to recognise a key, never enough to use it.</summary>
    public string MaskValue { get; set; } = "";

    /// <summary><c>sha256$&lt;hex&gt;</c>; the plain key is never stored.</summary>
    public string SecureValue { get; set; } = "";

    public string[] Scopes { get; set; } = [];

    public int[]? ScopedTeams { get; set; }

    public string[]? ScopedOrganizations { get; set; }

    public DateTimeOffset CreatedAt { get; set; }

    public DateTimeOffset? LastUsedAt { get; set; }
}

public sealed class BatchExportDestination
{
    public Guid Id { get; set; }

    public string Type { get; set; } = "";

    /// <summary>The config as AES-GCM ciphertext; see <c>ConfigCipher</c>.</summary>
    public byte[] ConfigCiphertext { get; set; } = [];

    public int? IntegrationId { get; set; }

    public DateTimeOffset CreatedAt { get; set; }

    public DateTimeOffset LastUpdatedAt { get; set; }
}

public sealed class BatchExport
{
    public Guid Id { get; set; }

    public int TeamId { get; set; }

    public string Name { get; set; } = "";

    public Guid DestinationId { get; set; }

    public BatchExportDestination Destination { get; set; } = null!;

    public string Interval { get; set; } = Intervals.Hour;

    public bool Paused { get; set; }

    public bool Deleted { get; set; }

    public DateTimeOffset CreatedAt { get; set; }

    public DateTimeOffset LastUpdatedAt { get; set; }

    public DateTimeOffset? LastPausedAt { get; set; }

    public DateTimeOffset? StartAt { get; set; }

    public DateTimeOffset? EndAt { get; set; }

    /// <summary><c>{"fields":[{"expression","alias"}],"values":{},"hogql_query":"…"}</c> for a custom events schema.</summary>
    public JsonObject? Schema { get; set; }

    public string Model { get; set; } = ExportModels.Events;

    public JsonArray? Filters { get; set; }

    public string Timezone { get; set; } = "UTC";

    /// <summary>Seconds after the interval start: day = hour*3600, week = day*86400 + hour*3600.</summary>
    public int? IntervalOffset { get; set; }

    public int? OffsetDay => Interval == Intervals.Week ? (IntervalOffset ?? 0) / 86400 : null;

    public int? OffsetHour => Interval is Intervals.Day or Intervals.Week ? (IntervalOffset ?? 0) / 3600 % 24 : null;
}

/// <summary>
/// PostHog's <c>BatchExportOnDemand</c> (spec §2.6): the parent of a run started on demand (a file download) rather
/// than by a schedule. It holds what a batch export would: team, destination (type <c>FileDownload</c>), model, filters.
/// </summary>
public sealed class BatchExportOnDemand
{
    public Guid Id { get; set; }

    public int TeamId { get; set; }

    public Guid DestinationId { get; set; }

    public BatchExportDestination Destination { get; set; } = null!;

    public string Model { get; set; } = ExportModels.Events;

    public JsonArray? Filters { get; set; }

    public bool Deleted { get; set; }

    public DateTimeOffset CreatedAt { get; set; }

    public DateTimeOffset LastUpdatedAt { get; set; }
}

/// <summary>One file a file-download run wrote (PostHog's <c>BatchExportFileDownload</c>): where it is and until when.</summary>
public sealed class BatchExportFileDownload
{
    public Guid Id { get; set; }

    public int TeamId { get; set; }

    public Guid BatchExportRunId { get; set; }

    /// <summary>The storage key (a path under the downloads folder, or an object key in the downloads bucket).</summary>
    public string Key { get; set; } = "";

    public long SizeBytes { get; set; }

    public DateTimeOffset? ExpiresAt { get; set; }

    /// <summary>Set once expiry cleanup removed the stored file; the row stays so a download says it expired.</summary>
    public DateTimeOffset? RemovedAt { get; set; }

    public DateTimeOffset CreatedAt { get; set; }

    public DateTimeOffset LastUpdatedAt { get; set; }
}

public sealed class BatchExportRun
{
    public Guid Id { get; set; }

    /// <summary>The scheduled export this run belongs to; null for an on-demand run (exactly one of the two is set).</summary>
    public Guid? BatchExportId { get; set; }

    public Guid? BatchExportOnDemandId { get; set; }

    public string Status { get; set; } = RunStatuses.Starting;

    public int? RecordsCompleted { get; set; }

    public int? RecordsFailed { get; set; }

    public string? LatestError { get; set; }

    public DateTimeOffset? DataIntervalStart { get; set; }

    public DateTimeOffset DataIntervalEnd { get; set; }

    public string? Cursor { get; set; }

    public DateTimeOffset CreatedAt { get; set; }

    public DateTimeOffset? FinishedAt { get; set; }

    public DateTimeOffset LastUpdatedAt { get; set; }

    public long? RecordsTotalCount { get; set; }

    public long? BytesExported { get; set; }

    public Guid? BackfillId { get; set; }

    // Engine bookkeeping; never on the wire.

    /// <summary>How many times an executor has claimed this run.</summary>
    public int Attempt { get; set; }

    /// <summary>The run may not be claimed before this instant (settle delay, retry backoff).</summary>
    public DateTimeOffset NextAttemptAt { get; set; }

    public string? LeaseOwner { get; set; }

    public DateTimeOffset? LeaseExpiresAt { get; set; }
}

public sealed class BatchExportBackfill
{
    public Guid Id { get; set; }

    public int TeamId { get; set; }

    public Guid BatchExportId { get; set; }

    public DateTimeOffset? StartAt { get; set; }

    public DateTimeOffset? EndAt { get; set; }

    public string Status { get; set; } = BackfillStatuses.Starting;

    public DateTimeOffset CreatedAt { get; set; }

    public DateTimeOffset? FinishedAt { get; set; }

    public DateTimeOffset LastUpdatedAt { get; set; }

    public long? TotalRecordsCount { get; set; }

    public DateTimeOffset? AdjustedStartAt { get; set; }

    // Engine bookkeeping; never on the wire.

    /// <summary>The end of the last interval for which a run was created.</summary>
    public DateTimeOffset? LastIntervalEnd { get; set; }

}

/// <summary>A user-visible log line of an export, a run (<see cref="InstanceId"/>) or a backfill.</summary>
public sealed class BatchExportLogEntry
{
    public long Id { get; set; }

    public int TeamId { get; set; }

    /// <summary>The export whose log this is; null for the log of an on-demand export (exactly one of the two is set).</summary>
    public Guid? BatchExportId { get; set; }

    public Guid? BatchExportOnDemandId { get; set; }

    /// <summary>The run id, as PostHog's <c>instance_id</c>.</summary>
    public string? InstanceId { get; set; }

    public DateTimeOffset Timestamp { get; set; }

    public string Level { get; set; } = LogLevels.Info;

    public string Message { get; set; } = "";
}

/// <summary>
/// The embedded engine's copy of an export's schedule: derived from the export row and re-synced from it,
/// plus the cursor of the last boundary that became a run.
/// </summary>
public sealed class BatchExportSchedule
{
    public Guid BatchExportId { get; set; }

    public int TeamId { get; set; }

    public bool Paused { get; set; }

    public string Interval { get; set; } = Intervals.Hour;

    public string Timezone { get; set; } = "UTC";

    public int? IntervalOffset { get; set; }

    public DateTimeOffset? StartAt { get; set; }

    public DateTimeOffset? EndAt { get; set; }

    /// <summary>The last boundary already turned into a run (or skipped while paused).</summary>
    public DateTimeOffset LastBoundary { get; set; }

    /// <summary>
    /// The next boundary at which the schedule fires, or null once its <c>end_at</c> has passed: what the engine polls
    /// on, so a tick touches only the schedules that are due.
    /// </summary>
    public DateTimeOffset? NextFiringAt { get; set; }

    public DateTimeOffset UpdatedAt { get; set; }
}
