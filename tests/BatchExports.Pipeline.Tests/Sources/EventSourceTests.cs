using BatchExports.Pipeline.Destinations.S3;
using System.Text.Json.Nodes;
using BatchExports.Core.Domain;
using BatchExports.Core.Domain.Schemas;
using BatchExports.Core.Persistence;
using BatchExports.Pipeline.Formats;
using BatchExports.Pipeline.Sources;
using static BatchExports.Pipeline.Tests.Sources.SourceDatabase;

namespace BatchExports.Pipeline.Tests.Sources;

public sealed class EventRows : SourceDatabase
{
    public static readonly Guid FullUuid = Guid.Parse("01900000-0000-7000-8000-0000000000b1");
    public static readonly Guid PersonId = Guid.Parse("5d1c2a3e-1111-4222-8333-444455556666");

    public const string FullProperties =
        """{"$browser": "Chrome", "price": 49.99, "$set": {"email": "a@example.com"}, "$set_once": {"first": "x"}, "city": "São Paulo"}""";

    protected override Task SeedAsync(BatchExportsDbContext db)
    {
        db.Events.AddRange(
            // Ingested exactly at the interval start: in the scheduled run, not the backfill.
            Event("at-start", At(9, 30), At(10, 0)),
            Event("full", At(10, 15), At(10, 16), FullProperties, personProperties: """{"email": "a@example.com"}""", distinctId: "d-full", uuid: FullUuid),
            // Happened in the interval, ingested exactly at its end: the backfill's, not the scheduled run's.
            Event("at-end", At(10, 59, 59).AddTicks(9_999_990), At(11, 0)),
            // Happened in the interval, ingested late.
            Event("late", At(10, 30), At(12, 30)),
            Event("before", At(8, 0), At(9, 59, 59).AddTicks(9_999_990)),
            Event("other-team", At(10, 20), At(10, 21), teamId: 2),
            Event("$pageview", At(10, 40), At(10, 41)),
            Event("$autocapture", At(10, 41), At(10, 42)),
            Event("purchase", At(10, 42), At(10, 43)));
        return Task.CompletedTask;
    }
}

/// <summary>Which events an interval selects, and the values the source yields for them.</summary>
public sealed class EventSourceTests(EventRows rows) : IClassFixture<EventRows>
{
    private static readonly JsonObject NoConfig = [];

    [Fact]
    public async Task Scheduled_runs_select_by_ingestion_time_start_inclusive_end_exclusive_in_ingestion_order()
    {
        var query = SourceRequests.Records(Export(), NoConfig, Interval, isBackfill: false, S3Destination.EventFields);

        var selected = await rows.RowsAsync(query);

        Assert.Equal(["at-start", "full", "$pageview", "$autocapture", "purchase"], selected.Select(r => r["event"]));
        Assert.Equal([At(10, 0), At(10, 16), At(10, 41), At(10, 42), At(10, 43)], selected.Select(r => r["_inserted_at"]));
    }

    [Fact]
    public async Task Backfills_select_by_event_time_in_event_order_and_report_it_as_inserted_at()
    {
        var query = SourceRequests.Records(Export(), NoConfig, Interval, isBackfill: true, S3Destination.EventFields);

        var selected = await rows.RowsAsync(query);

        Assert.Equal(["full", "late", "$pageview", "$autocapture", "purchase", "at-end"], selected.Select(r => r["event"]));
        // As PostHog's backfill query: the row time column is the event time.
        Assert.All(selected, r => Assert.Equal(r["timestamp"], r["_inserted_at"]));
    }

    [Fact]
    public async Task An_interval_given_in_another_offset_selects_the_same_instants()
    {
        var berlin = TimeSpan.FromHours(2);
        var interval = new DataInterval(Interval.Start.ToOffset(berlin), Interval.End.ToOffset(berlin));

        var scheduled = await rows.RowsAsync(SourceRequests.Records(Export(), NoConfig, interval, false, S3Destination.EventFields));
        var stats = await rows.Source.GetAsync(Export(), NoConfig, interval.Start, interval.End, CancellationToken.None);

        Assert.Equal(["at-start", "full", "$pageview", "$autocapture", "purchase"], scheduled.Select(r => r["event"]));
        Assert.Equal(new SourceStats(At(10, 15), 6), stats);
    }

    [Fact]
    public async Task Other_teams_are_never_selected()
    {
        var scheduled = await rows.RowsAsync(SourceRequests.Records(Export(teamId: 2), NoConfig, Interval, false, S3Destination.EventFields));
        var backfill = await rows.RowsAsync(SourceRequests.Records(Export(teamId: 2), NoConfig, Interval, true, S3Destination.EventFields));

        Assert.Equal(["other-team"], scheduled.Select(r => r["event"]));
        Assert.Equal(["other-team"], backfill.Select(r => r["event"]));
    }

    [Theory]
    [InlineData(new[] { "$pageview", "purchase" }, null, new[] { "$pageview", "purchase" })]
    [InlineData(null, new[] { "$pageview", "at-start" }, new[] { "full", "$autocapture", "purchase" })]
    [InlineData(new[] { "$pageview", "purchase" }, new[] { "purchase" }, new[] { "$pageview" })]
    [InlineData(new string[0], new string[0], new[] { "at-start", "full", "$pageview", "$autocapture", "purchase" })]
    [InlineData(new[] { "no-such-event" }, null, new string[0])]
    public async Task Include_and_exclude_events_filter_by_name(string[]? include, string[]? exclude, string[] expected)
    {
        var query = SourceRequests.Records(Export(), Config(include, exclude), Interval, false, S3Destination.EventFields);

        Assert.Equal(expected, (await rows.RowsAsync(query)).Select(r => r["event"]));
    }

    [Fact]
    public async Task S3_default_fields_come_in_PostHog_order_with_their_types_and_values()
    {
        var query = SourceRequests.Records(Export(), Config(include: ["full"]), Interval, false, S3Destination.EventFields);

        var batch = Assert.Single(await rows.BatchesAsync(query));

        Assert.Equal(
            [
                new Column("uuid", ColumnKind.String), new Column("timestamp", ColumnKind.Timestamp),
                new Column("_inserted_at", ColumnKind.Timestamp), new Column("created_at", ColumnKind.Timestamp),
                new Column("event", ColumnKind.String), new Column("properties", ColumnKind.Json),
                new Column("distinct_id", ColumnKind.String), new Column("elements_chain", ColumnKind.String),
                new Column("person_properties", ColumnKind.Json), new Column("person_id", ColumnKind.String),
            ],
            batch.Columns);
        Assert.Equal(query.Columns, batch.Columns);
        var row = Assert.Single(batch.Rows);
        Assert.Equal(EventRows.FullUuid.ToString(), row[0]);
        Assert.Equal(At(10, 15), row[1]);
        Assert.Equal(TimeSpan.Zero, ((DateTimeOffset)row[1]!).Offset);
        Assert.Equal(At(10, 16), row[2]);
        Assert.Equal(At(10, 16).AddMilliseconds(-5), row[3]);
        Assert.Equal("full", row[4]);
        Assert.True(JsonNode.DeepEquals(JsonNode.Parse(EventRows.FullProperties), JsonNode.Parse((string)row[5]!)));
        Assert.Equal("d-full", row[6]);
        Assert.Null(row[7]);
        Assert.Equal("""{"email": "a@example.com"}""", row[8]);
        Assert.Null(row[9]);
    }

    [Fact]
    public async Task Default_fields_carry_team_id_and_set_and_set_once_from_the_properties()
    {
        var query = SourceRequests.Records(Export(), Config(include: ["full", "$pageview"]), Interval, false, SourceRequests.DefaultEventFields);

        var selected = await rows.RowsAsync(query);

        Assert.Equal(SourceRequests.DefaultEventFields, query.Columns.Select(c => c.Name));
        Assert.Equal(ColumnKind.Int64, query.Columns.Single(c => c.Name == "team_id").Kind);
        Assert.Equal(ColumnKind.Json, query.Columns.Single(c => c.Name == "set").Kind);
        Assert.Equal(1L, selected[0]["team_id"]);
        Assert.Equal("""{"email": "a@example.com"}""", selected[0]["set"]);
        Assert.Equal("""{"first": "x"}""", selected[0]["set_once"]);
        Assert.Null(selected[1]["set"]);
        Assert.Null(selected[1]["set_once"]);
    }

    [Fact]
    public async Task A_custom_schema_selects_its_fields_and_properties_by_alias_and_adds_inserted_at()
    {
        var schema = HogQLSelectParser.Parse(
            "SELECT event, properties.$browser AS browser, properties.price, person_properties.email AS email, properties.missing AS missing, team_id, timestamp FROM events");
        var query = SourceRequests.Records(Export(schema: schema.ToJson()), Config(include: ["full", "$pageview"]), Interval, false, S3Destination.EventFields);

        var selected = await rows.RowsAsync(query);

        Assert.Equal(
            [
                new Column("event", ColumnKind.String), new Column("browser", ColumnKind.String), new Column("price", ColumnKind.String),
                new Column("email", ColumnKind.String), new Column("missing", ColumnKind.String), new Column("team_id", ColumnKind.Int64),
                new Column("timestamp", ColumnKind.Timestamp), new Column("_inserted_at", ColumnKind.Timestamp),
            ],
            query.Columns);
        Assert.Equal(
            new Dictionary<string, object?>
            {
                ["event"] = "full", ["browser"] = "Chrome", ["price"] = "49.99", ["email"] = "a@example.com", ["missing"] = null,
                ["team_id"] = 1L, ["timestamp"] = At(10, 15), ["_inserted_at"] = At(10, 16),
            },
            selected[0]);
        Assert.Null(selected[1]["browser"]);
        Assert.Null(selected[1]["email"]);
    }

    [Fact]
    public async Task A_custom_schema_that_selects_inserted_at_itself_gets_no_second_one()
    {
        var schema = new CustomSchema([new SelectedField("event", "event"), new SelectedField("timestamp", "_inserted_at")], "SELECT event, timestamp AS _inserted_at FROM events");
        var query = SourceRequests.Records(Export(schema: schema.ToJson()), NoConfig, Interval, false, S3Destination.EventFields);

        Assert.Equal(["event", "_inserted_at"], query.Columns.Select(c => c.Name));
        Assert.Equal(At(9, 30), (await rows.RowsAsync(query))[0]["_inserted_at"]);
    }
}
