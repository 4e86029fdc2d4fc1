using BatchExports.Pipeline.Formats;
using Npgsql;

namespace BatchExports.Pipeline.Sources;

/// <summary>A parameterised SELECT over the source tables and the columns it yields, in order.</summary>
public sealed record SourceQuery(string Sql, IReadOnlyList<NpgsqlParameter> Parameters, IReadOnlyList<Column> Columns);
