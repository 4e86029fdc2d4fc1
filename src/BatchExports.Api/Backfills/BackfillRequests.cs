using System.ComponentModel;

namespace BatchExports.Api.Backfills;

public sealed record BackfillCreateRequest
{
    [Description("Start of the period: a date (YYYY-MM-DD) for day and week exports, else an ISO datetime with offset. null = from the earliest data.")]
    public string? StartAt { get; init; }

    [Description("End of the period, same format. null = up to now, then unpause (HTTP and NoOp only).")]
    public string? EndAt { get; init; }
}
