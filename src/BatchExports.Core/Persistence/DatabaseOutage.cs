using Npgsql;

namespace BatchExports.Core.Persistence;

/// <summary>
/// Tells a database that cannot be reached (refused or dropped connections, a server shutting down or starting up)
/// from every other database error, so the API can answer 503 and the engine can wait instead of failing work.
/// </summary>
public static class DatabaseOutage
{
    /// <summary>What the API tells clients (with <c>Retry-After</c>) while the database is away.</summary>
    public const string Message = "The database is not reachable.";

    /// <summary>Seconds a client should wait before trying again.</summary>
    public const int RetryAfterSeconds = 5;

    public static bool IsUnreachable(Exception? exception)
    {
        for (var current = exception; current != null; current = current.InnerException)
        {
            switch (current)
            {
                // Class 08 = connection exception; 57P01-03 = the server is shutting down, crashed or still starting.
                case PostgresException postgres:
                    return postgres.SqlState.StartsWith("08", StringComparison.Ordinal) || postgres.SqlState is "57P01" or "57P02" or "57P03";
                // Npgsql marks socket, I/O and connect-timeout failures transient; server-reported errors are handled above.
                case NpgsqlException { IsTransient: true }:
                    return true;
            }
        }

        return false;
    }
}
