using System.Text;
using BatchExports.Pipeline.Destinations.Tables;
using BatchExports.Pipeline.Formats;
using BatchExports.Pipeline.Runs;
using Npgsql;

namespace BatchExports.Pipeline.Destinations.Redshift;

/// <summary>
/// INSERT mode: rows go into the stage table as multi-row <c>INSERT … VALUES (…), (…)</c> statements with bound
/// parameters, so no value is ever spliced into SQL (Redshift's literals treat backslashes differently from PostgreSQL's).
/// </summary>
internal sealed class RedshiftInserts(NpgsqlConnection connection, string stage, IReadOnlyList<TableColumn> columns)
{
    /// <summary>PostHog's <c>BATCH_EXPORT_REDSHIFT_UPLOAD_CHUNK_SIZE_BYTES</c>: a statement carries about this much data.</summary>
    public const long MaxStatementBytes = 8 * 1024 * 1024;

    /// <summary>Bound parameters per statement, well under the protocol's 65,535.</summary>
    private const int MaxParameters = 30_000;

    public int MaxRowsPerStatement { get; init; } = 1_000;

    public async Task<(long Rows, long Bytes)> InsertAsync(RowProjection projection, RecordBatch first, RecordStream records, CancellationToken cancellationToken)
    {
        var rowsPerStatement = Math.Max(1, Math.Min(MaxRowsPerStatement, MaxParameters / columns.Count));
        var pending = new List<object?[]>(rowsPerStatement);
        long pendingBytes = 0;
        long rows = 0;
        long bytes = 0;
        for (var batch = first; batch is not null; batch = await records.NextAsync())
        {
            foreach (var row in batch.Rows)
            {
                pending.Add(projection.Project(row, out var size));
                pendingBytes += size;
                bytes += size;
                if (pending.Count == rowsPerStatement || pendingBytes >= MaxStatementBytes)
                {
                    await ExecuteAsync(pending, cancellationToken);
                    pending.Clear();
                    pendingBytes = 0;
                }
            }

            rows += batch.Count;
        }

        if (pending.Count > 0)
        {
            await ExecuteAsync(pending, cancellationToken);
        }

        return (rows, bytes);
    }

    /// <summary><c>INSERT INTO stage (…) VALUES ($1, $2, …), (…)</c> for <paramref name="rows"/> rows, numbered row by row.</summary>
    internal static string Sql(string stage, IReadOnlyList<TableColumn> columns, int rows)
    {
        var sql = new StringBuilder($"INSERT INTO {stage} ({SqlNames.ColumnList(columns)}) VALUES ");
        var parameter = 0;
        for (var r = 0; r < rows; r++)
        {
            sql.Append(r == 0 ? "(" : ", (");
            for (var c = 0; c < columns.Count; c++)
            {
                sql.Append(c == 0 ? "" : ", ").Append(RedshiftSql.Value(columns[c], "$" + ++parameter));
            }

            sql.Append(')');
        }

        return sql.ToString();
    }

    private async Task ExecuteAsync(List<object?[]> rows, CancellationToken cancellationToken)
    {
        await using var command = new NpgsqlCommand(Sql(stage, columns, rows.Count), connection);
        foreach (var row in rows)
        {
            for (var c = 0; c < columns.Count; c++)
            {
                command.Parameters.Add(new NpgsqlParameter { NpgsqlDbType = columns[c].DbType, Value = row[c] ?? DBNull.Value });
            }
        }

        await command.ExecuteNonQueryAsync(cancellationToken);
    }
}
