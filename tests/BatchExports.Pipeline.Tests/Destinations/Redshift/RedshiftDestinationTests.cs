using BatchExports.Pipeline.Tests.Sources;
using BatchExports.Testing;
using System.Text.Json.Nodes;
using BatchExports.Core.Domain;
using BatchExports.Pipeline.Destinations.Redshift;
using BatchExports.Pipeline.Runs;

namespace BatchExports.Pipeline.Tests.Destinations.Redshift;

/// <summary>
/// The Redshift destination's INSERT mode with <c>properties_data_type: varchar</c>, against a real PostgreSQL: it
/// speaks Redshift's wire protocol and runs the plain SQL that mode sends.
/// </summary>
public sealed class RedshiftDestinationTests
{
    private static readonly DateTimeOffset InInterval = DestinationRuns.Start.AddMinutes(10);

    [Fact]
    public async Task Exports_events_into_a_new_table_with_PostHogs_Redshift_columns()
    {
        var (source, server, database) = await SetUpAsync();
        var pageview = Guid.NewGuid();
        await source.InsertEventAsync(pageview, "$pageview", InInterval,
            properties: """{"$ip": "10.0.0.1", "$set": {"email": "a@b.c"}, "path": "C:\\temp\\x", "quote": "it's"}""");
        for (var i = 0; i < 4; i++)
        {
            await source.InsertEventAsync(Guid.NewGuid(), $"event-{i}", InInterval.AddSeconds(i + 1), elementsChain: "div");
        }

        var outcome = await ExportAsync(source, DestinationRuns.Context(RedshiftDefinition.TypeName, Config(server, database)));

        Assert.Equal(5, outcome.RecordsCompleted);
        Assert.True(outcome.BytesExported > 0);
        var columns = await server.QueryAsync(database,
            "SELECT column_name::text, data_type::text, character_maximum_length FROM information_schema.columns WHERE table_name = 'events' ORDER BY ordinal_position");
        Assert.Equal(
            [
                "uuid character varying 200", "event character varying 200", "properties character varying 65535", "elements character varying 65535",
                "set character varying 65535", "set_once character varying 65535", "distinct_id character varying 200", "team_id integer ",
                "ip character varying 200", "site_url character varying 200", "timestamp timestamp with time zone ",
            ],
            columns.Select(c => $"{c[0]} {c[1]} {c[2]}"));
        var rows = await server.QueryAsync(database,
            "SELECT uuid, event, properties, elements, set, set_once, distinct_id, team_id, ip, site_url, timestamp FROM events ORDER BY timestamp");
        Assert.Equal(5, rows.Count);
        Assert.Equal(pageview.ToString(), rows[0][0]);
        Assert.Equal("""{"$ip": "10.0.0.1", "$set": {"email": "a@b.c"}, "path": "C:\\temp\\x", "quote": "it's"}""", rows[0][2]);
        Assert.Equal(["", """{"email": "a@b.c"}""", null, "user-1", 2, "10.0.0.1", "", InInterval.UtcDateTime], rows[0][3..]);
        Assert.Equal(["event-0", "event-1", "event-2", "event-3"], rows.Skip(1).Select(r => r[1]));
    }

    [Fact]
    public async Task Leaves_out_excluded_events_and_adds_nothing_twice_when_an_interval_runs_again()
    {
        var (source, server, database) = await SetUpAsync();
        await source.InsertEventAsync(Guid.NewGuid(), "$pageview", InInterval);
        await source.InsertEventAsync(Guid.NewGuid(), "signed_up", InInterval);
        await source.InsertEventAsync(Guid.NewGuid(), "signed_up", InInterval.AddSeconds(1));
        var config = Config(server, database);
        config["exclude_events"] = new JsonArray("$pageview");

        await ExportAsync(source, DestinationRuns.Context(RedshiftDefinition.TypeName, config, attempt: 1));
        var again = await ExportAsync(source, DestinationRuns.Context(RedshiftDefinition.TypeName, config, attempt: 2));

        Assert.Equal(2, again.RecordsCompleted);
        Assert.Equal([["signed_up", 2L]], await server.QueryAsync(database, "SELECT event, count(*) FROM events GROUP BY event"));
    }

    [Fact]
    public async Task Merges_persons_keeping_the_newer_version()
    {
        var (source, server, database) = await SetUpAsync();
        var ada = Guid.NewGuid();
        await source.UpsertPersonAsync(ada, "ada", """{"plan": "free"}""", version: 1, insertedAt: InInterval);
        await source.UpsertPersonAsync(Guid.NewGuid(), "bob", """{"plan": "free"}""", version: 1, insertedAt: InInterval);
        var config = Config(server, database, table: "persons");

        await ExportAsync(source, DestinationRuns.Context(RedshiftDefinition.TypeName, config, ExportModels.Persons));
        await source.UpsertPersonAsync(ada, "ada", """{"plan": "paid"}""", version: 2, insertedAt: DestinationRuns.End.AddMinutes(5));
        await ExportAsync(source, DestinationRuns.Context(RedshiftDefinition.TypeName, config, ExportModels.Persons,
            start: DestinationRuns.End, end: DestinationRuns.End.AddHours(1)));
        await source.UpsertPersonAsync(ada, "ada", """{"plan": "free"}""", version: 1, insertedAt: InInterval);
        await ExportAsync(source, DestinationRuns.Context(RedshiftDefinition.TypeName, config, ExportModels.Persons, attempt: 2));

        var rows = await server.QueryAsync(database, "SELECT distinct_id, properties, person_version FROM persons ORDER BY distinct_id");
        Assert.Equal([["ada", """{"plan": "paid"}""", 2L], ["bob", """{"plan": "free"}""", 1L]], rows);
        var columns = await server.QueryAsync(database, "SELECT column_name::text FROM information_schema.columns WHERE table_name = 'persons' ORDER BY ordinal_position");
        Assert.Equal(["team_id", "distinct_id", "person_id", "properties", "person_distinct_id_version", "person_version", "created_at", "is_deleted"],
            columns.Select(c => c[0]));
    }

    [Fact]
    public async Task Merges_sessions_keeping_the_later_end_with_urls_as_JSON_text()
    {
        var (source, server, database) = await SetUpAsync();
        var session = Guid.NewGuid();
        await source.UpsertSessionAsync(session, InInterval, InInterval.AddMinutes(5), pageviews: 1, urls: ["https://a.example/"], insertedAt: InInterval.AddMinutes(5));
        var config = Config(server, database, table: "sessions");

        await ExportAsync(source, DestinationRuns.Context(RedshiftDefinition.TypeName, config, ExportModels.Sessions));
        await source.UpsertSessionAsync(session, InInterval, DestinationRuns.End.AddMinutes(20), pageviews: 3,
            urls: ["https://a.example/", "https://a.example/é"], insertedAt: DestinationRuns.End.AddMinutes(20));
        await ExportAsync(source, DestinationRuns.Context(RedshiftDefinition.TypeName, config, ExportModels.Sessions,
            start: DestinationRuns.End, end: DestinationRuns.End.AddHours(1)));

        var rows = await server.QueryAsync(database, "SELECT session_id, pageview_count, urls FROM sessions");
        Assert.Equal([[session.ToString(), 3L, """["https://a.example/","https://a.example/é"]"""]], rows);
    }

    [Fact]
    public async Task Splits_rows_over_several_INSERT_statements()
    {
        var (source, server, database) = await SetUpAsync();
        for (var i = 0; i < 7; i++)
        {
            await source.InsertEventAsync(Guid.NewGuid(), $"event-{i}", InInterval.AddSeconds(i));
        }

        var destination = new RedshiftDestination { BatchSize = 3, MaxRowsPerInsert = 2 };
        var outcome = await destination.ExportAsync(source.Source, DestinationRuns.Context(RedshiftDefinition.TypeName, Config(server, database)), CancellationToken.None);

        Assert.Equal(7, outcome.RecordsCompleted);
        Assert.Equal(7L, (await server.QueryAsync(database, "SELECT count(DISTINCT uuid) FROM events"))[0][0]);
    }

    [Fact]
    public async Task An_empty_interval_completes_with_nothing_exported()
    {
        var (source, server, database) = await SetUpAsync();

        var outcome = await ExportAsync(source, DestinationRuns.Context(RedshiftDefinition.TypeName, Config(server, database)));

        Assert.Equal(new RunOutcome(0, 0), outcome);
    }

    [Fact]
    public async Task A_failed_load_leaves_the_target_table_as_it_was()
    {
        var (source, server, database) = await SetUpAsync();
        await server.ExecuteAsync(database, "CREATE TABLE events (uuid varchar(200), event varchar(12))", asUser: true);
        await server.ExecuteAsync(database, "INSERT INTO events VALUES ('existing', 'old')", asUser: true);
        await source.InsertEventAsync(Guid.NewGuid(), "short", InInterval);
        await source.InsertEventAsync(Guid.NewGuid(), "a_much_longer_event_name", InInterval.AddSeconds(1));

        var error = await Assert.ThrowsAsync<NonRetryableExportException>(() =>
            ExportAsync(source, DestinationRuns.Context(RedshiftDefinition.TypeName, Config(server, database))));

        Assert.StartsWith("Redshift rejected the export into \"public\".\"events\"", error.Message, StringComparison.Ordinal);
        Assert.Equal([["existing"]], await server.QueryAsync(database, "SELECT uuid FROM events"));
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
        const string wrongPassword = "not-the-password-51aa";

        var error = await Assert.ThrowsAsync<NonRetryableExportException>(() =>
            ExportAsync(source, DestinationRuns.Context(RedshiftDefinition.TypeName, Config(server, database, password: wrongPassword))));

        Assert.Equal($"Redshift at {server.Host}:{server.Port} rejected the user name or password (SQLSTATE 28P01). Check the destination's 'user' and 'password'.", error.Message);
        Assert.DoesNotContain(wrongPassword, error.ToString(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task An_unreachable_server_is_a_transient_error()
    {
        var (source, server, database) = await SetUpAsync();
        await source.InsertEventAsync(Guid.NewGuid(), "$pageview", InInterval);
        var config = Config(server, database, password: "secret-pw-0917");
        config["host"] = "127.0.0.1";
        config["port"] = ClosedPort();

        var error = await Assert.ThrowsAnyAsync<Exception>(() => ExportAsync(source, DestinationRuns.Context(RedshiftDefinition.TypeName, config)));

        Assert.IsNotType<NonRetryableExportException>(error);
        Assert.DoesNotContain("secret-pw-0917", error.ToString(), StringComparison.Ordinal);
    }

    private static JsonObject Config(DestinationServer server, string database, string table = "events", string? password = null)
    {
        var config = server.Config(database, table, password: password);
        config.Remove("has_self_signed_cert");
        config["properties_data_type"] = "varchar";
        config["mode"] = "INSERT";
        return config;
    }

    private static Task<RunOutcome> ExportAsync(SourceData source, RunContext context) =>
        new RedshiftDestination { BatchSize = 2 }.ExportAsync(source.Source, context, CancellationToken.None);

    private static async Task<(SourceData Source, DestinationServer Server, string Database)> SetUpAsync()
    {
        var source = await SourceData.CreateAsync();
        var server = await DestinationServer.GetAsync();
        return (source, server, await server.CreateDatabaseAsync());
    }

    private static int ClosedPort()
    {
        using var listener = new System.Net.Sockets.TcpListener(System.Net.IPAddress.Loopback, 0);
        listener.Start();
        return ((System.Net.IPEndPoint)listener.LocalEndpoint).Port;
    }
}
