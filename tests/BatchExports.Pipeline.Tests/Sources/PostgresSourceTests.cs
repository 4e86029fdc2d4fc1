using BatchExports.Pipeline.Destinations.S3;
using System.Diagnostics;
using BatchExports.Pipeline.Formats;
using BatchExports.Pipeline.Sources;
using Npgsql;
using static BatchExports.Pipeline.Tests.Sources.SourceDatabase;

namespace BatchExports.Pipeline.Tests.Sources;

/// <summary>How the source lets go of a query it stops reading early.</summary>
public sealed class PostgresSourceTests(EventRows rows) : IClassFixture<EventRows>
{
    private const int EventsInTheScheduledInterval = 5;

    // A hundred million rows, produced as they are read: reading them all would take minutes.
    private static readonly SourceQuery Endless = new(
        "SELECT generate_series(1, 100000000)::bigint AS n", [], [new Column("n", ColumnKind.Int64)]);

    [Fact]
    public async Task Stopping_after_the_first_batch_cancels_the_query_instead_of_reading_the_rest()
    {
        var stopwatch = Stopwatch.StartNew();
        await foreach (var batch in rows.Source.ReadAsync(Endless, 1_000, CancellationToken.None))
        {
            Assert.Equal(1_000, batch.Count);
            break;
        }

        Assert.InRange(stopwatch.Elapsed, TimeSpan.Zero, TimeSpan.FromSeconds(20));
        // The pooled connection is fine for the next query.
        Assert.Equal(EventsInTheScheduledInterval, await CountSelectedAsync());
    }

    [Fact]
    public async Task A_cancelled_read_stops_promptly()
    {
        using var cancellation = new CancellationTokenSource();
        var stopwatch = Stopwatch.StartNew();
        var batches = 0;

        await Assert.ThrowsAnyAsync<OperationCanceledException>(async () =>
        {
            await foreach (var _ in rows.Source.ReadAsync(Endless, 1_000, cancellation.Token))
            {
                if (++batches == 3)
                {
                    cancellation.Cancel();
                }
            }
        });

        // Rows already received may still come through before the cancellation is noticed.
        Assert.InRange(batches, 3, 100);
        Assert.InRange(stopwatch.Elapsed, TimeSpan.Zero, TimeSpan.FromSeconds(20));
        Assert.Equal(EventsInTheScheduledInterval, await CountSelectedAsync());
    }

    [Fact]
    public async Task A_failing_consumer_lets_go_at_once_and_leaves_the_source_usable()
    {
        var stopwatch = Stopwatch.StartNew();
        await Assert.ThrowsAsync<InvalidOperationException>(async () =>
        {
            await foreach (var _ in rows.Source.ReadAsync(Endless, 500, CancellationToken.None))
            {
                throw new InvalidOperationException("destination failed");
            }
        });

        Assert.InRange(stopwatch.Elapsed, TimeSpan.Zero, TimeSpan.FromSeconds(20));
        await using var connection = new NpgsqlConnection(rows.ConnectionString);
        await connection.OpenAsync();
        Assert.Equal(1, await new NpgsqlCommand("SELECT 1", connection).ExecuteScalarAsync());
    }

    [Fact]
    public async Task Json_read_as_bytes_is_the_utf8_of_the_text_read_as_a_string()
    {
        Column[] columns = [new("j", ColumnKind.Json) { IsCanonicalJson = true }, new("loose", ColumnKind.Json), new("s", ColumnKind.String)];
        var query = new SourceQuery(
            """
            SELECT v.j::jsonb::text AS j, v.j AS loose, v.j AS s
            FROM (VALUES ('{"q": "a\"b\\c", "é": "café ☕ 日本語 🎉 𝄞", "big": "' || repeat('x', 100000) || '"}'), (NULL), ('[]')) v(j)
            """,
            [],
            columns);

        var asStrings = await ReadAllAsync(query, utf8Json: false);
        var asBytes = await ReadAllAsync(query, utf8Json: true);

        Assert.Equal(3, asStrings.Count);
        Assert.Null(asBytes[1][0]);
        for (var r = 0; r < asStrings.Count; r++)
        {
            // Only the canonical JSON column changes form; the others stay strings.
            Assert.Equal(asStrings[r][0] is string text ? System.Text.Encoding.UTF8.GetBytes(text) : null, asBytes[r][0] as byte[]);
            Assert.Equal(asStrings[r][1], asBytes[r][1]);
            Assert.Equal(asStrings[r][2], asBytes[r][2]);
        }

        Assert.Contains("café ☕ 日本語 🎉 𝄞", (string)asStrings[0][0]!);
    }

    private async Task<List<object?[]>> ReadAllAsync(SourceQuery query, bool utf8Json)
    {
        var all = new List<object?[]>();
        await foreach (var batch in rows.Source.ReadAsync(query, 2, CancellationToken.None, utf8Json))
        {
            all.AddRange(batch.Rows);
        }

        return all;
    }

    private async Task<int> CountSelectedAsync() =>
        (await rows.RowsAsync(SourceRequests.Records(Export(), [], Interval, false, S3Destination.EventFields))).Count;
}
