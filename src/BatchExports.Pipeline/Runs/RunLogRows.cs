using BatchExports.Core.Domain;
using Npgsql;
using NpgsqlTypes;

namespace BatchExports.Pipeline.Runs;

/// <summary>
/// Run log lines as array parameters of one statement: <see cref="Unnest"/> yields them as rows (team_id,
/// batch_export_id, batch_export_on_demand_id, instance_id, ts, level, message, ord), in their order through ord, so
/// the identity ids — the tie-break of lines with one timestamp — follow the order they were written in.
/// </summary>
public static class RunLogRows
{
    public const string Unnest = "unnest(@log_teams, @log_exports, @log_on_demands, @log_instances, @log_timestamps, @log_levels, @log_messages) WITH ORDINALITY";

    /// <summary>The parameters of <see cref="Unnest"/>; an entry may be null (no line for that position).</summary>
    public static NpgsqlParameter[] Parameters(IReadOnlyList<BatchExportLogEntry?> entries)
    {
        ArgumentNullException.ThrowIfNull(entries);
        return
        [
            new NpgsqlParameter("log_teams", NpgsqlDbType.Array | NpgsqlDbType.Integer) { Value = entries.Select(e => e?.TeamId).ToArray() },
            new NpgsqlParameter("log_exports", NpgsqlDbType.Array | NpgsqlDbType.Uuid) { Value = entries.Select(e => e?.BatchExportId).ToArray() },
            new NpgsqlParameter("log_on_demands", NpgsqlDbType.Array | NpgsqlDbType.Uuid) { Value = entries.Select(e => e?.BatchExportOnDemandId).ToArray() },
            new NpgsqlParameter("log_instances", NpgsqlDbType.Array | NpgsqlDbType.Text) { Value = entries.Select(e => e?.InstanceId).ToArray() },
            // timestamptz parameters must be UTC.
            new NpgsqlParameter("log_timestamps", NpgsqlDbType.Array | NpgsqlDbType.TimestampTz) { Value = entries.Select(e => e?.Timestamp.ToUniversalTime()).ToArray() },
            new NpgsqlParameter("log_levels", NpgsqlDbType.Array | NpgsqlDbType.Text) { Value = entries.Select(e => e?.Level).ToArray() },
            new NpgsqlParameter("log_messages", NpgsqlDbType.Array | NpgsqlDbType.Text) { Value = entries.Select(e => e?.Message).ToArray() },
        ];
    }
}
