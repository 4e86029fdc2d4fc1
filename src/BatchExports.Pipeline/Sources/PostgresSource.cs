using System.Runtime.CompilerServices;
using System.Text.Json.Nodes;
using BatchExports.Core.Domain;
using BatchExports.Core.Hosting;
using BatchExports.Pipeline.Formats;
using Npgsql;

namespace BatchExports.Pipeline.Sources;

/// <summary>
/// Reads the embedded source tables. Rows stream from the server as they are read and are handed on in batches,
/// so memory holds one batch, never an interval.
/// </summary>
public sealed class PostgresSource(IDatabaseConnection database) : ISourceStats
{
    public const int DefaultBatchSize = 10_000;

    public async IAsyncEnumerable<RecordBatch> ReadAsync(
        SourceQuery query, int batchSize, [EnumeratorCancellation] CancellationToken cancellationToken)
    {
        await using var connection = new NpgsqlConnection(database.ConnectionString);
        await connection.OpenAsync(cancellationToken);
        await using var command = new NpgsqlCommand(query.Sql, connection) { CommandTimeout = 0 };
        command.Parameters.AddRange(query.Parameters.Select(p => p.Clone()).ToArray());
        var reader = await command.ExecuteReaderAsync(System.Data.CommandBehavior.SequentialAccess, cancellationToken);
        var readToEnd = false;
        try
        {
            var columns = query.Columns;
            var rows = new List<object?[]>(batchSize);
            while (await reader.ReadAsync(cancellationToken))
            {
                var row = new object?[columns.Count];
                for (var i = 0; i < columns.Count; i++)
                {
                    row[i] = await reader.IsDBNullAsync(i, cancellationToken) ? null : Read(reader, i, columns[i].Kind);
                }

                rows.Add(row);
                if (rows.Count == batchSize)
                {
                    yield return new RecordBatch(columns, rows);
                    rows = new List<object?[]>(batchSize);
                }
            }

            readToEnd = true;
            if (rows.Count > 0)
            {
                yield return new RecordBatch(columns, rows);
            }
        }
        finally
        {
            await CloseAsync(command, reader, readToEnd);
        }
    }

    /// <summary>
    /// Closing a reader before its last row makes Npgsql read every remaining row off the wire: a run that fails or
    /// is cancelled early would go on streaming the rest of its interval. So the query is cancelled on the server first.
    /// </summary>
    private static async Task CloseAsync(NpgsqlCommand command, NpgsqlDataReader reader, bool readToEnd)
    {
        if (readToEnd)
        {
            await reader.DisposeAsync();
            return;
        }

        command.Cancel();
        try
        {
            await reader.DisposeAsync();
        }
        catch (Exception exception) when (exception is PostgresException { SqlState: PostgresErrorCodes.QueryCanceled } or OperationCanceledException)
        {
        }
    }

    public async Task<SourceStats> GetAsync(BatchExport export, JsonObject config, DateTimeOffset? start, DateTimeOffset end, CancellationToken cancellationToken)
    {
        var query = SourceQueries.Stats(export, config, start, end);
        await using var connection = new NpgsqlConnection(database.ConnectionString);
        await connection.OpenAsync(cancellationToken);
        await using var command = new NpgsqlCommand(query.Sql, connection) { CommandTimeout = 300 };
        command.Parameters.AddRange(query.Parameters.Select(p => p.Clone()).ToArray());
        await using var reader = await command.ExecuteReaderAsync(cancellationToken);
        await reader.ReadAsync(cancellationToken);
        var earliest = reader.IsDBNull(0) ? (DateTimeOffset?)null : reader.GetFieldValue<DateTimeOffset>(0);
        return new SourceStats(earliest, reader.GetInt64(1));
    }

    private static object Read(NpgsqlDataReader reader, int ordinal, ColumnKind kind) => kind switch
    {
        ColumnKind.Int64 => reader.GetInt64(ordinal),
        ColumnKind.Float64 => reader.GetDouble(ordinal),
        ColumnKind.Boolean => reader.GetBoolean(ordinal),
        ColumnKind.Timestamp => reader.GetFieldValue<DateTimeOffset>(ordinal),
        ColumnKind.StringArray => reader.GetFieldValue<string[]>(ordinal),
        _ => reader.GetString(ordinal),
    };
}
