using System.Text.Json.Nodes;
using BatchExports.Core.Domain.Schemas;
using ParsedSchema = BatchExports.Core.Domain.Schemas.CustomSchema;

namespace BatchExports.UnitTests.Schemas;

public sealed class HogQLSelectParserTests
{
    private const string ParseFailed = "Failed to parse query";
    private const string Unsupported =
        "Unsupported HogQL query: only fields and properties.<name> can be selected from events, with optional aliases";

    public static TheoryData<string, string[], string> ValidQueries => new()
    {
        { "SELECT event FROM events", ["event", "event"], "SELECT event FROM events" },
        { "select event, uuid from events;", ["event", "event", "uuid", "uuid"], "SELECT event, uuid FROM events" },
        { "  SeLeCt\n\tevent  As  e\r\n FrOm   events ; ", ["event", "e"], "SELECT event AS e FROM events" },
        {
            "SELECT created_at, distinct_id, elements_chain, event, person_id, person_properties, properties, team_id, timestamp, uuid FROM events",
            [
                "created_at", "created_at", "distinct_id", "distinct_id", "elements_chain", "elements_chain", "event", "event",
                "person_id", "person_id", "person_properties", "person_properties", "properties", "properties",
                "team_id", "team_id", "timestamp", "timestamp", "uuid", "uuid",
            ],
            "SELECT created_at, distinct_id, elements_chain, event, person_id, person_properties, properties, team_id, timestamp, uuid FROM events"
        },
        {
            "SELECT event, properties.$browser AS browser, uuid FROM events",
            ["event", "event", "properties.$browser", "browser", "uuid", "uuid"],
            "SELECT event, properties.$browser AS browser, uuid FROM events"
        },
        { "SELECT properties.$browser FROM events", ["properties.$browser", "$browser"], "SELECT properties.$browser FROM events" },
        { "SELECT person_properties.email FROM events", ["person_properties.email", "email"], "SELECT person_properties.email FROM events" },
        { "SELECT properties.$browser AS $browser FROM events", ["properties.$browser", "$browser"], "SELECT properties.$browser AS $browser FROM events" },
        // Quoted and bracketed property names.
        { "SELECT properties.`my key` FROM events", ["properties.my key", "my key"], "SELECT properties.`my key` FROM events" },
        { "SELECT properties.\"my key\" FROM events", ["properties.my key", "my key"], "SELECT properties.`my key` FROM events" },
        { "SELECT properties['my key'] FROM events", ["properties.my key", "my key"], "SELECT properties.`my key` FROM events" },
        { "SELECT person_properties['$initial_os'] AS os FROM events", ["person_properties.$initial_os", "os"], "SELECT person_properties.$initial_os AS os FROM events" },
        { "SELECT properties.`$browser` FROM events", ["properties.$browser", "$browser"], "SELECT properties.$browser FROM events" },
        { "SELECT properties.`a``b\\`c\\\\d` FROM events", ["properties.a`b`c\\d", "a`b`c\\d"], "SELECT properties.`a\\`b\\`c\\\\d` FROM events" },
        { "SELECT properties['line\\nbreak'] FROM events", ["properties.line\nbreak", "line\nbreak"], "SELECT properties.`line\\nbreak` FROM events" },
        { "SELECT properties['it''s'] FROM events", ["properties.it's", "it's"], "SELECT properties.`it's` FROM events" },
        { "SELECT properties.from FROM events", ["properties.from", "from"], "SELECT properties.from FROM events" },
        { "SELECT properties.`1st` FROM events", ["properties.1st", "1st"], "SELECT properties.`1st` FROM events" },
        // Quoted fields and aliases.
        { "SELECT `event` FROM events", ["event", "event"], "SELECT event FROM events" },
        { "SELECT \"uuid\" AS \"id\" FROM events", ["uuid", "id"], "SELECT uuid AS id FROM events" },
        { "SELECT event AS \"Event Name\" FROM events", ["event", "Event Name"], "SELECT event AS `Event Name` FROM events" },
        { "SELECT event AS `from` FROM events", ["event", "from"], "SELECT event AS `from` FROM events" },
        { "SELECT event AS `timestamp`, timestamp AS ts FROM events", ["event", "timestamp", "timestamp", "ts"], "SELECT event AS timestamp, timestamp AS ts FROM events" },
        // Qualified by the table.
        { "SELECT events.event FROM events", ["event", "event"], "SELECT event FROM events" },
        { "SELECT events.properties.$browser AS b FROM events", ["properties.$browser", "b"], "SELECT properties.$browser AS b FROM events" },
        { "SELECT events.properties['k'] FROM events", ["properties.k", "k"], "SELECT properties.k FROM events" },
        // Aliases are case-sensitive, as in ClickHouse.
        { "SELECT event AS E, uuid AS e FROM events", ["event", "E", "uuid", "e"], "SELECT event AS E, uuid AS e FROM events" },
        { "SELECT event -- the name\nFROM /* the only table */ events", ["event", "event"], "SELECT event FROM events" },
    };

    [Theory]
    [MemberData(nameof(ValidQueries))]
    public void Parses_supported_queries(string query, string[] expressionsAndAliases, string normalized)
    {
        var schema = HogQLSelectParser.Parse(query);

        Assert.Equal(Fields(expressionsAndAliases), schema.Fields);
        Assert.Equal(normalized, schema.NormalizedQuery);
    }

    [Theory]
    [MemberData(nameof(ValidQueries))]
    public void The_normalized_query_parses_to_the_same_schema(string query, string[] expressionsAndAliases, string normalized)
    {
        var reparsed = HogQLSelectParser.Parse(HogQLSelectParser.Parse(query).NormalizedQuery);

        Assert.Equal(Fields(expressionsAndAliases), reparsed.Fields);
        Assert.Equal(normalized, reparsed.NormalizedQuery);
    }

    [Theory]
    [InlineData("")]
    [InlineData("   \n ")]
    [InlineData("SELECT")]
    [InlineData("SELECT event,, FROM events")]
    [InlineData("SELECT event, FROM events")]
    [InlineData("garbage")]
    [InlineData("hello world")]
    [InlineData("event FROM events")]
    [InlineData("SELECT event FROM")]
    [InlineData("SELECT FROM events")]
    [InlineData("SELECT event FROM events;;")]
    [InlineData("SELECT event FROM events; SELECT uuid FROM events")]
    [InlineData("SELECT event FROM events)")]
    [InlineData("SELECT (event FROM events")]
    [InlineData("SELECT `event FROM events")]
    [InlineData("SELECT properties['key FROM events")]
    [InlineData("SELECT properties., uuid FROM events")]
    [InlineData("SELECT properties.`` FROM events")]
    [InlineData("SELECT event AS FROM events")]
    [InlineData("SELECT event AS select FROM events")]
    [InlineData("SELECT event AS 'e' FROM events")]
    [InlineData("SELECT event event event FROM events")]
    [InlineData("SELECT 1abc FROM events")]
    [InlineData("SELECT event FROM events JOIN")]
    [InlineData("SELECT event # FROM events")]
    [InlineData("SELECT event FROM events AS")]
    [InlineData("SELECT event NOT FROM events")]
    public void Rejects_unparseable_queries(string query) => AssertRejected(query, ParseFailed);

    [Theory]
    [InlineData("SELECT event FROM events JOIN persons ON persons.id = events.person_id")]
    [InlineData("SELECT event FROM events LEFT JOIN persons ON persons.id = events.person_id")]
    [InlineData("SELECT event FROM events left outer join persons p ON p.id = person_id")]
    [InlineData("SELECT event FROM events INNER JOIN persons USING person_id")]
    [InlineData("SELECT event FROM events RIGHT JOIN persons USING (person_id)")]
    [InlineData("SELECT event FROM events FULL OUTER JOIN persons ON 1 = 1")]
    [InlineData("SELECT event FROM events CROSS JOIN persons")]
    [InlineData("SELECT event FROM events ANY LEFT JOIN persons ON 1 = 1")]
    [InlineData("SELECT event FROM events ARRAY JOIN properties.list AS item")]
    [InlineData("SELECT event FROM events, persons")]
    [InlineData("SELECT e.event FROM events e JOIN persons p ON p.id = e.person_id")]
    [InlineData("SELECT toString(uuid) FROM events JOIN persons ON 1 = 1 WHERE 1 = 1")]
    public void Rejects_joins(string query) => AssertRejected(query, "JOINs are not supported");

    [Theory]
    [InlineData("SELECT event FROM events UNION ALL SELECT event FROM events")]
    [InlineData("SELECT event FROM events union distinct SELECT event FROM events")]
    [InlineData("SELECT event FROM events UNION SELECT uuid FROM events UNION ALL SELECT 1")]
    [InlineData("SELECT 1 FROM events UNION ALL SELECT event FROM persons JOIN groups ON 1 = 1")]
    public void Rejects_unions(string query) => AssertRejected(query, "UNIONs are not supported");

    [Theory]
    [InlineData("WITH recent AS (SELECT event FROM events) SELECT event FROM recent")]
    [InlineData("with 1 AS one SELECT event FROM events")]
    public void Rejects_ctes(string query) => AssertRejected(query, "CTEs are not supported");

    [Theory]
    [InlineData("SELECT event FROM (SELECT event FROM events)")]
    [InlineData("SELECT event FROM (SELECT event FROM events) AS sub")]
    [InlineData("SELECT foo FROM (SELECT event FROM events UNION ALL SELECT event FROM events)")]
    public void Rejects_subqueries_in_from(string query) => AssertRejected(query, "Subqueries are not supported");

    [Theory]
    [InlineData("SELECT (SELECT 1) AS one FROM events")]
    [InlineData("SELECT event, (SELECT max(timestamp) FROM events) FROM events")]
    [InlineData("SELECT event IN (SELECT event FROM events) FROM events")]
    [InlineData("SELECT toString((SELECT 1)) FROM events")]
    [InlineData("SELECT (SELECT event FROM events JOIN persons ON 1 = 1) FROM events")]
    public void Rejects_subqueries_in_select(string query) =>
        AssertRejected(query, "Subqueries in SELECT expressions are not supported");

    [Theory]
    [InlineData("SELECT event FROM persons")]
    [InlineData("SELECT event")]
    [InlineData("SELECT 1")]
    [InlineData("SELECT event FROM Events")]
    [InlineData("SELECT event FROM events_v2")]
    [InlineData("SELECT event FROM posthog.events")]
    [InlineData("SELECT event FROM numbers(10)")]
    [InlineData("SELECT event WHERE 1 = 1")]
    public void Rejects_other_tables(string query) => AssertRejected(query, "Query must SELECT FROM events");

    [Theory]
    [InlineData("SELECT foo FROM events", "foo")]
    [InlineData("SELECT Event FROM events", "Event")]
    [InlineData("SELECT foo.bar FROM events", "foo")]
    [InlineData("SELECT events.foo FROM events", "foo")]
    [InlineData("SELECT e.event FROM events", "e")]
    [InlineData("SELECT events FROM events", "events")]
    [InlineData("SELECT \"my col\" FROM events", "my col")]
    [InlineData("SELECT toString(foo) FROM events", "foo")]
    [InlineData("SELECT event, bar AS b FROM events", "bar")]
    [InlineData("SELECT $session_id, foo FROM events", "foo")]
    [InlineData("SELECT properties[foo] FROM events", "foo")]
    [InlineData("SELECT properties[\"foo\"] FROM events", "foo")]
    public void Rejects_unknown_fields(string query, string field) =>
        AssertRejected(query, $"Invalid HogQL query: Unable to resolve field: {field}");

    [Theory]
    [InlineData("SELECT $session_id FROM events", "$session_id")]
    [InlineData("SELECT event, $window_id AS w FROM events", "$window_id")]
    [InlineData("SELECT person_created_at FROM events", "person_created_at")]
    [InlineData("SELECT person.properties.email FROM events", "person")]
    [InlineData("SELECT pdi.distinct_id FROM events", "pdi")]
    [InlineData("SELECT events.elements_chain_href FROM events", "elements_chain_href")]
    [InlineData("SELECT elements_chain_texts, elements_chain_ids, elements_chain_elements FROM events", "elements_chain_elements, elements_chain_ids, elements_chain_texts")]
    [InlineData("SELECT $group_4, $group_0, $group_3, $group_1, $group_2 FROM events", "$group_0, $group_1, $group_2, $group_3, $group_4")]
    [InlineData("SELECT inserted_at, _offset, _timestamp, event_person_id FROM events", "_offset, _timestamp, event_person_id, inserted_at")]
    [InlineData("SELECT person, $session_id, inserted_at, $group_0, $session_id AS again FROM events", "$group_0, $session_id, inserted_at, person")]
    [InlineData("SELECT toString($window_id) FROM events", "$window_id")]
    public void Rejects_fields_batch_exports_cannot_read(string query, string fields) =>
        AssertRejected(
            query,
            $"Batch exports cannot read these fields: {fields}. Supported fields are: created_at, distinct_id, elements_chain, event, person_id, person_properties, properties, team_id, timestamp, uuid.");

    [Theory]
    [InlineData("SELECT toString(uuid) FROM events")]
    [InlineData("SELECT count() FROM events")]
    [InlineData("SELECT count(*) FROM events")]
    [InlineData("SELECT count(DISTINCT event) AS n FROM events")]
    [InlineData("SELECT CAST(uuid AS String) FROM events")]
    [InlineData("SELECT 'x' FROM events")]
    [InlineData("SELECT 1 FROM events")]
    [InlineData("SELECT 1.5e3 AS n FROM events")]
    [InlineData("SELECT NULL FROM events")]
    [InlineData("SELECT event, 'x' AS x FROM events")]
    [InlineData("SELECT event || 'x' FROM events")]
    [InlineData("SELECT team_id + 1 AS t FROM events")]
    [InlineData("SELECT -team_id FROM events")]
    [InlineData("SELECT event = '$pageview' FROM events")]
    [InlineData("SELECT event IS NOT NULL FROM events")]
    [InlineData("SELECT NOT event FROM events")]
    [InlineData("SELECT properties.$browser NOT LIKE '%Chrome%' FROM events")]
    [InlineData("SELECT (event) FROM events")]
    [InlineData("SELECT (event, uuid) FROM events")]
    [InlineData("SELECT [event] FROM events")]
    [InlineData("SELECT * FROM events")]
    [InlineData("SELECT events.* FROM events")]
    [InlineData("SELECT DISTINCT event FROM events")]
    [InlineData("SELECT properties.a.b FROM events")]
    [InlineData("SELECT properties['a']['b'] FROM events")]
    [InlineData("SELECT properties[1] FROM events")]
    [InlineData("SELECT event.foo FROM events")]
    [InlineData("SELECT event e FROM events")]
    [InlineData("SELECT event AS e, e FROM events")]
    [InlineData("SELECT event FROM events e")]
    [InlineData("SELECT event FROM events AS e")]
    [InlineData("SELECT event FROM events WHERE event = '$pageview'")]
    [InlineData("SELECT event FROM events WHERE uuid IN (SELECT uuid FROM events)")]
    [InlineData("SELECT event FROM events GROUP BY event")]
    [InlineData("SELECT event FROM events ORDER BY timestamp DESC")]
    [InlineData("SELECT event FROM events LIMIT 10")]
    [InlineData("SELECT event FROM events LIMIT 10 OFFSET 5;")]
    [InlineData("SELECT event, event, 1 FROM events")]
    public void Rejects_anything_else(string query) => AssertRejected(query, Unsupported);

    [Theory]
    [InlineData("SELECT event, event FROM events", "event")]
    [InlineData("SELECT properties.$browser, person_properties.$browser FROM events", "$browser")]
    [InlineData("SELECT uuid AS event, event FROM events", "event")]
    [InlineData("SELECT event AS e, uuid AS `e` FROM events", "e")]
    [InlineData("SELECT properties.`my key`, properties['my key'] FROM events", "my key")]
    public void Rejects_duplicate_aliases(string query, string alias) =>
        AssertRejected(query, $"Duplicate column alias '{alias}'");

    [Fact]
    public void The_unsupported_message_is_public_for_the_api_layer() =>
        Assert.Equal(Unsupported, HogQLSelectParser.UnsupportedMessage);

    [Fact]
    public void Lists_the_supported_fields() =>
        Assert.Equal(
            ["created_at", "distinct_id", "elements_chain", "event", "person_id", "person_properties", "properties", "team_id", "timestamp", "uuid"],
            HogQLSelectParser.SupportedFields);

    [Fact]
    public void Writes_the_schema_as_posthog_stores_it()
    {
        var schema = HogQLSelectParser.Parse("select event, properties.$browser as browser from events");

        Assert.Equal(
            """{"fields":[{"expression":"event","alias":"event"},{"expression":"properties.$browser","alias":"browser"}],"values":{},"hogql_query":"SELECT event, properties.$browser AS browser FROM events"}""",
            schema.ToJsonString());
    }

    [Theory]
    [MemberData(nameof(ValidQueries))]
    public void Reads_back_a_stored_schema(string query, string[] expressionsAndAliases, string normalized)
    {
        var stored = JsonNode.Parse(HogQLSelectParser.Parse(query).ToJsonString())!.AsObject();

        var schema = ParsedSchema.FromJson(stored);

        Assert.NotNull(schema);
        Assert.Equal(Fields(expressionsAndAliases), schema.Fields);
        Assert.Equal(normalized, schema.NormalizedQuery);
    }

    [Theory]
    [InlineData("{}")]
    [InlineData("""{"fields":[],"values":{}}""")]
    [InlineData("""{"fields":{},"hogql_query":"SELECT event FROM events"}""")]
    [InlineData("""{"fields":[{"expression":"event"}],"hogql_query":"SELECT event FROM events"}""")]
    [InlineData("""{"fields":[{"expression":"event","alias":1}],"hogql_query":"SELECT event FROM events"}""")]
    [InlineData("""{"fields":["event"],"hogql_query":"SELECT event FROM events"}""")]
    [InlineData("""{"fields":[],"hogql_query":null}""")]
    public void Reads_no_schema_from_anything_else(string json) =>
        Assert.Null(ParsedSchema.FromJson(JsonNode.Parse(json)!.AsObject()));

    [Fact]
    public void Reads_no_schema_from_null() => Assert.Null(ParsedSchema.FromJson(null));

    private static SelectedField[] Fields(string[] expressionsAndAliases) =>
        [.. expressionsAndAliases.Chunk(2).Select(pair => new SelectedField(pair[0], pair[1]))];

    private static void AssertRejected(string query, string message)
    {
        var error = Assert.Throws<HogQLQueryException>(() => HogQLSelectParser.Parse(query));
        Assert.Equal(message, error.Message);
    }
}

file static class SchemaJson
{
    public static string ToJsonString(this ParsedSchema schema) => schema.ToJson().ToJsonString();
}
