namespace BatchExports.Api.Pagination;

/// <summary>DRF's limit/offset page.</summary>
public sealed record Page<T>(int Count, string? Next, string? Previous, IReadOnlyList<T> Results);

/// <summary>DRF's cursor page: no count.</summary>
public sealed record CursorPage<T>(string? Next, string? Previous, IReadOnlyList<T> Results);
