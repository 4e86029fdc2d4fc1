using System.Runtime.CompilerServices;
using System.Threading.Channels;
using BatchExports.Core.Hosting;
using BatchExports.Pipeline.Formats;
using BatchExports.Pipeline.Runs;
using Npgsql;

namespace BatchExports.Pipeline.Sources;

/// <summary>
/// Reads the embedded source tables. Rows stream from the server as they are read and are handed on in batches,
/// so memory holds one batch, never an interval.
/// </summary>
public sealed class PostgresSource(IDatabaseConnection database) : ISource
{
    public const int DefaultBatchSize = 10_000;

    public SourceRead Read(SourceRequest request, int batchSize)
    {
        var query = SourceQueries.Records(request);
        return new SourceRead(query.Columns, Classified(ReadAsync(query, batchSize, CancellationToken.None, request.Utf8Json), CancellationToken.None));
    }

    /// <summary>
    /// Streams the query's rows in batches. One batch is read ahead while the caller writes the previous one, so the
    /// database and the file writer work at the same time (as <c>psql | gzip</c> would); memory holds two batches.
    /// </summary>
    /// <param name="utf8Json">Canonical JSON columns as their UTF-8 bytes (<c>byte[]</c>) rather than a <c>string</c>.</param>
    public async IAsyncEnumerable<RecordBatch> ReadAsync(
        SourceQuery query, int batchSize, [EnumeratorCancellation] CancellationToken cancellationToken, bool utf8Json = false)
    {
        using var stop = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        var batches = Channel.CreateBounded<RecordBatch>(new BoundedChannelOptions(1) { SingleReader = true, SingleWriter = true });
        var producer = Task.Run(() => ProduceAsync(query, batchSize, utf8Json, batches.Writer, stop.Token), CancellationToken.None);
        try
        {
            await foreach (var batch in batches.Reader.ReadAllAsync(cancellationToken))
            {
                yield return batch;
            }

            // The channel ends when the producer does; this surfaces its failure, if it ended with one.
            await producer;
        }
        finally
        {
            // The caller stopped early (a failure downstream, or cancellation): stop reading at once.
            await stop.CancelAsync();
            try
            {
                await producer;
            }
            catch (Exception exception) when (exception is OperationCanceledException || stop.IsCancellationRequested)
            {
            }
        }
    }

    /// <summary>Fills <paramref name="output"/>; a failure ends the channel early and surfaces through the returned task.</summary>
    private async Task ProduceAsync(
        SourceQuery query, int batchSize, bool utf8Json, ChannelWriter<RecordBatch> output, CancellationToken cancellationToken)
    {
        try
        {
            await using var connection = new NpgsqlConnection(database.ConnectionString);
            await connection.OpenAsync(cancellationToken);
            await using var command = new NpgsqlCommand(query.Sql, connection) { CommandTimeout = 0 };
            command.Parameters.AddRange(query.Parameters.Select(p => p.Clone()).ToArray());
            var reader = await command.ExecuteReaderAsync(cancellationToken);
            var readToEnd = false;
            try
            {
                var columns = query.Columns;
                var asBytes = columns.Select(c => utf8Json && c.Kind == ColumnKind.Json && c.IsCanonicalJson).ToArray();
                var rows = new List<object?[]>(batchSize);

                // Rows are buffered whole by the reader (they are small), so reading their columns does not block.
                while (await reader.ReadAsync(cancellationToken))
                {
                    var row = new object?[columns.Count];
                    for (var i = 0; i < columns.Count; i++)
                    {
                        row[i] = reader.IsDBNull(i) ? null : asBytes[i] ? ReadUtf8(reader, i) : Read(reader, i, columns[i].Kind);
                    }

                    rows.Add(row);
                    if (rows.Count == batchSize)
                    {
                        await output.WriteAsync(new RecordBatch(columns, rows), cancellationToken);
                        rows = new List<object?[]>(batchSize);
                    }
                }

                readToEnd = true;
                if (rows.Count > 0)
                {
                    await output.WriteAsync(new RecordBatch(columns, rows), cancellationToken);
                }
            }
            finally
            {
                await CloseAsync(command, reader, readToEnd);
            }
        }
        finally
        {
            output.TryComplete();
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

    public async Task<SourceStats> GetStatsAsync(ExportSelection selection, DateTimeOffset? start, DateTimeOffset end, CancellationToken cancellationToken)
    {
        var query = SourceQueries.Stats(selection, start, end);
        await using var connection = new NpgsqlConnection(database.ConnectionString);
        await connection.OpenAsync(cancellationToken);
        await using var command = new NpgsqlCommand(query.Sql, connection) { CommandTimeout = 300 };
        command.Parameters.AddRange(query.Parameters.Select(p => p.Clone()).ToArray());
        await using var reader = await command.ExecuteReaderAsync(cancellationToken);
        await reader.ReadAsync(cancellationToken);
        var earliest = reader.IsDBNull(0) ? (DateTimeOffset?)null : reader.GetFieldValue<DateTimeOffset>(0);
        return new SourceStats(earliest, reader.GetInt64(1));
    }

    /// <summary>
    /// The one place source failures are sorted: a regular expression of the export's own filters that PostgreSQL
    /// refuses (SQLSTATE 2201B) fails the run for the user to fix; anything else is retried.
    /// </summary>
    private static async IAsyncEnumerable<RecordBatch> Classified(IAsyncEnumerable<RecordBatch> batches, [EnumeratorCancellation] CancellationToken cancellationToken)
    {
        await using var enumerator = batches.GetAsyncEnumerator(cancellationToken);
        while (true)
        {
            try
            {
                if (!await enumerator.MoveNextAsync())
                {
                    yield break;
                }
            }
            catch (Exception exception) when (exception is not OperationCanceledException)
            {
                throw exception is PostgresException { SqlState: PostgresErrorCodes.InvalidRegularExpression }
                    ? new NonRetryableExportException($"The export's filters could not be applied: {exception.Message}", exception)
                    : new SourceReadException(exception);
            }

            yield return enumerator.Current;
        }
    }

    /// <summary>
    /// A text column's value as the bytes on the wire: the database's encoding, which the migrations create as UTF-8
    /// (Npgsql decodes text as UTF-8 too, so this is the same text, undecoded).
    /// </summary>
    private static byte[] ReadUtf8(NpgsqlDataReader reader, int ordinal)
    {
        // The row is buffered (not sequential access), so the column's stream has a known length and never blocks.
        using var stream = reader.GetStream(ordinal);
        var bytes = new byte[stream.Length];
        stream.ReadExactly(bytes);
        return bytes;
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
