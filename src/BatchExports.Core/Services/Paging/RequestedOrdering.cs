namespace BatchExports.Core.Services.Paging;

/// <summary>
/// The <c>ordering</c> query parameter as DRF's <c>OrderingFilter</c> reads it: comma-separated terms, fields it does
/// not allow are dropped, and with none left the default order applies — never an error. Our keyset pages order by
/// one field, so the first allowed term wins.
/// </summary>
public static class RequestedOrdering
{
    public static string Resolve(string? requested, IReadOnlyCollection<string> allowed, string fallback)
    {
        ArgumentNullException.ThrowIfNull(allowed);
        return (requested ?? "")
            .Split(',', StringSplitOptions.TrimEntries | StringSplitOptions.RemoveEmptyEntries)
            .FirstOrDefault(allowed.Contains) ?? fallback;
    }
}
