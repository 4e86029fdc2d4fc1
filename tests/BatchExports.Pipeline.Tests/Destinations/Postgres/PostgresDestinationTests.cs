using BatchExports.Pipeline.Tests.Sources;
using BatchExports.Testing;
using System.Net;
using System.Net.Sockets;
using BatchExports.Core.Domain;
using BatchExports.Pipeline.Destinations.Postgres;
using BatchExports.Pipeline.Runs;

namespace BatchExports.Pipeline.Tests.Destinations.Postgres;

/// <summary>The PostgreSQL destination against a real PostgreSQL: a source database and a destination database.</summary>
public sealed class PostgresDestinationTests
{
    private static readonly DateTimeOffset InInterval = DestinationRuns.Start.AddMinutes(10);

    [Fact]
    public async Task Exports_events_into_a_new_table_with_PostHogs_columns()
    {
        var (source, server, database) = await SetUpAsync();
        var pageview = Guid.NewGuid();
        var autocapture = Guid.NewGuid();
        var identify = Guid.NewGuid();
        await source.InsertEventAsync(pageview, "$pageview", InInterval, properties: """{"$ip": "10.0.0.1", "$browser": "Firefox"}""");
        await source.InsertEventAsync(autocapture, "$autocapture", InInterval.AddMinutes(1), elementsChain: "button:text=\"Go\"");
        await source.InsertEventAsync(identify, "$identify", InInterval.AddMinutes(2), distinctId: "user-2",
            properties: """{"$set": {"email": "a@b.c"}, "$set_once": {"first": 1}}""");
        await source.InsertEventAsync(Guid.NewGuid(), "$pageview", DestinationRuns.End.AddMinutes(1));
        await source.InsertEventAsync(Guid.NewGuid(), "$pageview", InInterval, teamId: 99);

        var outcome = await ExportAsync(source, DestinationRuns.Context(PostgresDefinition.TypeName, server.Config(database)));

        Assert.Equal(3, outcome.RecordsCompleted);
        Assert.True(outcome.BytesExported > 0);
        var columns = await server.QueryAsync(database,
            "SELECT column_name::text, data_type::text FROM information_schema.columns WHERE table_name = 'events' ORDER BY ordinal_position");
        Assert.Equal(
            [
                "uuid character varying", "event character varying", "properties jsonb", "elements jsonb", "set jsonb", "set_once jsonb",
                "distinct_id character varying", "team_id integer", "ip character varying", "site_url character varying",
                "timestamp timestamp with time zone",
            ],
            columns.Select(c => $"{c[0]} {c[1]}"));

        var rows = await server.QueryAsync(database,
            """
            SELECT uuid, event, properties::text, elements::text, set::text, set_once::text, distinct_id, team_id, ip, site_url, timestamp
            FROM events ORDER BY timestamp
            """);
        Assert.Equal(3, rows.Count);
        Assert.Equal(
            [pageview.ToString(), "$pageview", """{"$ip": "10.0.0.1", "$browser": "Firefox"}""", "\"\"", null, null, "user-1", 2, "10.0.0.1", null, InInterval.UtcDateTime],
            rows[0]);
        Assert.Equal([autocapture.ToString(), "$autocapture", "\"button:text=\\\"Go\\\"\""], [rows[1][0], rows[1][1], rows[1][3]]);
        Assert.Equal([identify.ToString(), """{"email": "a@b.c"}""", """{"first": 1}""", "user-2", null], [rows[2][0], rows[2][4], rows[2][5], rows[2][6], rows[2][8]]);
    }

    [Fact]
    public async Task Leaves_out_excluded_events_and_keeps_only_included_ones()
    {
        var (source, server, database) = await SetUpAsync();
        await source.InsertEventAsync(Guid.NewGuid(), "$pageview", InInterval);
        await source.InsertEventAsync(Guid.NewGuid(), "$autocapture", InInterval);
        await source.InsertEventAsync(Guid.NewGuid(), "signed_up", InInterval);

        var excluding = server.Config(database, table: "excluding");
        excluding["exclude_events"] = new System.Text.Json.Nodes.JsonArray("$pageview", "$autocapture");
        var including = server.Config(database, table: "including");
        including["include_events"] = new System.Text.Json.Nodes.JsonArray("$pageview", "$autocapture");
        await ExportAsync(source, DestinationRuns.Context(PostgresDefinition.TypeName, excluding));
        await ExportAsync(source, DestinationRuns.Context(PostgresDefinition.TypeName, including));

        Assert.Equal(["signed_up"], (await server.QueryAsync(database, "SELECT event FROM excluding")).Select(r => r[0]));
        Assert.Equal(["$autocapture", "$pageview"], (await server.QueryAsync(database, "SELECT event FROM including ORDER BY event")).Select(r => r[0]));
    }

    [Fact]
    public async Task Running_the_same_interval_again_adds_no_duplicates()
    {
        var (source, server, database) = await SetUpAsync();
        for (var i = 0; i < 5; i++)
        {
            await source.InsertEventAsync(Guid.NewGuid(), "$pageview", InInterval.AddSeconds(i));
        }

        var first = await ExportAsync(source, DestinationRuns.Context(PostgresDefinition.TypeName, server.Config(database), attempt: 1));
        await source.InsertEventAsync(Guid.NewGuid(), "late", InInterval.AddSeconds(30));
        var second = await ExportAsync(source, DestinationRuns.Context(PostgresDefinition.TypeName, server.Config(database), attempt: 2));

        Assert.Equal(5, first.RecordsCompleted);
        Assert.Equal(6, second.RecordsCompleted);
        Assert.Equal(6L, (await server.QueryAsync(database, "SELECT count(*) FROM events"))[0][0]);
        Assert.Equal(6L, (await server.QueryAsync(database, "SELECT count(DISTINCT uuid) FROM events"))[0][0]);
    }

    [Fact]
    public async Task Merges_persons_keeping_the_newer_version()
    {
        var (source, server, database) = await SetUpAsync();
        var ada = Guid.NewGuid();
        await source.UpsertPersonAsync(ada, "ada", """{"plan": "free"}""", version: 1, insertedAt: InInterval);
        await source.UpsertPersonAsync(Guid.NewGuid(), "bob", """{"plan": "free"}""", version: 1, insertedAt: InInterval);
        var config = server.Config(database, table: "persons");

        var first = await ExportAsync(source, DestinationRuns.Context(PostgresDefinition.TypeName, config, ExportModels.Persons));
        await source.UpsertPersonAsync(ada, "ada", """{"plan": "paid"}""", version: 2, insertedAt: DestinationRuns.End.AddMinutes(5));
        await ExportAsync(source, DestinationRuns.Context(PostgresDefinition.TypeName, config, ExportModels.Persons,
            start: DestinationRuns.End, end: DestinationRuns.End.AddHours(1)));
        // The first interval again: its older version of ada must not win.
        await source.UpsertPersonAsync(ada, "ada", """{"plan": "free"}""", version: 1, insertedAt: InInterval);
        await ExportAsync(source, DestinationRuns.Context(PostgresDefinition.TypeName, config, ExportModels.Persons, attempt: 2));

        Assert.Equal(2, first.RecordsCompleted);
        var rows = await server.QueryAsync(database, "SELECT distinct_id, properties->>'plan', person_version, team_id FROM persons ORDER BY distinct_id");
        Assert.Equal([["ada", "paid", 2L, 2], ["bob", "free", 1L, 2]], rows);
        var key = await server.QueryAsync(database,
            "SELECT string_agg(a.attname, ',' ORDER BY a.attnum) FROM pg_index i JOIN pg_attribute a ON a.attrelid = i.indrelid AND a.attnum = ANY(i.indkey) WHERE i.indrelid = 'persons'::regclass AND i.indisprimary");
        Assert.Equal("team_id,distinct_id", key[0][0]);
    }

    [Fact]
    public async Task Merges_sessions_keeping_the_later_end()
    {
        var (source, server, database) = await SetUpAsync();
        var session = Guid.NewGuid();
        await source.UpsertSessionAsync(session, InInterval, InInterval.AddMinutes(5), pageviews: 1, urls: ["https://a.example/"], insertedAt: InInterval.AddMinutes(5));
        var config = server.Config(database, table: "sessions");

        await ExportAsync(source, DestinationRuns.Context(PostgresDefinition.TypeName, config, ExportModels.Sessions));
        await source.UpsertSessionAsync(session, InInterval, DestinationRuns.End.AddMinutes(20), pageviews: 3,
            urls: ["https://a.example/", "https://a.example/b"], insertedAt: DestinationRuns.End.AddMinutes(20));
        var second = await ExportAsync(source, DestinationRuns.Context(PostgresDefinition.TypeName, config, ExportModels.Sessions,
            start: DestinationRuns.End, end: DestinationRuns.End.AddHours(1)));

        Assert.Equal(1, second.RecordsCompleted);
        var rows = await server.QueryAsync(database, "SELECT session_id, pageview_count, urls, end_timestamp, vitals_lcp, is_bounce FROM sessions");
        Assert.Equal([[session.ToString(), 3L, new[] { "https://a.example/", "https://a.example/b" }, DestinationRuns.End.AddMinutes(20).UtcDateTime, 1.25, false]], rows);
        var columns = await server.QueryAsync(database, "SELECT column_name::text FROM information_schema.columns WHERE table_name = 'sessions'");
        Assert.DoesNotContain(columns, c => (string)c[0]! == "_inserted_at");
    }

    [Fact]
    public async Task An_empty_interval_completes_with_nothing_exported_and_says_so()
    {
        var (source, server, database) = await SetUpAsync();
        var log = new RecordingRunLog();

        var outcome = await ExportAsync(source, DestinationRuns.Context(PostgresDefinition.TypeName, server.Config(database), log: log));

        Assert.Equal(new RunOutcome(0, 0), outcome);
        Assert.Contains("there is no data matching specified filters", log.AllText, StringComparison.Ordinal);
        Assert.Empty(await server.QueryAsync(database, "SELECT 1 FROM information_schema.tables WHERE table_name = 'events'"));
    }

    [Fact]
    public async Task Writes_only_the_columns_an_existing_table_has()
    {
        var (source, server, database) = await SetUpAsync();
        await server.ExecuteAsync(database, "CREATE TABLE events (uuid text, event text, extra text DEFAULT 'kept')", asUser: true);
        await source.InsertEventAsync(Guid.NewGuid(), "$pageview", InInterval);
        var log = new RecordingRunLog();

        await ExportAsync(source, DestinationRuns.Context(PostgresDefinition.TypeName, server.Config(database), log: log));

        Assert.Equal([["$pageview", "kept"]], await server.QueryAsync(database, "SELECT event, extra FROM events"));
        Assert.Contains("has no column properties, elements", log.AllText, StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_failed_load_leaves_the_target_table_as_it_was()
    {
        var (source, server, database) = await SetUpAsync();
        // The target's own narrower column rejects one of the rows: the whole interval must stay out.
        await server.ExecuteAsync(database, "CREATE TABLE events (uuid varchar(200), event varchar(12), timestamp timestamptz)", asUser: true);
        await server.ExecuteAsync(database, "INSERT INTO events VALUES ('existing', 'old', now())", asUser: true);
        await source.InsertEventAsync(Guid.NewGuid(), "short", InInterval);
        await source.InsertEventAsync(Guid.NewGuid(), "a_much_longer_event_name", InInterval.AddSeconds(1));

        var error = await Assert.ThrowsAsync<NonRetryableExportException>(() =>
            ExportAsync(source, DestinationRuns.Context(PostgresDefinition.TypeName, server.Config(database))));

        Assert.Contains("value too long", error.Message, StringComparison.Ordinal);
        Assert.Equal([["existing"]], await server.QueryAsync(database, "SELECT uuid FROM events"));
    }

    [Fact]
    public async Task A_persons_table_without_a_primary_key_fails_with_a_message_saying_so()
    {
        var (source, server, database) = await SetUpAsync();
        await server.ExecuteAsync(database, "CREATE TABLE persons (team_id integer, distinct_id text, person_version bigint, properties jsonb)", asUser: true);
        await source.UpsertPersonAsync(Guid.NewGuid(), "ada", "{}", version: 1, insertedAt: InInterval);

        var error = await Assert.ThrowsAsync<NonRetryableExportException>(() => ExportAsync(source,
            DestinationRuns.Context(PostgresDefinition.TypeName, server.Config(database, table: "persons"), ExportModels.Persons)));

        Assert.Contains("has no primary key or unique constraint", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_wrong_password_fails_the_run_without_showing_the_password()
    {
        var (source, server, database) = await SetUpAsync();
        if (!server.PasswordChecked)
        {
            Assert.Skip("The test PostgreSQL does not check passwords for the destination role (a server given through BATCHEXPORTS_TEST_POSTGRES with trust authentication).");
        }

        await source.InsertEventAsync(Guid.NewGuid(), "$pageview", InInterval);
        const string wrongPassword = "not-the-password-8e1f";

        var error = await Assert.ThrowsAsync<NonRetryableExportException>(() =>
            ExportAsync(source, DestinationRuns.Context(PostgresDefinition.TypeName, server.Config(database, password: wrongPassword))));

        Assert.Equal($"PostgreSQL at {server.Host}:{server.Port} rejected the user name or password (SQLSTATE 28P01). Check the destination's 'user' and 'password'.", error.Message);
        Assert.DoesNotContain(wrongPassword, error.Message, StringComparison.Ordinal);
        Assert.DoesNotContain(DestinationServer.RoleName, error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task An_unknown_database_fails_the_run_naming_it()
    {
        var (source, server, _) = await SetUpAsync();
        await source.InsertEventAsync(Guid.NewGuid(), "$pageview", InInterval);

        var error = await Assert.ThrowsAsync<NonRetryableExportException>(() =>
            ExportAsync(source, DestinationRuns.Context(PostgresDefinition.TypeName, server.Config("no_such_database_here"))));

        Assert.Equal($"The database 'no_such_database_here' does not exist on PostgreSQL at {server.Host}:{server.Port}.", error.Message);
    }

    [Fact]
    public async Task Missing_privileges_fail_the_run_with_the_servers_reason()
    {
        var (source, server, _) = await SetUpAsync();
        // Since PostgreSQL 15 only the database owner may create tables in public; this database is not the user's.
        var database = await server.CreateDatabaseAsync(ownedByUser: false);
        await source.InsertEventAsync(Guid.NewGuid(), "$pageview", InInterval);

        var error = await Assert.ThrowsAsync<NonRetryableExportException>(() =>
            ExportAsync(source, DestinationRuns.Context(PostgresDefinition.TypeName, server.Config(database))));

        Assert.Equal("The destination's user lacks a privilege this export needs on \"public\".\"events\": permission denied for schema public (SQLSTATE 42501).", error.Message);
    }

    [Fact]
    public async Task An_unreachable_server_is_a_transient_error()
    {
        var source = await SourceData.CreateAsync();
        await source.InsertEventAsync(Guid.NewGuid(), "$pageview", InInterval);
        var config = (await DestinationServer.GetAsync()).Config("whatever", password: "secret-pw-4711");
        config["host"] = "127.0.0.1";
        config["port"] = ClosedPort();

        var error = await Assert.ThrowsAnyAsync<Exception>(() => ExportAsync(source, DestinationRuns.Context(PostgresDefinition.TypeName, config)));

        Assert.IsNotType<NonRetryableExportException>(error);
        Assert.DoesNotContain("secret-pw-4711", error.ToString(), StringComparison.Ordinal);
    }

    private static Task<RunOutcome> ExportAsync(SourceData source, RunContext context) =>
        new PostgresDestination { BatchSize = 2 }.ExportAsync(source.Source, context, CancellationToken.None);

    private static async Task<(SourceData Source, DestinationServer Server, string Database)> SetUpAsync()
    {
        var source = await SourceData.CreateAsync();
        var server = await DestinationServer.GetAsync();
        return (source, server, await server.CreateDatabaseAsync());
    }

    private static int ClosedPort()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        return ((IPEndPoint)listener.LocalEndpoint).Port;
    }
}
