namespace BatchExports.Core.Domain;

// The embedded source: PostgreSQL tables shaped like PostHog's ClickHouse tables. The export pipeline reads them
// with raw SQL (streamed); these classes exist so migrations create them and tests can seed them.

/// <summary>An ingested event. <see cref="InsertedAt"/> is the ingestion time that bounds scheduled event runs.</summary>
public sealed class SourceEvent
{
    public Guid Uuid { get; set; }

    public int TeamId { get; set; }

    public string Event { get; set; } = "";

    public string DistinctId { get; set; } = "";

    /// <summary>jsonb.</summary>
    public string Properties { get; set; } = "{}";

    public Guid? PersonId { get; set; }

    /// <summary>jsonb.</summary>
    public string? PersonProperties { get; set; }

    public string? ElementsChain { get; set; }

    public DateTimeOffset Timestamp { get; set; }

    public DateTimeOffset CreatedAt { get; set; }

    public DateTimeOffset InsertedAt { get; set; }
}

/// <summary>A person (PostHog's <c>person</c> table): every change bumps <see cref="Version"/> and <see cref="InsertedAt"/>.</summary>
public sealed class SourcePerson
{
    public Guid Id { get; set; }

    public int TeamId { get; set; }

    /// <summary>jsonb.</summary>
    public string Properties { get; set; } = "{}";

    public long Version { get; set; }

    public bool IsDeleted { get; set; }

    public DateTimeOffset CreatedAt { get; set; }

    public DateTimeOffset InsertedAt { get; set; }
}

/// <summary>A distinct id's person (PostHog's <c>person_distinct_id2</c>).</summary>
public sealed class SourcePersonDistinctId
{
    public int TeamId { get; set; }

    public string DistinctId { get; set; } = "";

    public Guid PersonId { get; set; }

    public long Version { get; set; }

    public bool IsDeleted { get; set; }

    public DateTimeOffset InsertedAt { get; set; }
}

/// <summary>A session, with the columns of PostHog's sessions model that a row can hold.</summary>
public sealed class SourceSession
{
    public Guid SessionId { get; set; }

    public int TeamId { get; set; }

    public string DistinctId { get; set; } = "";

    public DateTimeOffset StartTimestamp { get; set; }

    public DateTimeOffset EndTimestamp { get; set; }

    public string[] Urls { get; set; } = [];

    public int NumUniqUrls { get; set; }

    public string? EntryCurrentUrl { get; set; }

    public string? EntryPathname { get; set; }

    public string? EntryHostname { get; set; }

    public string? EndCurrentUrl { get; set; }

    public string? EndPathname { get; set; }

    public string? EndHostname { get; set; }

    public string? EntryUtmSource { get; set; }

    public string? EntryUtmCampaign { get; set; }

    public string? EntryUtmMedium { get; set; }

    public string? EntryUtmTerm { get; set; }

    public string? EntryUtmContent { get; set; }

    public string? EntryReferringDomain { get; set; }

    public string? EntryGclid { get; set; }

    public string? EntryFbclid { get; set; }

    public string? EntryGadSource { get; set; }

    public int PageviewCount { get; set; }

    public int AutocaptureCount { get; set; }

    public int ScreenCount { get; set; }

    public string? ChannelType { get; set; }

    public long SessionDuration { get; set; }

    public bool IsBounce { get; set; }

    public string? LastExternalClickUrl { get; set; }

    public double? VitalsLcp { get; set; }

    /// <summary>When the session row was last written; PostHog uses the session's end as its <c>_inserted_at</c>.</summary>
    public DateTimeOffset InsertedAt { get; set; }
}
