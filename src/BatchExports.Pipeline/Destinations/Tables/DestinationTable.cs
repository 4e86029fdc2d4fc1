using BatchExports.Pipeline.Runs;
using Npgsql;

namespace BatchExports.Pipeline.Destinations.Tables;

/// <summary>The target table of a PostgreSQL-protocol destination: found with its columns, or created.</summary>
public static class DestinationTable
{
    /// <summary>
    /// The layout to write: the full one after creating the table when it does not exist, else the layout cut down to
    /// the columns the existing table has (PostHog's behaviour, so users may drop columns they do not want).
    /// </summary>
    public static async Task<TableLayout> PrepareAsync(
        NpgsqlConnection connection,
        string schema,
        string table,
        TableLayout layout,
        IReadOnlyList<string> createStatements,
        StringComparer nameComparer,
        IRunLog log,
        CancellationToken cancellationToken)
    {
        var qualified = SqlNames.Qualified(schema, table);
        var existing = await ExistingColumnsAsync(connection, schema, table, nameComparer, cancellationToken);
        if (existing.Count == 0)
        {
            foreach (var statement in createStatements)
            {
                await ExecuteAsync(connection, statement, cancellationToken);
            }

            await log.InfoAsync($"Created table {qualified} (if it did not exist) with columns {string.Join(", ", layout.Columns.Select(c => c.Name))}.", cancellationToken);
            return layout;
        }

        var restricted = layout.RestrictTo(existing, nameComparer, qualified);
        var skipped = layout.Columns.Select(c => c.Name).Except(restricted.Columns.Select(c => c.Name)).ToList();
        if (skipped.Count > 0)
        {
            await log.WarningAsync($"The table {qualified} has no column {string.Join(", ", skipped)}; those fields are not exported.", cancellationToken);
        }

        return restricted;
    }

    public static async Task ExecuteAsync(NpgsqlConnection connection, string sql, CancellationToken cancellationToken)
    {
        await using var command = new NpgsqlCommand(sql, connection);
        await command.ExecuteNonQueryAsync(cancellationToken);
    }

    /// <summary>The table's columns as the user sees them; none when it does not exist (or the user may not see it).</summary>
    private static async Task<IReadOnlyList<string>> ExistingColumnsAsync(
        NpgsqlConnection connection, string schema, string table, StringComparer nameComparer, CancellationToken cancellationToken)
    {
        // Redshift folds identifiers to lower case even when quoted, and its catalog holds them so.
        var folded = nameComparer == StringComparer.OrdinalIgnoreCase;
        await using var command = new NpgsqlCommand(
            "SELECT column_name::varchar FROM information_schema.columns WHERE table_schema = @schema AND table_name = @table ORDER BY ordinal_position",
            connection);
        command.Parameters.AddWithValue("schema", folded ? schema.ToLowerInvariant() : schema);
        command.Parameters.AddWithValue("table", folded ? table.ToLowerInvariant() : table);
        var columns = new List<string>();
        await using var reader = await command.ExecuteReaderAsync(cancellationToken);
        while (await reader.ReadAsync(cancellationToken))
        {
            columns.Add(reader.GetString(0));
        }

        return columns;
    }
}
