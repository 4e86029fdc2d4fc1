using System.Globalization;
using System.Text;
using System.Text.Json;
using BatchExports.Pipeline.Formats;
using NpgsqlTypes;

namespace BatchExports.Pipeline.Destinations.Tables;

/// <summary>
/// Turns source rows into rows of a destination table: picks each table column's source value (or its constant) and
/// converts it to the CLR type its <see cref="TableColumn.DbType"/> is sent as.
/// </summary>
public sealed class RowProjection
{
    private static readonly JsonSerializerOptions JsonOptions = new() { Encoder = MinimalJsonEncoder.Instance };

    private readonly IReadOnlyList<TableColumn> _columns;
    private readonly int[] _sourceIndexes;
    private readonly ColumnKind[] _sourceKinds;

    public RowProjection(IReadOnlyList<Column> sourceColumns, IReadOnlyList<TableColumn> columns)
    {
        _columns = columns;
        _sourceIndexes = new int[columns.Count];
        _sourceKinds = new ColumnKind[columns.Count];
        for (var i = 0; i < columns.Count; i++)
        {
            _sourceIndexes[i] = sourceColumns.ToList().FindIndex(c => c.Name == columns[i].Name);
            _sourceKinds[i] = _sourceIndexes[i] >= 0 ? sourceColumns[_sourceIndexes[i]].Kind : ColumnKind.String;
        }
    }

    /// <summary>The table row for <paramref name="row"/>; <paramref name="bytes"/> counts the size of its values.</summary>
    public object?[] Project(object?[] row, out long bytes)
    {
        var result = new object?[_columns.Count];
        bytes = 0;
        for (var i = 0; i < _columns.Count; i++)
        {
            var value = _sourceIndexes[i] >= 0 ? row[_sourceIndexes[i]] : _columns[i].Constant;
            result[i] = value is null ? null : Convert(value, _sourceKinds[i], _columns[i].DbType);
            bytes += Size(result[i]);
        }

        return result;
    }

    private static object Convert(object value, ColumnKind sourceKind, NpgsqlDbType dbType) => dbType switch
    {
        NpgsqlDbType.Integer => System.Convert.ToInt32(value, CultureInfo.InvariantCulture),
        NpgsqlDbType.Bigint => System.Convert.ToInt64(value, CultureInfo.InvariantCulture),
        NpgsqlDbType.Double => System.Convert.ToDouble(value, CultureInfo.InvariantCulture),
        NpgsqlDbType.TimestampTz => ((DateTimeOffset)value).ToUniversalTime(),
        NpgsqlDbType.Text or NpgsqlDbType.Varchar or NpgsqlDbType.Jsonb when sourceKind == ColumnKind.StringArray =>
            JsonSerializer.Serialize((string[])value, JsonOptions),
        NpgsqlDbType.Text or NpgsqlDbType.Varchar or NpgsqlDbType.Jsonb =>
            value as string ?? System.Convert.ToString(value, CultureInfo.InvariantCulture) ?? "",
        _ => value,
    };

    private static long Size(object? value) => value switch
    {
        null => 0,
        string text => Encoding.UTF8.GetByteCount(text),
        string[] texts => texts.Sum(t => (long)Encoding.UTF8.GetByteCount(t ?? "")),
        bool => 1,
        int => 4,
        _ => 8,
    };
}
