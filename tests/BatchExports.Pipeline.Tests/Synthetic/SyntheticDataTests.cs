using BatchExports.Pipeline.Destinations.S3;
using BatchExports.Core.Domain;
using BatchExports.Pipeline.Sources;
using BatchExports.Pipeline.Tests.Sources;
using BatchExports.Api.Commands.GenerateEvents;
using BatchExports.Testing;
using Npgsql;

namespace BatchExports.Pipeline.Tests.Synthetic;

/// <summary>
/// One generated data set, checked from the database: counts, windows, and the coherence between events, persons
/// and sessions that makes the data useful for demos.
/// </summary>
public sealed class GeneratedData : IAsyncLifetime
{
    public static readonly DateTimeOffset End = new(2024, 6, 2, 0, 0, 0, TimeSpan.Zero);

    public static readonly SyntheticDataOptions Options = new()
    {
        TeamId = 0,
        Events = 6_000,
        Window = TimeSpan.FromDays(2),
        End = End,
        Persons = 120,
        Sessions = 400,
        Seed = 42,
    };

    public string ConnectionString { get; private set; } = "";

    public int TeamId { get; private set; }

    public SyntheticDataSummary Summary { get; private set; } = null!;

    public async ValueTask InitializeAsync()
    {
        (ConnectionString, TeamId) = await CreateTeamAsync("generated");
        Summary = await SyntheticData.InsertAsync(ConnectionString, Options with { TeamId = TeamId }, CancellationToken.None);
    }

    public ValueTask DisposeAsync() => ValueTask.CompletedTask;

    public static async Task<(string ConnectionString, int TeamId)> CreateTeamAsync(string hint)
    {
        var connectionString = await (await TestPostgres.GetAsync()).CreateDatabaseAsync(hint);
        await using var connection = new NpgsqlConnection(connectionString);
        await connection.OpenAsync();
        await using var command = new NpgsqlCommand(
            """
            INSERT INTO organizations (id, name, created_at) VALUES (gen_random_uuid(), 'Synthetic', now());
            INSERT INTO teams (uuid, organization_id, name, timezone, created_at)
            SELECT gen_random_uuid(), id, 'Synthetic', 'UTC', now() FROM organizations RETURNING id;
            """,
            connection);
        return (connectionString, (int)(await command.ExecuteScalarAsync())!);
    }

    public async Task<T> ScalarAsync<T>(string sql)
    {
        await using var connection = new NpgsqlConnection(ConnectionString);
        await connection.OpenAsync();
        await using var command = new NpgsqlCommand(sql, connection);
        command.Parameters.AddWithValue("team", TeamId);
        command.Parameters.AddWithValue("start", End - Options.Window);
        command.Parameters.AddWithValue("end", End);
        return (T)(await command.ExecuteScalarAsync())!;
    }
}

public sealed class SyntheticDataTests(GeneratedData data) : IClassFixture<GeneratedData>
{
    [Fact]
    public async Task Inserts_the_requested_numbers_of_rows_for_the_team()
    {
        Assert.Equal(
            new { Events = 6_000L, Persons = 120, Sessions = 400 },
            new { data.Summary.Events, data.Summary.Persons, data.Summary.Sessions });
        Assert.Equal(6_000L, await data.ScalarAsync<long>("SELECT count(*) FROM events WHERE team_id = @team"));
        Assert.Equal(120L, await data.ScalarAsync<long>("SELECT count(*) FROM persons WHERE team_id = @team"));
        Assert.Equal((long)data.Summary.DistinctIds, await data.ScalarAsync<long>("SELECT count(*) FROM person_distinct_ids WHERE team_id = @team"));
        Assert.InRange(data.Summary.DistinctIds, 121, 360);
        Assert.Equal(400L, await data.ScalarAsync<long>("SELECT count(*) FROM sessions WHERE team_id = @team"));
        Assert.Equal(0L, await data.ScalarAsync<long>("SELECT count(*) FROM events WHERE team_id <> @team"));
        Assert.Matches(@"^inserted 6000 events, 120 persons, 400 sessions for team \d+ in \d+\.\d s \(\d+ events/s, seed 42\)$", data.Summary.ToString());
    }

    [Fact]
    public async Task Every_row_lies_in_the_window_with_ingestion_after_the_event()
    {
        Assert.Equal(0L, await data.ScalarAsync<long>(
            """
            SELECT count(*) FROM events WHERE team_id = @team AND NOT (
                timestamp >= @start AND timestamp < @end
                AND inserted_at >= timestamp AND inserted_at < @end
                AND created_at >= timestamp AND created_at <= inserted_at)
            """));
        Assert.Equal(0L, await data.ScalarAsync<long>(
            "SELECT count(*) FROM sessions WHERE team_id = @team AND NOT (start_timestamp >= @start AND end_timestamp >= start_timestamp AND end_timestamp < @end AND inserted_at >= end_timestamp AND inserted_at < @end)"));
        Assert.Equal(0L, await data.ScalarAsync<long>(
            "SELECT count(*) FROM persons WHERE team_id = @team AND NOT (inserted_at >= @start AND inserted_at < @end AND created_at <= inserted_at)"));
        Assert.Equal(0L, await data.ScalarAsync<long>(
            "SELECT count(*) FROM person_distinct_ids pdi JOIN persons p ON p.team_id = pdi.team_id AND p.id = pdi.person_id WHERE pdi.team_id = @team AND NOT (pdi.inserted_at >= p.created_at AND pdi.inserted_at <= p.inserted_at)"));
        // Spread over the window, not bunched at one end.
        var firstHalf = await data.ScalarAsync<long>("SELECT count(*) FROM events WHERE team_id = @team AND timestamp < @start + (@end - @start) / 2");
        Assert.InRange(firstHalf, 2_000, 4_000);
    }

    [Fact]
    public async Task Ingestion_lag_is_seconds_for_most_events_and_hours_for_a_few()
    {
        var underMinute = await data.ScalarAsync<long>("SELECT count(*) FROM events WHERE team_id = @team AND inserted_at - timestamp < interval '1 minute'");
        var overHour = await data.ScalarAsync<long>("SELECT count(*) FROM events WHERE team_id = @team AND inserted_at - timestamp >= interval '1 hour'");

        Assert.InRange(underMinute, 4_500, 5_700);
        Assert.InRange(overHour, 30, 300);
    }

    [Fact]
    public async Task Events_carry_their_distinct_id_person_and_person_properties()
    {
        Assert.Equal(0L, await data.ScalarAsync<long>(
            """
            SELECT count(*) FROM events e
            LEFT JOIN person_distinct_ids pdi ON pdi.team_id = e.team_id AND pdi.distinct_id = e.distinct_id
            LEFT JOIN persons p ON p.team_id = e.team_id AND p.id = e.person_id
            WHERE e.team_id = @team AND (pdi.person_id IS DISTINCT FROM e.person_id OR p.properties IS DISTINCT FROM e.person_properties
                OR e.properties ->> 'distinct_id' IS DISTINCT FROM e.distinct_id)
            """));
        Assert.InRange(await data.ScalarAsync<long>("SELECT count(*) FROM persons WHERE team_id = @team AND is_deleted"), 0, 5);
        Assert.True(await data.ScalarAsync<long>("SELECT count(*) FROM person_distinct_ids WHERE team_id = @team AND version > 0") > 0);
        Assert.True(await data.ScalarAsync<long>("SELECT count(DISTINCT version) FROM persons WHERE team_id = @team") > 1);
    }

    [Fact]
    public async Task Events_are_a_realistic_mix_with_elements_chains_on_clicks_only()
    {
        var names = await data.ScalarAsync<string[]>("SELECT array_agg(DISTINCT event) FROM events WHERE team_id = @team");
        var pageviews = await data.ScalarAsync<long>("SELECT count(*) FROM events WHERE team_id = @team AND event = '$pageview'");

        Assert.Superset(new HashSet<string> { "$pageview", "$autocapture", "$pageleave", "$identify", "sign_up", "purchase", "$screen", "$feature_flag_called" }, names.ToHashSet());
        Assert.InRange(pageviews, 1_200, 2_600);
        Assert.Equal(0L, await data.ScalarAsync<long>(
            "SELECT count(*) FROM events WHERE team_id = @team AND (elements_chain IS NOT NULL) <> (event IN ('$autocapture', '$rageclick'))"));
        var averageSize = await data.ScalarAsync<decimal>("SELECT avg(octet_length(properties::text)) FROM events WHERE team_id = @team");
        Assert.InRange(averageSize, 500, 1_100);
        Assert.True(await data.ScalarAsync<long>(
            "SELECT count(*) FROM events WHERE team_id = @team AND event = 'purchase' AND jsonb_typeof(properties -> 'price') = 'number' AND jsonb_typeof(properties -> 'product') = 'object'") > 0);
    }

    [Fact]
    public async Task Sessions_agree_with_their_events()
    {
        Assert.Equal(0L, await data.ScalarAsync<long>(
            """
            WITH per_session AS (
                SELECT (properties ->> '$session_id')::uuid AS session_id, min(timestamp) AS first, max(timestamp) AS last, max(inserted_at) AS written,
                       count(*) FILTER (WHERE event = '$pageview') AS pageviews, count(*) FILTER (WHERE event = '$screen') AS screens,
                       count(*) FILTER (WHERE event = '$autocapture') AS autocaptures,
                       count(DISTINCT properties ->> '$current_url') FILTER (WHERE event = '$pageview') AS urls,
                       min(distinct_id) AS distinct_id
                FROM events WHERE team_id = @team GROUP BY 1
            )
            SELECT count(*) FROM sessions s FULL JOIN per_session e ON e.session_id = s.session_id
            WHERE s.team_id = @team AND (e.session_id IS NULL OR s.start_timestamp <> e.first OR s.end_timestamp <> e.last OR s.inserted_at <> e.written
                OR s.pageview_count <> e.pageviews OR s.screen_count <> e.screens OR s.autocapture_count <> e.autocaptures
                OR s.num_uniq_urls <> e.urls OR cardinality(s.urls) <> e.urls OR s.distinct_id <> e.distinct_id
                OR s.session_duration <> floor(extract(epoch FROM e.last - e.first)))
               OR s.session_id IS NULL
            """));
        Assert.True(await data.ScalarAsync<long>("SELECT count(*) FROM sessions WHERE team_id = @team AND is_bounce") > 0);
        Assert.True(await data.ScalarAsync<long>("SELECT count(*) FROM sessions WHERE team_id = @team AND entry_utm_source IS NOT NULL") > 0);
    }

    [Fact]
    public async Task The_same_seed_and_end_give_the_same_rows_and_another_seed_other_rows()
    {
        var (again, againTeam) = await GeneratedData.CreateTeamAsync("again");
        var (other, otherTeam) = await GeneratedData.CreateTeamAsync("other");
        var options = GeneratedData.Options with { Events = 1_500, Persons = 40, Sessions = 100 };
        var (first, firstTeam) = await GeneratedData.CreateTeamAsync("first");

        await SyntheticData.InsertAsync(first, options with { TeamId = firstTeam }, CancellationToken.None);
        await SyntheticData.InsertAsync(again, options with { TeamId = againTeam }, CancellationToken.None);
        await SyntheticData.InsertAsync(other, options with { TeamId = otherTeam, Seed = 43 }, CancellationToken.None);

        Assert.Equal(await FingerprintAsync(first), await FingerprintAsync(again));
        Assert.NotEqual(await FingerprintAsync(first), await FingerprintAsync(other));
    }

    [Fact]
    public async Task The_generated_window_reads_back_through_the_source()
    {
        var export = new BatchExport { Id = Guid.NewGuid(), TeamId = data.TeamId, Model = ExportModels.Events };
        var source = new SourceData(data.ConnectionString).Source;
        var interval = new DataInterval(GeneratedData.End - GeneratedData.Options.Window, GeneratedData.End);

        var scheduled = 0L;
        await foreach (var batch in source.ReadAsync(SourceRequests.Records(export, [], interval, false, S3Destination.EventFields), 1_000, CancellationToken.None))
        {
            scheduled += batch.Count;
        }

        Assert.Equal(6_000L, scheduled);
    }

    [Fact]
    public async Task A_missing_team_is_a_clear_error_and_writes_nothing()
    {
        var exception = await Assert.ThrowsAsync<ArgumentException>(() =>
            SyntheticData.InsertAsync(data.ConnectionString, GeneratedData.Options with { TeamId = 987_654 }, CancellationToken.None));

        Assert.Equal("Team 987654 does not exist.", exception.Message);
        Assert.Equal(0L, await data.ScalarAsync<long>("SELECT count(*) FROM events WHERE team_id = 987654"));
    }

    [Fact]
    public async Task Generating_the_same_seed_twice_for_a_team_is_a_clear_error_and_rolls_back()
    {
        var (connectionString, team) = await GeneratedData.CreateTeamAsync("twice");
        var options = GeneratedData.Options with { TeamId = team, Events = 200, Persons = 10, Sessions = 20 };
        await SyntheticData.InsertAsync(connectionString, options, CancellationToken.None);

        var exception = await Assert.ThrowsAsync<ArgumentException>(() => SyntheticData.InsertAsync(connectionString, options, CancellationToken.None));

        Assert.Contains("seed 42", exception.Message, StringComparison.Ordinal);
        await using var connection = new NpgsqlConnection(connectionString);
        await connection.OpenAsync();
        Assert.Equal(200L, await new NpgsqlCommand("SELECT count(*) FROM events", connection).ExecuteScalarAsync());
    }

    [Fact]
    public async Task A_session_never_outnumbers_the_events()
    {
        var (connectionString, team) = await GeneratedData.CreateTeamAsync("few");

        var summary = await SyntheticData.InsertAsync(connectionString, GeneratedData.Options with { TeamId = team, Events = 3, Persons = null, Sessions = null }, CancellationToken.None);

        Assert.Equal((3L, 1, 3), (summary.Events, summary.Persons, summary.Sessions));
    }

    private static async Task<string> FingerprintAsync(string connectionString)
    {
        await using var connection = new NpgsqlConnection(connectionString);
        await connection.OpenAsync();
        await using var command = new NpgsqlCommand(
            """
            SELECT concat_ws('|',
                (SELECT md5(string_agg(concat_ws(',', uuid, event, distinct_id, properties, person_id, person_properties, elements_chain, timestamp, created_at, inserted_at), ';' ORDER BY uuid)) FROM events),
                (SELECT md5(string_agg(concat_ws(',', id, properties, version, is_deleted, created_at, inserted_at), ';' ORDER BY id)) FROM persons),
                (SELECT md5(string_agg(concat_ws(',', distinct_id, person_id, version, is_deleted, inserted_at), ';' ORDER BY distinct_id)) FROM person_distinct_ids),
                (SELECT md5(string_agg(s::text, ';' ORDER BY session_id)) FROM (SELECT session_id, distinct_id, start_timestamp, end_timestamp, urls, pageview_count, channel_type, vitals_lcp, inserted_at FROM sessions) s))
            """,
            connection);
        return (string)(await command.ExecuteScalarAsync())!;
    }
}
