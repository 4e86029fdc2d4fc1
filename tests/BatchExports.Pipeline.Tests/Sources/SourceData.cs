using BatchExports.Core.Hosting;
using BatchExports.Pipeline.Sources;
using BatchExports.Pipeline.Tests.Destinations;
using BatchExports.Testing;
using Npgsql;

namespace BatchExports.Pipeline.Tests.Sources;

/// <summary>
/// The tests' one source database: a migrated database on the test PostgreSQL, the source reading it, and SQL seeding.
/// <see cref="SourceDatabase"/> seeds one through EF for the source tests.
/// </summary>
internal sealed class SourceData(string connectionString) : IDatabaseConnection
{
    public string ConnectionString { get; } = connectionString;

    public PostgresSource Source => new(this);

    public static async Task<SourceData> CreateAsync(string name = "destsource")
    {
        var postgres = await TestPostgres.GetAsync();
        return new SourceData(await postgres.CreateDatabaseAsync(name));
    }

    public Task InsertEventAsync(
        Guid uuid,
        string eventName,
        DateTimeOffset timestamp,
        string distinctId = "user-1",
        string properties = "{}",
        string? elementsChain = null,
        DateTimeOffset? insertedAt = null,
        int teamId = DestinationRuns.TeamId) =>
        ExecuteAsync(
            """
            INSERT INTO events (uuid, team_id, event, distinct_id, properties, person_id, person_properties, elements_chain, timestamp, created_at, inserted_at)
            VALUES (@uuid, @team_id, @event, @distinct_id, @properties::jsonb, NULL, NULL, @elements_chain, @timestamp, @timestamp, @inserted_at)
            """,
            ("uuid", uuid), ("team_id", teamId), ("event", eventName), ("distinct_id", distinctId), ("properties", properties),
            ("elements_chain", (object?)elementsChain ?? DBNull.Value), ("timestamp", timestamp), ("inserted_at", insertedAt ?? timestamp));

    /// <summary>A person with one distinct id; both rows carry <paramref name="version"/> and <paramref name="insertedAt"/>.</summary>
    public async Task UpsertPersonAsync(Guid id, string distinctId, string properties, long version, DateTimeOffset insertedAt, int teamId = DestinationRuns.TeamId)
    {
        await ExecuteAsync(
            """
            INSERT INTO persons (id, team_id, properties, version, is_deleted, created_at, inserted_at)
            VALUES (@id, @team_id, @properties::jsonb, @version, false, @inserted_at, @inserted_at)
            ON CONFLICT (team_id, id) DO UPDATE SET properties = EXCLUDED.properties, version = EXCLUDED.version, inserted_at = EXCLUDED.inserted_at
            """,
            ("id", id), ("team_id", teamId), ("properties", properties), ("version", version), ("inserted_at", insertedAt));
        await ExecuteAsync(
            """
            INSERT INTO person_distinct_ids (team_id, distinct_id, person_id, version, is_deleted, inserted_at)
            VALUES (@team_id, @distinct_id, @id, 0, false, @inserted_at)
            ON CONFLICT (team_id, distinct_id) DO NOTHING
            """,
            ("id", id), ("team_id", teamId), ("distinct_id", distinctId), ("inserted_at", insertedAt));
    }

    public Task UpsertSessionAsync(Guid sessionId, DateTimeOffset start, DateTimeOffset end, int pageviews, string[] urls, DateTimeOffset insertedAt, int teamId = DestinationRuns.TeamId) =>
        ExecuteAsync(
            """
            INSERT INTO sessions (session_id, team_id, distinct_id, start_timestamp, end_timestamp, urls, num_uniq_urls, entry_current_url,
                pageview_count, autocapture_count, screen_count, session_duration, is_bounce, vitals_lcp, inserted_at)
            VALUES (@id, @team_id, 'user-1', @start, @end, @urls, cardinality(@urls), @urls[1], @pageviews, 0, 0,
                extract(epoch FROM @end - @start)::bigint, @pageviews <= 1, 1.25, @inserted_at)
            ON CONFLICT (team_id, session_id) DO UPDATE SET end_timestamp = EXCLUDED.end_timestamp, urls = EXCLUDED.urls,
                num_uniq_urls = EXCLUDED.num_uniq_urls, pageview_count = EXCLUDED.pageview_count,
                session_duration = EXCLUDED.session_duration, is_bounce = EXCLUDED.is_bounce, inserted_at = EXCLUDED.inserted_at
            """,
            ("id", sessionId), ("team_id", teamId), ("start", start), ("end", end), ("urls", urls), ("pageviews", pageviews), ("inserted_at", insertedAt));

    private async Task ExecuteAsync(string sql, params (string Name, object Value)[] parameters)
    {
        await using var connection = new NpgsqlConnection(ConnectionString);
        await connection.OpenAsync();
        await using var command = new NpgsqlCommand(sql, connection);
        foreach (var (name, value) in parameters)
        {
            command.Parameters.AddWithValue(name, value);
        }

        await command.ExecuteNonQueryAsync();
    }
}
