using BatchExports.Pipeline.Destinations.Postgres;
using BatchExports.Pipeline.Destinations.S3;
using BatchExports.Pipeline.Destinations.Tables;
using BatchExports.Pipeline.Formats;
using BatchExports.Pipeline.Runs;
using BatchExports.Pipeline.Sources;
using Npgsql;

namespace BatchExports.Pipeline.Destinations.Redshift;

/// <summary>
/// PostHog's Redshift destination, over the PostgreSQL wire protocol. The interval lands in a temporary stage table,
/// by multi-row INSERTs (INSERT mode) or by Redshift's COPY from a gzip JSONLines object staged in the user's bucket
/// (COPY mode); then, in the same transaction, events whose uuid the target lacks are appended and persons and
/// sessions replace older versions of themselves. A failed attempt leaves the target untouched; a repeated interval
/// adds nothing twice.
/// </summary>
public sealed class RedshiftDestination : IDestination
{
    private const string Product = "Redshift";

    public string Type => RedshiftDefinition.TypeName;

    public IReadOnlyList<string> EventFields => RedshiftTables.EventFields;

    public int BatchSize { get; init; } = PostgresSource.DefaultBatchSize;

    internal int MaxRowsPerInsert { get; init; } = 1_000;

    public async Task<RunOutcome> ExportAsync(RunContext context, RecordStream records, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(context);
        ArgumentNullException.ThrowIfNull(records);
        var settings = PostgresConnectionSettings.FromConfig(context.Config, defaultPort: 5439);
        var redshift = RedshiftSettings.FromConfig(context.Config);
        var layout = RedshiftTables.For(context.Export, records.Columns, redshift.UseSuper);
        if (await records.NextAsync() is not { } first)
        {
            return await ExportMessages.NoDataAsync(context, cancellationToken);
        }

        try
        {
            return await LoadAsync(context, settings, redshift, layout, records.Columns, first, records, cancellationToken);
        }
        catch (Exception exception) when (!cancellationToken.IsCancellationRequested
            && (PostgresErrors.UserError(exception, settings, Product) ?? LoadError(exception)) is { } userError)
        {
            throw userError;
        }
    }

    private async Task<RunOutcome> LoadAsync(
        RunContext context,
        PostgresConnectionSettings settings,
        RedshiftSettings redshift,
        TableLayout layout,
        IReadOnlyList<Column> sourceColumns,
        RecordBatch first,
        RecordStream records,
        CancellationToken cancellationToken)
    {
        await using var dataSource = settings.CreateDataSource(loadTypes: false);
        await using var connection = await dataSource.OpenConnectionAsync(cancellationToken);
        await context.Log.InfoAsync(
            $"Exporting range {context.Interval.Range} into {settings.QualifiedTable} of database '{settings.Database}' on Redshift at {settings.Endpoint}.", cancellationToken);

        var target = await DestinationTable.PrepareAsync(
            connection, settings.Schema, settings.TableName, layout,
            RedshiftTables.CreateStatements(settings.Schema, settings.TableName, layout), StringComparer.OrdinalIgnoreCase, context.Log, cancellationToken);
        var projection = new RowProjection(sourceColumns, target.Columns);
        var stage = SqlNames.Quote(SqlNames.StageTable(settings.TableName, context.Run.DataIntervalEnd, context.Export.TeamId, context.Run.Attempt));

        if (redshift.Copy is not { } copy)
        {
            await using var transaction = await connection.BeginTransactionAsync(cancellationToken);
            await CreateStageAsync(connection, stage, target, cancellationToken);
            var inserts = new RedshiftInserts(connection, stage, target.Columns) { MaxRowsPerStatement = MaxRowsPerInsert };
            var (rows, bytes) = await inserts.InsertAsync(projection, first, records, cancellationToken);
            await MergeAsync(connection, stage, settings.QualifiedTable, target, cancellationToken);
            await transaction.CommitAsync(cancellationToken);
            return new RunOutcome(rows, bytes);
        }

        var bucket = copy.BucketSettings;
        var key = copy.ObjectKey(context, settings.TableName);
        using var s3 = S3ClientFactory.Create(bucket);
        try
        {
            var (rows, bytes) = await UploadAsync(s3, bucket, key, target.Columns, projection, first, records, cancellationToken);
            await context.Log.InfoAsync($"Staged {rows} records in s3://{copy.Bucket}/{key} for COPY.", cancellationToken);
            await using var transaction = await connection.BeginTransactionAsync(cancellationToken);
            await CreateStageAsync(connection, stage, target, cancellationToken);
            await DestinationTable.ExecuteAsync(
                connection, RedshiftSql.Copy(stage, target.Columns, copy.Bucket, key, copy.Region, copy.Authorization), cancellationToken);
            await MergeAsync(connection, stage, settings.QualifiedTable, target, cancellationToken);
            await transaction.CommitAsync(cancellationToken);
            return new RunOutcome(rows, bytes);
        }
        finally
        {
            await DeleteStagedObjectAsync(s3, bucket, key, context.Log);
        }
    }

    private static async Task<(long Rows, long Bytes)> UploadAsync(
        Amazon.S3.IAmazonS3 s3,
        S3Settings bucket,
        string key,
        IReadOnlyList<TableColumn> columns,
        RowProjection projection,
        RecordBatch first,
        RecordStream records,
        CancellationToken cancellationToken)
    {
        try
        {
            return await RedshiftCopyUpload.UploadAsync(s3, bucket, key, columns, projection, first, records, cancellationToken);
        }
        catch (Exception exception) when (exception is not (SourceReadException or NonRetryableExportException or OperationCanceledException)
            && S3ErrorClassifier.Classify(exception, bucket) is { Retryable: false } failure)
        {
            throw new NonRetryableExportException($"Staging the records for COPY in s3://{bucket.BucketName} failed: {failure.Message}", exception);
        }
    }

    private static Task CreateStageAsync(NpgsqlConnection connection, string stage, TableLayout target, CancellationToken cancellationToken) =>
        DestinationTable.ExecuteAsync(connection, $"CREATE TEMPORARY TABLE {stage} ({SqlNames.ColumnDefinitions(target.Columns)})", cancellationToken);

    private static async Task MergeAsync(NpgsqlConnection connection, string stage, string qualifiedTarget, TableLayout target, CancellationToken cancellationToken)
    {
        foreach (var statement in MergeStatements(stage, qualifiedTarget, target))
        {
            await DestinationTable.ExecuteAsync(connection, statement, cancellationToken);
        }
    }

    /// <summary>
    /// Redshift enforces no keys, so the merge is by joins (PostHog's own first step): stage rows that would not change
    /// the target are dropped, target rows the stage replaces are deleted, and the stage is inserted. Plain SQL that
    /// PostgreSQL runs too.
    /// </summary>
    internal static IReadOnlyList<string> MergeStatements(string stage, string qualifiedTarget, TableLayout target)
    {
        var columns = SqlNames.ColumnList(target.Columns);
        var insert = $"INSERT INTO {qualifiedTarget} ({columns}) SELECT {columns} FROM {stage}";
        var drop = $"DROP TABLE {stage}";
        if (target.Keys.Count == 0)
        {
            return [insert, drop];
        }

        var sameKey = string.Join(" AND ", target.Keys.Select(k => $"{stage}.{SqlNames.Quote(k)} = {qualifiedTarget}.{SqlNames.Quote(k)}"));
        if (!target.IsMerge)
        {
            return [$"DELETE FROM {stage} USING {qualifiedTarget} WHERE {sameKey}", insert, drop];
        }

        var newer = string.Join(" OR ", target.Versions.Select(v => $"{stage}.{SqlNames.Quote(v)} > {qualifiedTarget}.{SqlNames.Quote(v)}"));
        return
        [
            $"DELETE FROM {stage} USING {qualifiedTarget} WHERE {sameKey} AND NOT ({newer})",
            $"DELETE FROM {qualifiedTarget} USING {stage} WHERE {sameKey}",
            insert,
            drop,
        ];
    }

    /// <summary>
    /// Redshift reports a failed COPY as an internal error (XX000) naming S3 or <c>stl_load_errors</c>; neither goes
    /// away by retrying.
    /// </summary>
    private static NonRetryableExportException? LoadError(Exception exception) =>
        exception is PostgresException { SqlState: PostgresErrorCodes.InternalError } e
            && (e.MessageText.Contains("S3ServiceException", StringComparison.Ordinal) || e.MessageText.Contains("stl_load_errors", StringComparison.Ordinal))
            ? new NonRetryableExportException($"Redshift's COPY failed: {e.MessageText}", exception)
            : null;

    private static async Task DeleteStagedObjectAsync(Amazon.S3.IAmazonS3 s3, S3Settings bucket, string key, IRunLog log)
    {
        try
        {
            await s3.DeleteObjectAsync(bucket.BucketName, key, CancellationToken.None);
        }
        catch (Exception exception)
        {
            await log.WarningAsync($"Could not delete the staged file s3://{bucket.BucketName}/{key}: {exception.Message}", CancellationToken.None);
        }
    }
}
