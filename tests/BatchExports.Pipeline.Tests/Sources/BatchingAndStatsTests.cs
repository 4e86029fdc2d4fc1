using BatchExports.Pipeline.Destinations.S3;
using System.Text.Json.Nodes;
using BatchExports.Core.Persistence;
using BatchExports.Pipeline.Sources;
using static BatchExports.Pipeline.Tests.Sources.SourceDatabase;

namespace BatchExports.Pipeline.Tests.Sources;

public sealed class ManyEventRows : SourceDatabase
{
    public const int InInterval = 25;

    protected override Task SeedAsync(BatchExportsDbContext db)
    {
        // Inserted out of time order, so any order in the output comes from the query.
        for (var i = 0; i < InInterval; i++)
        {
            var minute = i * 7 % InInterval * 2;
            db.Events.Add(Event(i % 3 == 0 ? "purchase" : "$pageview", At(9, 0).AddMinutes(minute), At(10, minute).AddSeconds(i % 2), $$"""{"n": {{i}}}"""));
        }

        db.Events.Add(Event("$pageview", At(7, 45), At(9, 30)));
        db.Events.Add(Event("purchase", At(6, 15), At(11, 5), """{"n": -1}"""));
        db.Events.Add(Event("purchase", At(5, 0), At(5, 1), teamId: 2));
        return Task.CompletedTask;
    }
}

public sealed class BatchingAndStatsTests(ManyEventRows rows) : IClassFixture<ManyEventRows>
{
    [Theory]
    [InlineData(10, new[] { 10, 10, 5 })]
    [InlineData(5, new[] { 5, 5, 5, 5, 5 })]
    [InlineData(25, new[] { 25 })]
    [InlineData(1000, new[] { 25 })]
    public async Task Batches_smaller_than_the_interval_yield_every_row_once_in_time_order(int batchSize, int[] sizes)
    {
        var query = SourceRequests.Records(Export(), [], Interval, false, S3Destination.EventFields);

        var batches = await rows.BatchesAsync(query, batchSize);

        Assert.Equal(sizes, batches.Select(b => b.Count));
        var all = batches.SelectMany(b => b.Rows).ToList();
        Assert.Equal(ManyEventRows.InInterval, all.Select(r => r[0]).Distinct().Count());
        var times = all.Select(r => (DateTimeOffset)r[2]!).ToList();
        Assert.Equal(times.Order(), times);
        Assert.Equal(Enumerable.Range(0, ManyEventRows.InInterval), all.Select(r => JsonNode.Parse((string)r[5]!)!["n"]!.GetValue<int>()).Order());
    }

    [Fact]
    public async Task Backfill_rows_come_in_event_time_order()
    {
        var query = SourceRequests.Records(Export(), [], new(At(9, 0), At(10, 0)), true, S3Destination.EventFields);

        var times = (await rows.RowsAsync(query, batchSize: 4)).Select(r => (DateTimeOffset)r["timestamp"]!).ToList();

        Assert.Equal(ManyEventRows.InInterval, times.Count);
        Assert.Equal(times.Order(), times);
    }

    [Fact]
    public async Task An_empty_interval_yields_no_batch()
    {
        var query = SourceRequests.Records(Export(), [], new(At(12, 0), At(13, 0)), false, S3Destination.EventFields);

        Assert.Empty(await rows.BatchesAsync(query));
    }

    [Fact]
    public async Task Stats_give_the_earliest_event_time_and_count_before_the_end()
    {
        var stats = await rows.Source.GetAsync(Export(), [], null, At(10, 0), CancellationToken.None);

        Assert.Equal(new SourceStats(At(6, 15), ManyEventRows.InInterval + 2), stats);
    }

    [Fact]
    public async Task Stats_honour_the_start_the_end_and_the_event_filters()
    {
        var filters = (JsonArray)JsonNode.Parse("""[{"key": "n", "type": "event", "operator": "gte", "value": 10}]""")!;

        var from = await rows.Source.GetAsync(Export(), [], At(9, 0), At(9, 30), CancellationToken.None);
        var purchases = await rows.Source.GetAsync(Export(), Config(include: ["purchase"]), null, At(10, 0), CancellationToken.None);
        var filtered = await rows.Source.GetAsync(Export(filters: filters), Config(exclude: ["purchase"]), null, At(10, 0), CancellationToken.None);
        var none = await rows.Source.GetAsync(Export(), Config(include: ["nothing"]), null, At(10, 0), CancellationToken.None);

        Assert.Equal(new SourceStats(At(9, 0), 15), from);
        Assert.Equal(new SourceStats(At(6, 15), 10), purchases);
        Assert.Equal(new SourceStats(At(9, 4), 10), filtered);
        Assert.Equal(new SourceStats(null, 0), none);
    }
}
