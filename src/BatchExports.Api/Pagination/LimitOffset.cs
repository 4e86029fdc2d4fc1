using System.Globalization;
using Microsoft.AspNetCore.Http.Extensions;
using Microsoft.Extensions.Primitives;

namespace BatchExports.Api.Pagination;

/// <summary>DRF's LimitOffsetPagination: <c>?limit=&amp;offset=</c>, absolute <c>next</c>/<c>previous</c> links.</summary>
public readonly record struct LimitOffset(int Limit, int Offset)
{
    public const int MaxLimit = 1000;

    /// <summary>Invalid or missing values fall back to the defaults, as DRF does.</summary>
    public static LimitOffset From(HttpRequest request, int defaultLimit = 100)
    {
        var limit = PositiveInt(request.Query["limit"], strict: true) ?? defaultLimit;
        var offset = PositiveInt(request.Query["offset"], strict: false) ?? 0;
        return new LimitOffset(Math.Min(limit, MaxLimit), offset);
    }

    /// <summary>DRF's page of <paramref name="results"/>, <paramref name="count"/> in all, linked from <paramref name="request"/>.</summary>
    public Page<T> PageOf<T>(HttpRequest request, int count, IReadOnlyList<T> results) =>
        new(count, NextLink(request, count), PreviousLink(request), results);

    public string? NextLink(HttpRequest request, int count) =>
        Offset + Limit >= count ? null : Link(request, Limit, Offset + Limit);

    public string? PreviousLink(HttpRequest request) =>
        Offset <= 0 ? null : Link(request, Limit, Math.Max(0, Offset - Limit));

    private static string Link(HttpRequest request, int limit, int offset)
    {
        var query = request.Query.ToDictionary(p => p.Key, p => p.Value);
        query["limit"] = limit.ToString(CultureInfo.InvariantCulture);
        if (offset == 0)
        {
            query.Remove("offset");
        }
        else
        {
            query["offset"] = offset.ToString(CultureInfo.InvariantCulture);
        }

        return AbsoluteUrl(request, query);
    }

    public static string AbsoluteUrl(HttpRequest request, IDictionary<string, StringValues> query)
    {
        var builder = new QueryBuilder();
        foreach (var (key, values) in query)
        {
            foreach (var value in values)
            {
                builder.Add(key, value ?? "");
            }
        }

        return UriHelper.BuildAbsolute(request.Scheme, request.Host, request.PathBase, request.Path, builder.ToQueryString());
    }

    private static int? PositiveInt(StringValues raw, bool strict)
    {
        if (!int.TryParse(raw.ToString(), NumberStyles.None, CultureInfo.InvariantCulture, out var value))
        {
            return null;
        }

        return strict && value == 0 ? null : value;
    }
}
