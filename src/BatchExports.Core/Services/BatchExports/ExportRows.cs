using System.Data.Common;
using System.Text.Json.Nodes;
using BatchExports.Core.Domain;
using Npgsql;

namespace BatchExports.Core.Services.BatchExports;

/// <summary>
/// The API's hot read in hand-written SQL: exports joined to their destination and, by a lateral join on the
/// <c>(batch_export_id, created_at)</c> index, to their ten newest runs, in one statement read with Npgsql directly.
/// Through EF the same read took two round trips and most of a request's CPU went to EF itself (query-cache lookup,
/// expression building, materialisation; profile in bench/README.md). This is the one place that maps those rows to
/// entities: every column of the three tables, so the entities are complete and equal to what EF would load
/// (<c>ExportRowsTests</c> fails when a mapped column is added to EF's model and not here).
/// </summary>
internal static class ExportRows
{
    public const int LatestRunsCount = 10;

    internal const string ExportColumns =
        "e.id, e.team_id, e.name, e.destination_id, e.interval, e.paused, e.deleted, e.created_at, e.last_updated_at, " +
        "e.last_paused_at, e.start_at, e.end_at, e.schema, e.model, e.filters, e.timezone, e.interval_offset";

    internal const string DestinationColumns = "d.id, d.type, d.config_ciphertext, d.integration_id, d.created_at, d.last_updated_at";

    internal const string RunColumns =
        "r.id, r.batch_export_id, r.batch_export_on_demand_id, r.status, r.records_completed, r.records_failed, r.latest_error, " +
        "r.data_interval_start, r.data_interval_end, r.\"cursor\", r.created_at, r.finished_at, r.last_updated_at, " +
        "r.records_total_count, r.bytes_exported, r.backfill_id, r.attempt, r.next_attempt_at, r.lease_owner, r.lease_expires_at";

    internal const int DestinationOffset = 17;
    internal const int RunOffset = DestinationOffset + 6;

    /// <summary><paramref name="exports"/> is a subquery aliased <c>e</c>; rows come in its order, then newest run first.</summary>
    private static string Select(string exports, string exportOrder) => $"""
        SELECT {ExportColumns}, {DestinationColumns}, {RunColumns}
        FROM {exports}
        JOIN batch_export_destinations d ON d.id = e.destination_id
        LEFT JOIN LATERAL (
            SELECT * FROM batch_export_runs
            WHERE batch_export_id = e.id
            ORDER BY created_at DESC, id DESC
            LIMIT {LatestRunsCount}) AS r ON true
        ORDER BY {exportOrder}r.created_at DESC, r.id DESC
        """;

    /// <summary>One non-deleted export of the given teams by id: @id, @teams.</summary>
    public static readonly string ById = Select(
        "(SELECT * FROM batch_exports WHERE id = @id AND team_id = ANY(@teams) AND NOT deleted) AS e", "");

    /// <summary>A page of the teams' non-deleted exports, newest first: @teams, @limit, @offset.</summary>
    public static readonly string Page = Select(
        """
        (SELECT * FROM batch_exports WHERE team_id = ANY(@teams) AND NOT deleted
         ORDER BY created_at DESC, id DESC LIMIT @limit OFFSET @offset) AS e
        """,
        "e.created_at DESC, e.id DESC, ");

    /// <summary>How many exports <see cref="Page"/> pages through: @teams.</summary>
    public const string Count = "SELECT count(*)::int FROM batch_exports WHERE team_id = ANY(@teams) AND NOT deleted";

    /// <summary>Reads rows of <see cref="ById"/> or <see cref="Page"/>: each export once, with its runs in row order.</summary>
    public static async Task<List<(BatchExport Export, List<BatchExportRun> Runs)>> ReadAsync(DbDataReader reader, CancellationToken cancellationToken)
    {
        var results = new List<(BatchExport Export, List<BatchExportRun> Runs)>();
        while (await reader.ReadAsync(cancellationToken))
        {
            var exportId = reader.GetGuid(0);
            if (results.Count == 0 || results[^1].Export.Id != exportId)
            {
                results.Add((ReadExport(reader), []));
            }

            if (!reader.IsDBNull(RunOffset))
            {
                results[^1].Runs.Add(ReadRun(reader, RunOffset));
            }
        }

        return results;
    }

    /// <summary>The <c>@teams</c> parameter every statement here filters by.</summary>
    public static NpgsqlParameter<int[]> Teams(ExportScope scope) => new("teams", scope.TeamIds.ToArray());

    private static BatchExport ReadExport(DbDataReader reader) => new()
    {
        Id = reader.GetGuid(0),
        TeamId = reader.GetInt32(1),
        Name = reader.GetString(2),
        DestinationId = reader.GetGuid(3),
        Interval = reader.GetString(4),
        Paused = reader.GetBoolean(5),
        Deleted = reader.GetBoolean(6),
        CreatedAt = reader.GetFieldValue<DateTimeOffset>(7),
        LastUpdatedAt = reader.GetFieldValue<DateTimeOffset>(8),
        LastPausedAt = NullableTimestamp(reader, 9),
        StartAt = NullableTimestamp(reader, 10),
        EndAt = NullableTimestamp(reader, 11),
        // Parsed as EF's jsonb conversion (Persistence/JsonColumns) parses them.
        Schema = reader.IsDBNull(12) ? null : JsonNode.Parse(reader.GetString(12))!.AsObject(),
        Model = reader.GetString(13),
        Filters = reader.IsDBNull(14) ? null : JsonNode.Parse(reader.GetString(14))!.AsArray(),
        Timezone = reader.GetString(15),
        IntervalOffset = reader.IsDBNull(16) ? null : reader.GetInt32(16),
        Destination = new BatchExportDestination
        {
            Id = reader.GetGuid(DestinationOffset),
            Type = reader.GetString(DestinationOffset + 1),
            ConfigCiphertext = reader.GetFieldValue<byte[]>(DestinationOffset + 2),
            IntegrationId = reader.IsDBNull(DestinationOffset + 3) ? null : reader.GetInt32(DestinationOffset + 3),
            CreatedAt = reader.GetFieldValue<DateTimeOffset>(DestinationOffset + 4),
            LastUpdatedAt = reader.GetFieldValue<DateTimeOffset>(DestinationOffset + 5),
        },
    };

    private static BatchExportRun ReadRun(DbDataReader reader, int o) => new()
    {
        Id = reader.GetGuid(o),
        BatchExportId = NullableGuid(reader, o + 1),
        BatchExportOnDemandId = NullableGuid(reader, o + 2),
        Status = reader.GetString(o + 3),
        RecordsCompleted = reader.IsDBNull(o + 4) ? null : reader.GetInt32(o + 4),
        RecordsFailed = reader.IsDBNull(o + 5) ? null : reader.GetInt32(o + 5),
        LatestError = reader.IsDBNull(o + 6) ? null : reader.GetString(o + 6),
        DataIntervalStart = NullableTimestamp(reader, o + 7),
        DataIntervalEnd = reader.GetFieldValue<DateTimeOffset>(o + 8),
        Cursor = reader.IsDBNull(o + 9) ? null : reader.GetString(o + 9),
        CreatedAt = reader.GetFieldValue<DateTimeOffset>(o + 10),
        FinishedAt = NullableTimestamp(reader, o + 11),
        LastUpdatedAt = reader.GetFieldValue<DateTimeOffset>(o + 12),
        RecordsTotalCount = reader.IsDBNull(o + 13) ? null : reader.GetInt64(o + 13),
        BytesExported = reader.IsDBNull(o + 14) ? null : reader.GetInt64(o + 14),
        BackfillId = NullableGuid(reader, o + 15),
        Attempt = reader.GetInt32(o + 16),
        NextAttemptAt = reader.GetFieldValue<DateTimeOffset>(o + 17),
        LeaseOwner = reader.IsDBNull(o + 18) ? null : reader.GetString(o + 18),
        LeaseExpiresAt = NullableTimestamp(reader, o + 19),
    };

    private static DateTimeOffset? NullableTimestamp(DbDataReader reader, int ordinal) =>
        reader.IsDBNull(ordinal) ? null : reader.GetFieldValue<DateTimeOffset>(ordinal);

    private static Guid? NullableGuid(DbDataReader reader, int ordinal) => reader.IsDBNull(ordinal) ? null : reader.GetGuid(ordinal);
}
