using BatchExports.Core.Services.Paging;
using Microsoft.Extensions.Primitives;

namespace BatchExports.Api.Pagination;

public static class CursorLinks
{
    /// <summary>A keyset page of the use cases as DRF's cursor page, each item mapped to its wire record.</summary>
    public static CursorPage<TResponse> PageOf<TItem, TResponse>(HttpRequest request, KeysetPage.Result<TItem> page, Func<TItem, TResponse> toResponse)
    {
        var link = For(request);
        return new CursorPage<TResponse>(
            page.NextCursor == null ? null : link(page.NextCursor),
            page.PreviousCursor == null ? null : link(page.PreviousCursor),
            page.Items.Select(toResponse).ToList());
    }

    /// <summary>The current request's absolute URL with <c>cursor</c> set: how DRF's cursor pagination links pages.</summary>
    private static Func<string, string> For(HttpRequest request) => cursor =>
    {
        var query = request.Query.ToDictionary(p => p.Key, p => p.Value);
        query["cursor"] = new StringValues(cursor);
        return LimitOffset.AbsoluteUrl(request, query);
    };
}
