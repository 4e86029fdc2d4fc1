using System.Linq.Expressions;
using System.Reflection;
using System.Runtime.CompilerServices;
using System.Text;
using System.Text.Json;
using BatchExports.Core.Errors;
using Microsoft.EntityFrameworkCore;

namespace BatchExports.Core.Services.Paging;

/// <summary>
/// DRF-style cursor pagination over (ordering key, id): opaque cursors, <c>next</c>/<c>previous</c>, and an id
/// tie-breaker in the ordering's direction so rows with equal keys are never repeated or skipped.
/// </summary>
public static class KeysetPage
{
    private static readonly MethodInfo RowGreaterThan = FindRowComparison("GreaterThan");
    private static readonly MethodInfo RowLessThan = FindRowComparison("LessThan");

    public sealed record Result<T>(IReadOnlyList<T> Items, string? NextCursor, string? PreviousCursor);

    private sealed record Position(long Key, Guid Id, bool Reverse);

    public static async Task<Result<T>> ReadAsync<T>(
        IQueryable<T> query,
        Expression<Func<T, DateTimeOffset>> key,
        Expression<Func<T, Guid>> id,
        bool descending,
        string? cursor,
        int pageSize,
        CancellationToken cancellationToken)
    {
        var position = Decode(cursor);
        var reverse = position?.Reverse ?? false;

        // Walking backwards (a "previous" cursor) reads in the opposite direction and flips the page afterwards.
        var readDescending = descending != reverse;
        if (position != null)
        {
            query = query.Where(After(key, id, position, readDescending));
        }

        query = readDescending
            ? query.OrderByDescending(key).ThenByDescending(id)
            : query.OrderBy(key).ThenBy(id);
        var rows = await query.Take(pageSize + 1).ToListAsync(cancellationToken);
        var hasMore = rows.Count > pageSize;
        var items = rows.Take(pageSize).ToList();
        if (reverse)
        {
            items.Reverse();
        }

        var keyOf = key.Compile();
        var idOf = id.Compile();
        string? next = null, previous = null;
        if (items.Count > 0)
        {
            var first = items[0];
            var last = items[^1];
            var moreForward = reverse ? position != null : hasMore;
            var moreBackward = reverse ? hasMore : position != null;
            next = moreForward ? Encode(new Position(keyOf(last).UtcTicks, idOf(last), false)) : null;
            previous = moreBackward ? Encode(new Position(keyOf(first).UtcTicks, idOf(first), true)) : null;
        }
        else if (position != null)
        {
            // An empty page past either end: offer the way back.
            var back = Encode(position with { Reverse = !position.Reverse });
            if (reverse)
            {
                next = back;
            }
            else
            {
                previous = back;
            }
        }

        return new Result<T>(items, next, previous);
    }

    private static Expression<Func<T, bool>> After<T>(
        Expression<Func<T, DateTimeOffset>> key, Expression<Func<T, Guid>> id, Position position, bool descending)
    {
        var parameter = key.Parameters[0];
        var idBody = new ReplaceParameter(id.Parameters[0], parameter).Visit(id.Body);
        var row = Expression.New(
            typeof(ValueTuple<DateTimeOffset, Guid>).GetConstructor([typeof(DateTimeOffset), typeof(Guid)])!,
            key.Body,
            idBody);
        Expression<Func<ValueTuple<DateTimeOffset, Guid>>> bound = () => new ValueTuple<DateTimeOffset, Guid>(
            new DateTimeOffset(position.Key, TimeSpan.Zero), position.Id);
        var comparison = Expression.Call(
            descending ? RowLessThan : RowGreaterThan,
            Expression.Constant(EF.Functions),
            Expression.Convert(row, typeof(ITuple)),
            Expression.Convert(bound.Body, typeof(ITuple)));
        return Expression.Lambda<Func<T, bool>>(comparison, parameter);
    }

    private static string Encode(Position position) =>
        Convert.ToBase64String(JsonSerializer.SerializeToUtf8Bytes(position)).TrimEnd('=').Replace('+', '-').Replace('/', '_');

    private static Position? Decode(string? cursor)
    {
        if (string.IsNullOrEmpty(cursor))
        {
            return null;
        }

        try
        {
            var padded = cursor.Replace('-', '+').Replace('_', '/');
            padded += new string('=', (4 - padded.Length % 4) % 4);
            return JsonSerializer.Deserialize<Position>(Encoding.UTF8.GetString(Convert.FromBase64String(padded)))
                ?? throw new FormatException();
        }
        catch (Exception exception) when (exception is FormatException or JsonException)
        {
            throw new NotFoundException("Invalid cursor");
        }
    }

    /// <summary>Npgsql's row-value comparison <c>(a, b) &gt; (c, d)</c>, which takes its rows as <see cref="ITuple"/>.</summary>
    private static MethodInfo FindRowComparison(string name) =>
        typeof(NpgsqlDbFunctionsExtensions).GetMethod(name, [typeof(DbFunctions), typeof(ITuple), typeof(ITuple)])
            ?? throw new MissingMethodException(nameof(NpgsqlDbFunctionsExtensions), name);

    private sealed class ReplaceParameter(ParameterExpression from, ParameterExpression to) : ExpressionVisitor
    {
        protected override Expression VisitParameter(ParameterExpression node) => node == from ? to : base.VisitParameter(node);
    }
}
