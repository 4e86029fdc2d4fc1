using BatchExports.Core.Domain;
using BatchExports.Pipeline.Destinations.Tables;
using BatchExports.Pipeline.Formats;
using NpgsqlTypes;

namespace BatchExports.Pipeline.Destinations.Redshift;

/// <summary>The tables PostHog's Redshift destination creates (worker spec §4.3), with JSON as VARCHAR or SUPER.</summary>
public static class RedshiftTables
{
    /// <summary>As PostgreSQL's, without <c>elements</c>: Redshift writes it (and <c>site_url</c>) as an empty string.</summary>
    public static readonly IReadOnlyList<string> EventFields =
        ["uuid", "event", "properties", "set", "set_once", "distinct_id", "team_id", "ip", "timestamp"];

    private static readonly IReadOnlySet<string> JsonColumns = new HashSet<string> { "properties", "set", "set_once", "person_properties" };

    public static TableLayout For(BatchExport export, IReadOnlyList<Column> sourceColumns, bool useSuper)
    {
        ArgumentNullException.ThrowIfNull(export);
        if (export.Model == ExportModels.Events && export.Schema is null)
        {
            var json = Json(useSuper);
            return TableLayout.ForModel(export.Model,
            [
                new("uuid", "VARCHAR(200)", NpgsqlDbType.Varchar),
                new("event", "VARCHAR(200)", NpgsqlDbType.Varchar),
                json("properties"),
                new("elements", RedshiftSql.MaxVarchar, NpgsqlDbType.Varchar) { Constant = "" },
                json("set"),
                json("set_once"),
                new("distinct_id", "VARCHAR(200)", NpgsqlDbType.Varchar),
                new("team_id", "INTEGER", NpgsqlDbType.Integer),
                new("ip", "VARCHAR(200)", NpgsqlDbType.Varchar),
                new("site_url", "VARCHAR(200)", NpgsqlDbType.Varchar) { Constant = "" },
                new("timestamp", "TIMESTAMP WITH TIME ZONE", NpgsqlDbType.TimestampTz),
            ]);
        }

        var columns = sourceColumns
            .Where(c => !TableLayout.SkippedSourceColumns.Contains(c.Name))
            .Select(c => Map(export.Model, c, useSuper))
            .ToList();
        return TableLayout.ForModel(export.Model, columns);
    }

    /// <summary>
    /// Redshift has no enforced keys or indexes to create: merges and the duplicate check of re-runs work by joining
    /// on the layout's keys.
    /// </summary>
    public static IReadOnlyList<string> CreateStatements(string schema, string table, TableLayout layout)
    {
        ArgumentNullException.ThrowIfNull(layout);
        return [$"CREATE TABLE IF NOT EXISTS {SqlNames.Qualified(schema, table)} ({SqlNames.ColumnDefinitions(layout.Columns)})"];
    }

    /// <summary>The column kinds of the JSONLines file COPY mode stages: SUPER values nested, VARCHAR JSON as strings.</summary>
    public static IReadOnlyList<Column> FileColumns(IReadOnlyList<TableColumn> columns) =>
        columns.Select(c => new Column(c.Name, c switch
        {
            { IsSuper: true } => ColumnKind.Json,
            { DbType: NpgsqlDbType.Integer or NpgsqlDbType.Bigint } => ColumnKind.Int64,
            { DbType: NpgsqlDbType.Double } => ColumnKind.Float64,
            { DbType: NpgsqlDbType.Boolean } => ColumnKind.Boolean,
            { DbType: NpgsqlDbType.TimestampTz } => ColumnKind.Timestamp,
            _ => ColumnKind.String,
        })).ToList();

    private static Func<string, TableColumn> Json(bool useSuper) => name => useSuper
        ? new TableColumn(name, RedshiftSql.Super, NpgsqlDbType.Varchar) { IsSuper = true }
        : new TableColumn(name, RedshiftSql.MaxVarchar, NpgsqlDbType.Varchar);

    // PostHog maps list<string> to SUPER even with varchar JSON; here varchar mode keeps such lists as JSON text, so a
    // varchar export uses no SUPER column at all.
    private static TableColumn Map(string model, Column column, bool useSuper) => column switch
    {
        { Name: "team_id" } => new(column.Name, "INTEGER", NpgsqlDbType.Integer),
        { Name: "distinct_id" } when model == ExportModels.Persons => new(column.Name, "VARCHAR(200)", NpgsqlDbType.Varchar),
        { Kind: ColumnKind.Json } when JsonColumns.Contains(column.Name) => Json(useSuper)(column.Name),
        { Kind: ColumnKind.StringArray } => Json(useSuper)(column.Name),
        { Kind: ColumnKind.String or ColumnKind.Json } => new(column.Name, RedshiftSql.MaxVarchar, NpgsqlDbType.Varchar),
        { Kind: ColumnKind.Int64 } => new(column.Name, "BIGINT", NpgsqlDbType.Bigint),
        { Kind: ColumnKind.Float64 } => new(column.Name, "DOUBLE PRECISION", NpgsqlDbType.Double),
        { Kind: ColumnKind.Boolean } => new(column.Name, "BOOLEAN", NpgsqlDbType.Boolean),
        { Kind: ColumnKind.Timestamp } => new(column.Name, "TIMESTAMP WITH TIME ZONE", NpgsqlDbType.TimestampTz),
        _ => throw new ArgumentOutOfRangeException(nameof(column), column.Kind, "No Redshift type for this column kind."),
    };
}
