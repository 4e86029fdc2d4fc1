namespace BatchExports.Core.Services.Runs;

/// <summary>The runs filters of <c>GET …/runs/</c>, already parsed (spec §5.5).</summary>
public sealed record RunListQuery(
    string Ordering,
    DateTimeOffset? After,
    DateTimeOffset? Before,
    DateTimeOffset? Start,
    DateTimeOffset? End,
    IReadOnlyList<string> Statuses,
    string? Cursor);
