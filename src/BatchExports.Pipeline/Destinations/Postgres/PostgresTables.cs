using BatchExports.Core.Domain;
using BatchExports.Pipeline.Destinations.Tables;
using BatchExports.Pipeline.Formats;
using NpgsqlTypes;

namespace BatchExports.Pipeline.Destinations.Postgres;

/// <summary>The tables PostHog's PostgreSQL destination creates, per model (worker spec §4.2).</summary>
public static class PostgresTables
{
    /// <summary>The source fields of an events export: PostHog's defaults plus ip and elements, minus created_at.</summary>
    public static readonly IReadOnlyList<string> EventFields =
        ["uuid", "event", "properties", "elements", "set", "set_once", "distinct_id", "team_id", "ip", "timestamp"];

    private static readonly IReadOnlySet<string> JsonColumns = new HashSet<string> { "properties", "set", "set_once", "person_properties" };

    private static readonly IReadOnlyList<TableColumn> EventColumns =
    [
        new("uuid", "VARCHAR(200)", NpgsqlDbType.Varchar),
        new("event", "VARCHAR(200)", NpgsqlDbType.Varchar),
        new("properties", "JSONB", NpgsqlDbType.Jsonb),
        new("elements", "JSONB", NpgsqlDbType.Jsonb),
        new("set", "JSONB", NpgsqlDbType.Jsonb),
        new("set_once", "JSONB", NpgsqlDbType.Jsonb),
        new("distinct_id", "VARCHAR(200)", NpgsqlDbType.Varchar),
        new("team_id", "INTEGER", NpgsqlDbType.Integer),
        new("ip", "VARCHAR(200)", NpgsqlDbType.Varchar),
        new("site_url", "VARCHAR(200)", NpgsqlDbType.Varchar),
        new("timestamp", "TIMESTAMP WITH TIME ZONE", NpgsqlDbType.TimestampTz),
    ];

    /// <summary>
    /// Events get PostHog's fixed table; persons, sessions and custom event schemas a column per source field, typed
    /// from the field (PostHog's Arrow-to-PostgreSQL mapping).
    /// </summary>
    public static TableLayout For(BatchExport export, IReadOnlyList<Column> sourceColumns)
    {
        ArgumentNullException.ThrowIfNull(export);
        if (export.Model == ExportModels.Events && export.Schema is null)
        {
            return TableLayout.ForModel(export.Model, EventColumns);
        }

        var columns = sourceColumns
            .Where(c => !TableLayout.SkippedSourceColumns.Contains(c.Name))
            .Select(c => Map(export.Model, c))
            .ToList();
        return TableLayout.ForModel(export.Model, columns);
    }

    /// <summary>CREATE TABLE (and, for events, an index on uuid that keeps the duplicate check of re-runs cheap).</summary>
    public static IReadOnlyList<string> CreateStatements(string schema, string table, TableLayout layout)
    {
        ArgumentNullException.ThrowIfNull(layout);
        var qualified = SqlNames.Qualified(schema, table);
        var primaryKey = layout.IsMerge ? $", PRIMARY KEY ({string.Join(", ", layout.Keys.Select(SqlNames.Quote))})" : "";
        var statements = new List<string> { $"CREATE TABLE IF NOT EXISTS {qualified} ({SqlNames.ColumnDefinitions(layout.Columns)}{primaryKey})" };
        if (!layout.IsMerge && layout.Keys.Count > 0)
        {
            var index = SqlNames.Quote(Truncate($"{table}_{string.Join("_", layout.Keys)}_idx"));
            statements.Add($"CREATE INDEX IF NOT EXISTS {index} ON {qualified} ({string.Join(", ", layout.Keys.Select(SqlNames.Quote))})");
        }

        return statements;
    }

    private static TableColumn Map(string model, Column column) => column switch
    {
        // PostHog's merge keys: team ids are integers, a person's distinct id is VARCHAR(200).
        { Name: "team_id" } => new(column.Name, "INTEGER", NpgsqlDbType.Integer),
        { Name: "distinct_id" } when model == ExportModels.Persons => new(column.Name, "VARCHAR(200)", NpgsqlDbType.Varchar),
        { Kind: ColumnKind.Json } when JsonColumns.Contains(column.Name) => new(column.Name, "JSONB", NpgsqlDbType.Jsonb),
        { Kind: ColumnKind.String or ColumnKind.Json } => new(column.Name, "TEXT", NpgsqlDbType.Text),
        { Kind: ColumnKind.Int64 } => new(column.Name, "BIGINT", NpgsqlDbType.Bigint),
        { Kind: ColumnKind.Float64 } => new(column.Name, "DOUBLE PRECISION", NpgsqlDbType.Double),
        { Kind: ColumnKind.Boolean } => new(column.Name, "BOOLEAN", NpgsqlDbType.Boolean),
        { Kind: ColumnKind.Timestamp } => new(column.Name, "TIMESTAMP WITH TIME ZONE", NpgsqlDbType.TimestampTz),
        { Kind: ColumnKind.StringArray } => new(column.Name, "TEXT[]", NpgsqlDbType.Array | NpgsqlDbType.Text),
        _ => throw new ArgumentOutOfRangeException(nameof(column), column.Kind, "No PostgreSQL type for this column kind."),
    };

    private static string Truncate(string name) => name.Length <= SqlNames.MaxIdentifierLength ? name : name[..SqlNames.MaxIdentifierLength];
}
