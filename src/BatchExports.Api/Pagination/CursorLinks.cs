using Microsoft.Extensions.Primitives;

namespace BatchExports.Api.Pagination;

public static class CursorLinks
{
    /// <summary>The current request's absolute URL with <c>cursor</c> set: how DRF's cursor pagination links pages.</summary>
    public static Func<string, string> For(HttpRequest request) => cursor =>
    {
        var query = request.Query.ToDictionary(p => p.Key, p => p.Value);
        query["cursor"] = new StringValues(cursor);
        return LimitOffset.AbsoluteUrl(request, query);
    };
}
