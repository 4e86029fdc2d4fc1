using BatchExports.Pipeline.Destinations.Tables;
using BatchExports.Pipeline.Formats;
using BatchExports.Pipeline.Runs;
using BatchExports.Pipeline.Sources;
using Npgsql;

namespace BatchExports.Pipeline.Destinations.Postgres;

/// <summary>
/// PostHog's PostgreSQL destination. The interval's records stream by binary COPY into a temporary stage table, then
/// reach the target in the same transaction: events are appended unless their uuid is already there, persons and
/// sessions merged on their key keeping the newer version. A failed attempt therefore leaves the target untouched,
/// and a retried or repeated interval adds nothing twice.
/// </summary>
public sealed class PostgresDestination : IDestination
{
    private const string Product = "PostgreSQL";

    public string Type => PostgresDefinition.TypeName;

    public IReadOnlyList<string> EventFields => PostgresTables.EventFields;

    /// <summary>Rows per source batch.</summary>
    public int BatchSize { get; init; } = PostgresSource.DefaultBatchSize;

    public async Task<RunOutcome> ExportAsync(RunContext context, RecordStream records, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(context);
        ArgumentNullException.ThrowIfNull(records);
        var settings = PostgresConnectionSettings.FromConfig(context.Config, defaultPort: 5432);
        var layout = PostgresTables.For(context.Export, records.Columns);
        if (await records.NextAsync() is not { } first)
        {
            return await ExportMessages.NoDataAsync(context, cancellationToken);
        }

        try
        {
            return await LoadAsync(context, settings, layout, records.Columns, first, records, cancellationToken);
        }
        catch (Exception exception) when (!cancellationToken.IsCancellationRequested
            && PostgresErrors.UserError(exception, settings, Product) is { } userError)
        {
            throw userError;
        }
    }

    private static async Task<RunOutcome> LoadAsync(
        RunContext context,
        PostgresConnectionSettings settings,
        TableLayout layout,
        IReadOnlyList<Column> sourceColumns,
        RecordBatch first,
        RecordStream records,
        CancellationToken cancellationToken)
    {
        await using var dataSource = settings.CreateDataSource();
        await using var connection = await dataSource.OpenConnectionAsync(cancellationToken);
        await context.Log.InfoAsync(
            $"Exporting range {context.Interval.Range} into {settings.QualifiedTable} of database '{settings.Database}' on PostgreSQL at {settings.Endpoint}.", cancellationToken);

        var target = await DestinationTable.PrepareAsync(
            connection, settings.Schema, settings.TableName, layout,
            PostgresTables.CreateStatements(settings.Schema, settings.TableName, layout), StringComparer.Ordinal, context.Log, cancellationToken);

        var stage = SqlNames.Quote(SqlNames.StageTable(settings.TableName, context.Run.DataIntervalEnd, context.Export.TeamId, context.Run.Attempt));
        await using var transaction = await connection.BeginTransactionAsync(cancellationToken);
        await DestinationTable.ExecuteAsync(
            connection, $"CREATE TEMPORARY TABLE {stage} ({SqlNames.ColumnDefinitions(target.Columns)}) ON COMMIT DROP", cancellationToken);

        var (rows, bytes) = await CopyAsync(connection, stage, target, new RowProjection(sourceColumns, target.Columns), first, records, cancellationToken);
        await DestinationTable.ExecuteAsync(connection, MergeSql(stage, settings.QualifiedTable, target), cancellationToken);
        await transaction.CommitAsync(cancellationToken);
        return new RunOutcome(rows, bytes);
    }

    private static async Task<(long Rows, long Bytes)> CopyAsync(
        NpgsqlConnection connection,
        string stage,
        TableLayout target,
        RowProjection projection,
        RecordBatch first,
        RecordStream records,
        CancellationToken cancellationToken)
    {
        long rows = 0;
        long bytes = 0;
        var columns = target.Columns;
        await using var importer = await connection.BeginBinaryImportAsync(
            $"COPY {stage} ({SqlNames.ColumnList(columns)}) FROM STDIN (FORMAT BINARY)", cancellationToken);
        for (var batch = first; batch is not null; batch = await records.NextAsync())
        {
            foreach (var row in batch.Rows)
            {
                var values = projection.Project(row, out var size);
                await importer.StartRowAsync(cancellationToken);
                for (var i = 0; i < columns.Count; i++)
                {
                    if (values[i] is { } value)
                    {
                        await importer.WriteAsync(value, columns[i].DbType, cancellationToken);
                    }
                    else
                    {
                        await importer.WriteNullAsync(cancellationToken);
                    }
                }

                bytes += size;
            }

            rows += batch.Count;
        }

        await importer.CompleteAsync(cancellationToken);
        return (rows, bytes);
    }

    /// <summary>
    /// Events: the stage's rows whose uuid the target does not have yet. Persons and sessions: PostHog's
    /// <c>INSERT … ON CONFLICT (keys) DO UPDATE … WHERE</c> a version is newer.
    /// </summary>
    internal static string MergeSql(string stage, string qualifiedTarget, TableLayout target)
    {
        var columns = SqlNames.ColumnList(target.Columns);
        if (!target.IsMerge)
        {
            var notThere = target.Keys.Count == 0
                ? ""
                : $" WHERE NOT EXISTS (SELECT 1 FROM {qualifiedTarget} AS t WHERE {string.Join(" AND ", target.Keys.Select(k => $"t.{SqlNames.Quote(k)} = s.{SqlNames.Quote(k)}"))})";
            return $"INSERT INTO {qualifiedTarget} ({columns}) SELECT {columns} FROM {stage} AS s{notThere}";
        }

        var keys = string.Join(", ", target.Keys.Select(SqlNames.Quote));
        var newestFirst = string.Join(", ", target.Versions.Select(v => $"{SqlNames.Quote(v)} DESC NULLS LAST"));
        var updates = target.Columns.Where(c => !target.Keys.Contains(c.Name)).Select(c => $"{SqlNames.Quote(c.Name)} = EXCLUDED.{SqlNames.Quote(c.Name)}").ToList();
        var newer = string.Join(" OR ", target.Versions.Select(v => $"EXCLUDED.{SqlNames.Quote(v)} > final.{SqlNames.Quote(v)}"));
        // DISTINCT ON: a key twice in one statement would make ON CONFLICT fail ("cannot affect row a second time").
        return $"INSERT INTO {qualifiedTarget} AS final ({columns}) "
            + $"SELECT DISTINCT ON ({keys}) {columns} FROM {stage} ORDER BY {keys}, {newestFirst} "
            + $"ON CONFLICT ({keys}) DO UPDATE SET {string.Join(", ", updates)} WHERE {newer}";
    }
}
