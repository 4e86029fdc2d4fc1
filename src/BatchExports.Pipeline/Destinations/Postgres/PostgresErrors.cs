using System.Net.Sockets;
using System.Security.Authentication;
using BatchExports.Pipeline.Runs;
using BatchExports.Pipeline.Sources;
using Npgsql;

namespace BatchExports.Pipeline.Destinations.Postgres;

/// <summary>
/// Sorts errors from a PostgreSQL-protocol destination into the ones the user must fix (credentials, missing
/// database or schema, privileges, a table that does not fit the data), which fail the run at once, and the rest
/// (network, server restarts, overload), which the engine retries. Messages never carry the user name or password.
/// </summary>
public static class PostgresErrors
{
    /// <summary>SQLSTATEs a retry cannot fix (PostHog's non-retryable psycopg errors, worker spec §4.2, and kin).</summary>
    private static readonly HashSet<string> DataErrors =
    [
        PostgresErrorCodes.UndefinedTable,
        PostgresErrorCodes.UndefinedColumn,
        PostgresErrorCodes.DatatypeMismatch,
        PostgresErrorCodes.CannotCoerce,
        PostgresErrorCodes.InvalidTextRepresentation,
        PostgresErrorCodes.StringDataRightTruncation,
        PostgresErrorCodes.NumericValueOutOfRange,
        PostgresErrorCodes.DatetimeFieldOverflow,
        PostgresErrorCodes.CharacterNotInRepertoire,
        PostgresErrorCodes.UntranslatableCharacter,
        PostgresErrorCodes.NotNullViolation,
        PostgresErrorCodes.UniqueViolation,
        PostgresErrorCodes.CheckViolation,
        PostgresErrorCodes.ForeignKeyViolation,
        PostgresErrorCodes.FeatureNotSupported,
        PostgresErrorCodes.ProgramLimitExceeded,
        PostgresErrorCodes.DiskFull,
        PostgresErrorCodes.ReadOnlySqlTransaction,
        PostgresErrorCodes.WrongObjectType,
        PostgresErrorCodes.SyntaxError,
    ];

    /// <summary>
    /// The run's failure for an error the user must fix, or null when a retry may get past it (and for anything that
    /// did not come from the destination).
    /// </summary>
    public static NonRetryableExportException? UserError(Exception exception, PostgresConnectionSettings settings, string product)
    {
        ArgumentNullException.ThrowIfNull(exception);
        ArgumentNullException.ThrowIfNull(settings);
        // Only what the destination's driver raised: the source is PostgreSQL too, and COPY mode also talks to S3.
        if (exception is SourceReadException or NonRetryableExportException || Find<NpgsqlException>(exception) is null)
        {
            return null;
        }

        var message = Find<PostgresException>(exception) is { } postgres
            ? Describe(postgres, settings, product)
            : DescribeTransport(exception, settings, product);
        return message is null ? null : new NonRetryableExportException(Redact(message, settings), exception);
    }

    private static string? Describe(PostgresException e, PostgresConnectionSettings settings, string product)
    {
        switch (e.SqlState)
        {
            case PostgresErrorCodes.InvalidPassword:
                return $"{product} at {settings.Endpoint} rejected the user name or password (SQLSTATE 28P01). Check the destination's 'user' and 'password'.";
            case PostgresErrorCodes.InvalidAuthorizationSpecification:
                // The server's text names the user, which PostHog treats as a secret.
                return $"{product} at {settings.Endpoint} refused the login (SQLSTATE 28000): the user may not exist, or may not be allowed to connect to database '{settings.Database}'.";
            case PostgresErrorCodes.InvalidCatalogName:
                return $"The database '{settings.Database}' does not exist on {product} at {settings.Endpoint}.";
            case PostgresErrorCodes.InvalidSchemaName:
                return $"The schema '{settings.Schema}' does not exist in database '{settings.Database}'. Create it, or set 'schema' to an existing one.";
            case PostgresErrorCodes.InsufficientPrivilege:
                return $"The destination's user lacks a privilege this export needs on {settings.QualifiedTable}: {e.MessageText} (SQLSTATE 42501).";
            case PostgresErrorCodes.InvalidColumnReference:
                return $"The table {settings.QualifiedTable} has no primary key or unique constraint on the columns this export merges rows on. "
                    + $"Add one, or let the export create the table. ({e.MessageText})";
        }

        if (DataErrors.Contains(e.SqlState))
        {
            var column = e.ColumnName is { Length: > 0 } name ? $" (column '{name}')" : "";
            return $"{product} rejected the export into {settings.QualifiedTable}{column}: {e.MessageText} (SQLSTATE {e.SqlState}).";
        }

        return null;
    }

    private static string? DescribeTransport(Exception exception, PostgresConnectionSettings settings, string product)
    {
        if (Find<SocketException>(exception) is { SocketErrorCode: SocketError.HostNotFound })
        {
            return $"The {product} host '{settings.Host}' could not be found. Check the destination's 'host'.";
        }

        if (Find<AuthenticationException>(exception) is { } tls)
        {
            return $"Could not establish a secure connection to {product} at {settings.Endpoint}: {tls.Message}";
        }

        return null;
    }

    private static string Redact(string message, PostgresConnectionSettings settings) =>
        settings.Password.Length >= 4 ? message.Replace(settings.Password, "***", StringComparison.Ordinal) : message;

    private static T? Find<T>(Exception exception)
        where T : Exception
    {
        for (Exception? current = exception; current is not null; current = current.InnerException)
        {
            if (current is T match)
            {
                return match;
            }
        }

        return null;
    }
}
