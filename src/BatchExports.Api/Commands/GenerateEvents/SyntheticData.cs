using System.Diagnostics;
using System.Globalization;
using Npgsql;
using NpgsqlTypes;

namespace BatchExports.Api.Commands.GenerateEvents;

/// <summary>What <see cref="SyntheticData.InsertAsync"/> generates. The same options give the same rows.</summary>
public sealed record SyntheticDataOptions
{
    public required int TeamId { get; init; }

    public required long Events { get; init; }

    /// <summary>Event times fall in <c>[End − Window, End)</c>; ingestion times before <see cref="End"/>.</summary>
    public required DateTimeOffset End { get; init; }

    public TimeSpan Window { get; init; } = TimeSpan.FromDays(1);

    /// <summary>Defaults to one person per 50 events, at most <see cref="SyntheticData.MaxDefaultPersons"/>.</summary>
    public int? Persons { get; init; }

    /// <summary>Defaults to three per person; never more than there are events, as every session has at least one.</summary>
    public int? Sessions { get; init; }

    public long Seed { get; init; }
}

public sealed record SyntheticDataSummary(
    int TeamId, long Events, int Persons, int DistinctIds, int Sessions, DateTimeOffset Start, DateTimeOffset End, long Seed, TimeSpan Elapsed)
{
    public double EventsPerSecond => Events / Math.Max(Elapsed.TotalSeconds, 1e-6);

    public override string ToString() => string.Create(
        CultureInfo.InvariantCulture,
        $"inserted {Events} events, {Persons} persons, {Sessions} sessions for team {TeamId} in {Elapsed.TotalSeconds:0.0} s ({EventsPerSecond:0} events/s, seed {Seed})");
}

/// <summary>
/// Fills the source tables with realistic synthetic data for one team, for demos, tests and the benchmark: events
/// (a realistic mix of web and mobile events with PostHog-shaped properties), the persons and distinct ids behind
/// them, and their sessions. Rows stream to PostgreSQL with binary COPY in one transaction; memory holds the persons
/// and sessions, never the events.
/// </summary>
public static class SyntheticData
{
    public const int MaxDefaultPersons = 200_000;

    private const string EventsCopy =
        "COPY events (uuid, team_id, event, distinct_id, properties, person_id, person_properties, elements_chain, timestamp, created_at, inserted_at) FROM STDIN (FORMAT BINARY)";

    private const string PersonsCopy = "COPY persons (id, team_id, properties, version, is_deleted, created_at, inserted_at) FROM STDIN (FORMAT BINARY)";

    private const string DistinctIdsCopy = "COPY person_distinct_ids (team_id, distinct_id, person_id, version, is_deleted, inserted_at) FROM STDIN (FORMAT BINARY)";

    private const string SessionsCopy =
        """
        COPY sessions (session_id, team_id, distinct_id, start_timestamp, end_timestamp, urls, num_uniq_urls,
            entry_current_url, entry_pathname, entry_hostname, end_current_url, end_pathname, end_hostname,
            entry_utm_source, entry_utm_campaign, entry_utm_medium, entry_utm_term, entry_utm_content, entry_referring_domain,
            entry_gclid, entry_fbclid, entry_gad_source, pageview_count, autocapture_count, screen_count, channel_type,
            session_duration, is_bounce, last_external_click_url, vitals_lcp, inserted_at) FROM STDIN (FORMAT BINARY)
        """;

    public static async Task<SyntheticDataSummary> InsertAsync(string connectionString, SyntheticDataOptions options, CancellationToken cancellationToken)
    {
        var stopwatch = Stopwatch.StartNew();
        var (persons, sessions) = Sizes(options);
        var end = ToMicroseconds(options.End);
        var start = end - options.Window.Ticks / 10;

        await using var connection = new NpgsqlConnection(connectionString);
        await connection.OpenAsync(cancellationToken);
        await using (var check = new NpgsqlCommand("SELECT EXISTS (SELECT 1 FROM teams WHERE id = @id)", connection))
        {
            check.Parameters.AddWithValue("id", options.TeamId);
            if (!(bool)(await check.ExecuteScalarAsync(cancellationToken))!)
            {
                throw new ArgumentException($"Team {options.TeamId} does not exist.");
            }
        }

        var generator = new SyntheticGenerator(options.Events, persons, sessions, start, end, options.Seed);
        await using var transaction = await connection.BeginTransactionAsync(cancellationToken);
        try
        {
            await WriteEventsAsync(connection, generator, options.TeamId, cancellationToken);
            await WritePersonsAsync(connection, generator, options.TeamId, cancellationToken);
            await WriteSessionsAsync(connection, generator, options.TeamId, cancellationToken);
            await transaction.CommitAsync(cancellationToken);
        }
        catch (PostgresException exception) when (exception.SqlState == PostgresErrorCodes.UniqueViolation)
        {
            throw new ArgumentException(
                $"Team {options.TeamId} already has rows generated with seed {options.Seed} for this time window ({exception.ConstraintName}); use another seed.",
                exception);
        }

        return new SyntheticDataSummary(
            options.TeamId, options.Events, persons, generator.Persons.Sum(p => p.DistinctIds.Length), sessions,
            FromMicroseconds(start), FromMicroseconds(end), options.Seed, stopwatch.Elapsed);
    }

    private static (int Persons, int Sessions) Sizes(SyntheticDataOptions options)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(options.Events, 1, nameof(options.Events));
        ArgumentOutOfRangeException.ThrowIfLessThan(options.Window, TimeSpan.FromSeconds(1), nameof(options.Window));
        var persons = options.Persons ?? (int)Math.Clamp(options.Events / 50, 1, MaxDefaultPersons);
        ArgumentOutOfRangeException.ThrowIfLessThan(persons, 1, nameof(options.Persons));
        var sessions = options.Sessions ?? (int)Math.Min(3L * persons, int.MaxValue);
        ArgumentOutOfRangeException.ThrowIfLessThan(sessions, 1, nameof(options.Sessions));
        return (persons, (int)Math.Min(sessions, options.Events));
    }

    // Rows are written with the synchronous calls: per value, an awaited write costs more CPU than PostgreSQL spends
    // storing it, and this machine's cores are shared with the server. Cancellation is checked between rows.
    private static async Task WriteEventsAsync(NpgsqlConnection connection, SyntheticGenerator generator, int teamId, CancellationToken cancellationToken)
    {
        await using var copy = await connection.BeginBinaryImportAsync(EventsCopy, cancellationToken);
        var row = new SyntheticEventRow();
        for (var n = 0L; generator.Next(row); n++)
        {
            if ((n & 1023) == 0)
            {
                cancellationToken.ThrowIfCancellationRequested();
            }

            copy.StartRow();
            copy.Write(row.Uuid, NpgsqlDbType.Uuid);
            copy.Write(teamId, NpgsqlDbType.Integer);
            copy.Write(row.Event, NpgsqlDbType.Text);
            copy.Write(row.DistinctId, NpgsqlDbType.Text);
            copy.Write(row.Properties, NpgsqlDbType.Jsonb);
            copy.Write(row.PersonId, NpgsqlDbType.Uuid);
            copy.Write(row.PersonProperties, NpgsqlDbType.Jsonb);
            WriteNullable(copy, row.ElementsChain);
            copy.Write(FromMicroseconds(row.Timestamp), NpgsqlDbType.TimestampTz);
            copy.Write(FromMicroseconds(row.CreatedAt), NpgsqlDbType.TimestampTz);
            copy.Write(FromMicroseconds(row.InsertedAt), NpgsqlDbType.TimestampTz);
        }

        await copy.CompleteAsync(cancellationToken);
    }

    private static async Task WritePersonsAsync(NpgsqlConnection connection, SyntheticGenerator generator, int teamId, CancellationToken cancellationToken)
    {
        await using (var copy = await connection.BeginBinaryImportAsync(PersonsCopy, cancellationToken))
        {
            foreach (var person in generator.Persons)
            {
                copy.StartRow();
                copy.Write(person.Id, NpgsqlDbType.Uuid);
                copy.Write(teamId, NpgsqlDbType.Integer);
                copy.Write(person.Properties, NpgsqlDbType.Jsonb);
                copy.Write(person.Version, NpgsqlDbType.Bigint);
                copy.Write(person.IsDeleted, NpgsqlDbType.Boolean);
                copy.Write(FromMicroseconds(person.CreatedAt), NpgsqlDbType.TimestampTz);
                copy.Write(FromMicroseconds(person.InsertedAt), NpgsqlDbType.TimestampTz);
            }

            await copy.CompleteAsync(cancellationToken);
        }

        await using (var copy = await connection.BeginBinaryImportAsync(DistinctIdsCopy, cancellationToken))
        {
            foreach (var person in generator.Persons)
            {
                for (var i = 0; i < person.DistinctIds.Length; i++)
                {
                    copy.StartRow();
                    copy.Write(teamId, NpgsqlDbType.Integer);
                    copy.Write(person.DistinctIds[i], NpgsqlDbType.Text);
                    copy.Write(person.Id, NpgsqlDbType.Uuid);
                    copy.Write(person.DistinctIdVersions[i], NpgsqlDbType.Bigint);
                    copy.Write(person.IsDeleted, NpgsqlDbType.Boolean);
                    copy.Write(FromMicroseconds(person.DistinctIdInsertedAt[i]), NpgsqlDbType.TimestampTz);
                }
            }

            await copy.CompleteAsync(cancellationToken);
        }
    }

    private static async Task WriteSessionsAsync(NpgsqlConnection connection, SyntheticGenerator generator, int teamId, CancellationToken cancellationToken)
    {
        await using var copy = await connection.BeginBinaryImportAsync(SessionsCopy, cancellationToken);
        foreach (var session in generator.Sessions)
        {
            var web = generator.Persons[session.Person].Web != null;
            var entry = web ? SyntheticCatalog.Pages[session.EntryPage] : null;
            var exit = web ? SyntheticCatalog.Pages[session.Page] : null;
            var campaign = session.Campaign;
            var durationSeconds = (session.LastTimestamp - session.Start) / 1_000_000;
            copy.StartRow();
            copy.Write(session.Id, NpgsqlDbType.Uuid);
            copy.Write(teamId, NpgsqlDbType.Integer);
            copy.Write(session.DistinctId, NpgsqlDbType.Text);
            copy.Write(FromMicroseconds(session.Start), NpgsqlDbType.TimestampTz);
            copy.Write(FromMicroseconds(session.LastTimestamp), NpgsqlDbType.TimestampTz);
            copy.Write(SyntheticGenerator.Urls(session), NpgsqlDbType.Array | NpgsqlDbType.Text);
            copy.Write(System.Numerics.BitOperations.PopCount(session.VisitedPages), NpgsqlDbType.Integer);
            WriteNullable(copy, entry?.Url);
            WriteNullable(copy, entry?.Path);
            WriteNullable(copy, entry?.Host);
            WriteNullable(copy, exit?.Url);
            WriteNullable(copy, exit?.Path);
            WriteNullable(copy, exit?.Host);
            WriteNullable(copy, campaign.UtmSource);
            WriteNullable(copy, campaign.UtmCampaign);
            WriteNullable(copy, campaign.UtmMedium);
            WriteNullable(copy, campaign.UtmTerm);
            WriteNullable(copy, campaign.UtmContent);
            copy.Write(campaign.ReferringDomain, NpgsqlDbType.Text);
            WriteNullable(copy, session.Gclid);
            WriteNullable(copy, session.Fbclid);
            WriteNullable(copy, session.Gclid != null ? "1" : null);
            copy.Write(session.Pageviews, NpgsqlDbType.Integer);
            copy.Write(session.Autocaptures, NpgsqlDbType.Integer);
            copy.Write(session.Screens, NpgsqlDbType.Integer);
            copy.Write(campaign.Channel, NpgsqlDbType.Text);
            copy.Write(durationSeconds, NpgsqlDbType.Bigint);
            // PostHog's definition: at most one page or screen, no autocapture, and under ten seconds.
            copy.Write(session.Pageviews + session.Screens <= 1 && session.Autocaptures == 0 && durationSeconds < 10, NpgsqlDbType.Boolean);
            WriteNullable(copy, session.ExternalClick ? "https://github.com/example/shop" : null);
            if (session.Lcp is { } lcp)
            {
                copy.Write(lcp, NpgsqlDbType.Double);
            }
            else
            {
                copy.WriteNull();
            }

            copy.Write(FromMicroseconds(session.MaxInsertedAt), NpgsqlDbType.TimestampTz);
        }

        await copy.CompleteAsync(cancellationToken);
    }

    private static void WriteNullable(NpgsqlBinaryImporter copy, string? value)
    {
        if (value == null)
        {
            copy.WriteNull();
        }
        else
        {
            copy.Write(value, NpgsqlDbType.Text);
        }
    }

    private static long ToMicroseconds(DateTimeOffset value) => (value.UtcTicks - DateTimeOffset.UnixEpoch.UtcTicks) / 10;

    private static DateTimeOffset FromMicroseconds(long microseconds) => DateTimeOffset.UnixEpoch.AddTicks(microseconds * 10);
}
