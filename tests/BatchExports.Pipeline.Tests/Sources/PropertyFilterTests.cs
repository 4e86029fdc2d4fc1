using BatchExports.Pipeline.Destinations.S3;
using System.Text.Json.Nodes;
using BatchExports.Core.Domain.Filters;
using BatchExports.Core.Persistence;
using BatchExports.Pipeline.Sources;
using static BatchExports.Pipeline.Tests.Sources.SourceDatabase;

namespace BatchExports.Pipeline.Tests.Sources;

public sealed class FilterRows : SourceDatabase
{
    protected override Task SeedAsync(BatchExportsDbContext db)
    {
        var minute = 0;
        SourceEventRow("e1", """{"$browser": "Chrome", "plan": "pro", "price": 10, "amount": "15.5", "email": "alice@posthog.com", "path": "/pricing"}""",
            """{"email": "alice@example.com", "tier": "gold", "age": "30"}""");
        SourceEventRow("e2", """{"$browser": "Firefox", "plan": "free", "price": 5.5, "amount": "7", "email": "BOB@PostHog.com", "path": "/docs/intro"}""",
            """{"tier": "silver", "age": 25}""");
        SourceEventRow("e3", """{"$browser": "Safari", "price": "20", "amount": "abc", "flag": true, "huge": "1e999"}""", null);
        SourceEventRow("e4", """{"$browser": null, "price": null}""", "{}");
        SourceEventRow("e5", "{}", """{"tier": "gold"}""");
        SourceEventRow("e6", """{"$browser": "chrome", "plan": "pro", "price": 100, "nested": {"a": 1}, "huge": 1e400}""", """{"tier": "Gold"}""");
        SourceEventRow("e7", """{"path": "/a_b%c", "price": " 12 ", "email": "x\\y@example.com"}""", null);
        // Same properties, other team: never selected.
        db.Events.Add(Event("other", At(10, 30), At(10, 30), """{"$browser": "Chrome", "price": 10}""", teamId: 2, personProperties: """{"tier": "gold"}"""));
        return Task.CompletedTask;

        void SourceEventRow(string name, string properties, string? personProperties)
        {
            minute++;
            db.Events.Add(Event(name, At(10, minute), At(10, minute), properties, personProperties: personProperties));
        }
    }
}

/// <summary>Every property filter operator, applied in SQL, on event and person properties.</summary>
public sealed class PropertyFilterTests(FilterRows rows) : IClassFixture<FilterRows>
{
    public static TheoryData<string, string[]> Cases => new()
    {
        // exact: string, case-sensitive; a list matches any; numbers and booleans compare as their JSON text.
        { """[{"key": "$browser", "type": "event", "operator": "exact", "value": "Chrome"}]""", ["e1"] },
        { """[{"key": "$browser", "type": "event", "value": "Chrome"}]""", ["e1"] },
        { """[{"key": "$browser", "type": "event", "operator": null, "value": ["Chrome"]}]""", ["e1"] },
        { """[{"key": "$browser", "type": "event", "operator": "exact", "value": ["Chrome", "Safari"]}]""", ["e1", "e3"] },
        { """[{"key": "price", "type": "event", "operator": "exact", "value": 10}]""", ["e1"] },
        { """[{"key": "price", "type": "event", "operator": "exact", "value": "20"}]""", ["e3"] },
        { """[{"key": "flag", "type": "event", "operator": "exact", "value": true}]""", ["e3"] },
        // is_not: rows without the property (or with null) are kept.
        { """[{"key": "$browser", "type": "event", "operator": "is_not", "value": "Chrome"}]""", ["e2", "e3", "e4", "e5", "e6", "e7"] },
        { """[{"key": "$browser", "type": "event", "operator": "is_not", "value": ["Chrome", "Firefox"]}]""", ["e3", "e4", "e5", "e6", "e7"] },
        // icontains / not_icontains: case-insensitive substring; %, _ and \ are literal.
        { """[{"key": "email", "type": "event", "operator": "icontains", "value": "posthog"}]""", ["e1", "e2"] },
        { """[{"key": "path", "type": "event", "operator": "icontains", "value": "_"}]""", ["e7"] },
        { """[{"key": "path", "type": "event", "operator": "icontains", "value": "%"}]""", ["e7"] },
        { """[{"key": "email", "type": "event", "operator": "icontains", "value": "x\\y"}]""", ["e7"] },
        { """[{"key": "email", "type": "event", "operator": "not_icontains", "value": "POSTHOG"}]""", ["e3", "e4", "e5", "e6", "e7"] },
        // regex / not_regex: case-sensitive patterns; not_regex keeps rows without the property.
        { """[{"key": "path", "type": "event", "operator": "regex", "value": "^/(docs|pricing)"}]""", ["e1", "e2"] },
        { """[{"key": "$browser", "type": "event", "operator": "regex", "value": "^chrome$"}]""", ["e6"] },
        { """[{"key": "path", "type": "event", "operator": "not_regex", "value": "^/docs"}]""", ["e1", "e3", "e4", "e5", "e6", "e7"] },
        // is_set / is_not_set: a JSON null is not set.
        { """[{"key": "$browser", "type": "event", "operator": "is_set"}]""", ["e1", "e2", "e3", "e6"] },
        { """[{"key": "$browser", "type": "event", "operator": "is_not_set", "value": "is_not_set"}]""", ["e4", "e5", "e7"] },
        { """[{"key": "nested", "type": "event", "operator": "is_set"}]""", ["e6"] },
        // gt / gte / lt / lte: numeric, for numbers and numeric strings; other values never match.
        { """[{"key": "price", "type": "event", "operator": "gt", "value": 9}]""", ["e1", "e3", "e6", "e7"] },
        { """[{"key": "price", "type": "event", "operator": "gte", "value": "10"}]""", ["e1", "e3", "e6", "e7"] },
        { """[{"key": "price", "type": "event", "operator": "gt", "value": 10}]""", ["e3", "e6", "e7"] },
        { """[{"key": "price", "type": "event", "operator": "lt", "value": 10}]""", ["e2"] },
        { """[{"key": "price", "type": "event", "operator": "lte", "value": 5.5}]""", ["e2"] },
        { """[{"key": "amount", "type": "event", "operator": "gt", "value": "10"}]""", ["e1"] },
        { """[{"key": "amount", "type": "event", "operator": "lte", "value": 7}]""", ["e2"] },
        // Numbers too big for a double are still compared, not an error that fails the run.
        { """[{"key": "huge", "type": "event", "operator": "gt", "value": 1e300}]""", ["e3", "e6"] },
        // person filters read the person properties stored with the event.
        { """[{"key": "tier", "type": "person", "operator": "exact", "value": "gold"}]""", ["e1", "e5"] },
        { """[{"key": "tier", "type": "person", "operator": "icontains", "value": "GOLD"}]""", ["e1", "e5", "e6"] },
        { """[{"key": "age", "type": "person", "operator": "gte", "value": 26}]""", ["e1"] },
        { """[{"key": "tier", "type": "person", "operator": "is_not_set"}]""", ["e3", "e4", "e7"] },
        { """[{"key": "email", "type": "person", "operator": "is_not", "value": "alice@example.com"}]""", ["e2", "e3", "e4", "e5", "e6", "e7"] },
        // Several filters are ANDed.
        {
            """
            [{"key": "$browser", "type": "event", "operator": "is_set"},
             {"key": "plan", "type": "event", "operator": "exact", "value": "pro"},
             {"key": "price", "type": "event", "operator": "gt", "value": 50}]
            """,
            ["e6"]
        },
        {
            """
            [{"key": "plan", "type": "event", "operator": "exact", "value": "pro"},
             {"key": "tier", "type": "person", "operator": "exact", "value": "gold"}]
            """,
            ["e1"]
        },
        { "[]", ["e1", "e2", "e3", "e4", "e5", "e6", "e7"] },
    };

    [Theory]
    [MemberData(nameof(Cases))]
    public async Task Filters_select_exactly_the_matching_events(string filters, string[] expected)
    {
        var export = Export(filters: (JsonArray)JsonNode.Parse(filters)!);

        var scheduled = await rows.RowsAsync(SourceRequests.Records(export, [], Interval, false, S3Destination.EventFields));
        var backfill = await rows.RowsAsync(SourceRequests.Records(export, [], Interval, true, S3Destination.EventFields));
        var stats = await rows.Source.GetAsync(export, [], null, Interval.End, CancellationToken.None);

        Assert.Equal(expected, scheduled.Select(r => r["event"]));
        Assert.Equal(expected, backfill.Select(r => r["event"]));
        Assert.Equal(expected.Length, stats.Count);
    }

    [Theory]
    [InlineData("\"Infinity\"")]
    [InlineData("\"NaN\"")]
    [InlineData("1e400")]
    [InlineData("\"abc\"")]
    public void Comparisons_need_a_finite_number(string value)
    {
        var filter = (JsonObject)JsonNode.Parse($$"""{"key": "price", "type": "event", "operator": "gt", "value": {{value}}}""")!;

        Assert.Equal("Operator 'gt' needs a numeric 'value'.", PropertyFilterRules.Check(filter));
    }

    [Fact]
    public async Task Filters_and_include_events_combine()
    {
        var export = Export(filters: (JsonArray)JsonNode.Parse("""[{"key": "price", "type": "event", "operator": "gt", "value": 9}]""")!);

        var selected = await rows.RowsAsync(SourceRequests.Records(export, Config(include: ["e1", "e2", "e6"], exclude: ["e6"]), Interval, false, S3Destination.EventFields));

        Assert.Equal(["e1"], selected.Select(r => r["event"]));
    }
}
