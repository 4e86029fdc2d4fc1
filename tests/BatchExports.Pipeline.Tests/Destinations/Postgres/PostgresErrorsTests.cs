using BatchExports.Pipeline.Sources;
using System.Net.Sockets;
using System.Security.Authentication;
using BatchExports.Pipeline.Destinations;
using BatchExports.Pipeline.Destinations.Postgres;
using Npgsql;

namespace BatchExports.Pipeline.Tests.Destinations.Postgres;

/// <summary>The classification of errors PostgreSQL-protocol destinations raise; the real servers' errors are in the destination tests.</summary>
public sealed class PostgresErrorsTests
{
    private static readonly PostgresConnectionSettings Settings = new()
    {
        Host = "db.example.com",
        Port = 5432,
        User = "exporter",
        Password = "hunter2-secret",
        Database = "analytics",
        Schema = "posthog",
        TableName = "events",
    };

    [Theory]
    [InlineData(PostgresErrorCodes.UndefinedColumn)]
    [InlineData(PostgresErrorCodes.DatatypeMismatch)]
    [InlineData(PostgresErrorCodes.StringDataRightTruncation)]
    [InlineData(PostgresErrorCodes.NotNullViolation)]
    [InlineData(PostgresErrorCodes.DiskFull)]
    public void Data_and_schema_errors_fail_the_run(string sqlState)
    {
        var error = PostgresErrors.UserError(new PostgresException("it went wrong", "ERROR", "ERROR", sqlState), Settings, "PostgreSQL");

        Assert.Equal($"PostgreSQL rejected the export into \"posthog\".\"events\": it went wrong (SQLSTATE {sqlState}).", error?.Message);
    }

    [Fact]
    public void A_missing_schema_is_named()
    {
        var error = PostgresErrors.UserError(new PostgresException("schema \"posthog\" does not exist", "ERROR", "ERROR", PostgresErrorCodes.InvalidSchemaName), Settings, "PostgreSQL");

        Assert.Equal("The schema 'posthog' does not exist in database 'analytics'. Create it, or set 'schema' to an existing one.", error?.Message);
    }

    [Fact]
    public void A_refused_login_does_not_repeat_the_servers_text_which_names_the_user()
    {
        var error = PostgresErrors.UserError(
            new PostgresException("no pg_hba.conf entry for host \"10.0.0.1\", user \"exporter\"", "FATAL", "FATAL", PostgresErrorCodes.InvalidAuthorizationSpecification),
            Settings, "Redshift");

        Assert.NotNull(error);
        Assert.DoesNotContain("exporter", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void An_unknown_host_fails_the_run()
    {
        var error = PostgresErrors.UserError(new NpgsqlException("Failed to connect", new SocketException((int)SocketError.HostNotFound)), Settings, "PostgreSQL");

        Assert.Equal("The PostgreSQL host 'db.example.com' could not be found. Check the destination's 'host'.", error?.Message);
    }

    [Fact]
    public void A_TLS_failure_fails_the_run()
    {
        var error = PostgresErrors.UserError(new NpgsqlException("Exception while connecting", new AuthenticationException("remote certificate rejected")), Settings, "PostgreSQL");

        Assert.StartsWith("Could not establish a secure connection to PostgreSQL at db.example.com:5432", error?.Message, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData(PostgresErrorCodes.AdminShutdown)]
    [InlineData(PostgresErrorCodes.CannotConnectNow)]
    [InlineData(PostgresErrorCodes.TooManyConnections)]
    [InlineData(PostgresErrorCodes.SerializationFailure)]
    [InlineData(PostgresErrorCodes.DeadlockDetected)]
    [InlineData(PostgresErrorCodes.ConnectionFailure)]
    public void Server_side_blips_are_retried(string sqlState)
    {
        Assert.Null(PostgresErrors.UserError(new PostgresException("blip", "FATAL", "FATAL", sqlState), Settings, "PostgreSQL"));
    }

    [Fact]
    public void Timeouts_refused_connections_and_source_failures_are_retried()
    {
        Assert.Null(PostgresErrors.UserError(new NpgsqlException("Exception while connecting", new TimeoutException()), Settings, "PostgreSQL"));
        Assert.Null(PostgresErrors.UserError(new NpgsqlException("Failed to connect", new SocketException((int)SocketError.ConnectionRefused)), Settings, "PostgreSQL"));
        Assert.Null(PostgresErrors.UserError(
            new SourceReadException(new PostgresException("password authentication failed", "FATAL", "FATAL", PostgresErrorCodes.InvalidPassword)), Settings, "PostgreSQL"));
    }

    [Fact]
    public void Never_shows_the_password_even_when_the_server_echoes_it()
    {
        var error = PostgresErrors.UserError(
            new PostgresException("permission denied for table hunter2-secret", "ERROR", "ERROR", PostgresErrorCodes.InsufficientPrivilege), Settings, "PostgreSQL");

        Assert.NotNull(error);
        Assert.DoesNotContain("hunter2-secret", error.Message, StringComparison.Ordinal);
        Assert.DoesNotContain("hunter2-secret", Settings.ToString(), StringComparison.Ordinal);
        Assert.DoesNotContain("exporter", Settings.ToString(), StringComparison.Ordinal);
    }
}
