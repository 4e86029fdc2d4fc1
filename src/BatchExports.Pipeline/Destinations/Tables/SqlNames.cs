using System.Globalization;
using System.Text;

namespace BatchExports.Pipeline.Destinations.Tables;

/// <summary>Identifier quoting and the stage-table name, shared by the PostgreSQL-protocol destinations.</summary>
public static class SqlNames
{
    /// <summary>PostgreSQL's limit on identifier length, in bytes; longer names are truncated by the server.</summary>
    public const int MaxIdentifierLength = 63;

    public static string Quote(string identifier) => "\"" + identifier.Replace("\"", "\"\"", StringComparison.Ordinal) + "\"";

    public static string Qualified(string schema, string table) => $"{Quote(schema)}.{Quote(table)}";

    public static string ColumnList(IEnumerable<TableColumn> columns) => string.Join(", ", columns.Select(c => Quote(c.Name)));

    public static string ColumnDefinitions(IEnumerable<TableColumn> columns) => string.Join(", ", columns.Select(c => $"{Quote(c.Name)} {c.SqlType}"));

    /// <summary>
    /// PostHog's stage name, <c>stage_{table}_{end:%Y-%m-%d_%H-%M-%S}_{team_id}_{attempt}</c>, within the identifier
    /// limit: one name per attempt, so an attempt never meets another's rows. A long table name is what gets cut.
    /// </summary>
    public static string StageTable(string table, DateTimeOffset intervalEnd, int teamId, int attempt)
    {
        var suffix = string.Create(CultureInfo.InvariantCulture, $"_{intervalEnd.UtcDateTime:yyyy-MM-dd_HH-mm-ss}_{teamId}_{attempt}");
        var prefix = "stage_" + table;
        while (Encoding.UTF8.GetByteCount(prefix) + suffix.Length > MaxIdentifierLength)
        {
            prefix = prefix[..^1];
        }

        return prefix + suffix;
    }
}
